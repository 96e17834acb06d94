"""django-filter pieces shared by the native API."""

import django_filters
from django import forms

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class CaseInsensitiveBooleanField(forms.Field):
    """``true``/``false`` in any letter case (seed 003); anything else is a 400, never silently ignored."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise forms.ValidationError(f"'{value}' is not a boolean; use true or false.", code="invalid-boolean")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = CaseInsensitiveBooleanField
