"""The schema says what ``organizations.idempotency`` does: every organisation POST takes an
optional ``Idempotency-Key`` header and documents the 409 and 422 only that header produces."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator


def _operations() -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def _key_parameter(operation: dict) -> dict | None:  # type: ignore[type-arg]
    return next(
        (
            p
            for p in operation.get("parameters", [])
            if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ),
        None,
    )


def test_every_organisation_post_documents_the_idempotency_key() -> None:
    posts = [
        (path, op)
        for path, method, op in _operations()
        if method == "post" and path.startswith("/api/v1/o/")
    ]
    assert len(posts) > 50
    for path, operation in posts:
        parameter = _key_parameter(operation)
        assert parameter is not None, f"POST {path} does not document Idempotency-Key"
        assert parameter.get("required", False) is False
        assert parameter["schema"]["type"] == "string"
        for code in ("400", "409", "422"):
            assert code in operation["responses"], f"POST {path} does not document {code}"


def test_only_posts_take_the_key() -> None:
    for path, method, operation in _operations():
        if method != "post":
            assert _key_parameter(operation) is None, f"{method.upper()} {path}"
