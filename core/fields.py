"""Model fields of the project's own."""

from __future__ import annotations

from typing import Any

from django.db import models

from core.text import single_line


class OneLineCharField(models.CharField):
    """A name or other one-line text: a CharField that refuses control characters (line breaks,
    tabs…) wherever the model is validated (ModelForm, ModelSerializer, ``full_clean``).

    The column is a plain ``varchar`` and the rule lives in Python, so the field deconstructs as
    ``models.CharField`` without the validator: migrations see no change when a field becomes one.
    """

    default_validators = [single_line]

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
