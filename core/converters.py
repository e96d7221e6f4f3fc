from django.urls import register_converter


class IdConverter:
    """Positive database ids that fit a bigint; anything else does not match (404, never a 500)."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
