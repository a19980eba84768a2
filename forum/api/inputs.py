"""The base of the API's request bodies: in a JSON body every value must have the JSON type the
schema gives it. DRF alone turns `5` into `"5"` for a text field and `0` into `false` for a
yes/no one, so a client sending the wrong type would never hear of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

# (field class, the JSON types it takes, the message), most specific first: a bool is an int.
_JSON_TYPES: tuple[
    tuple[type[serializers.Field[Any, Any, Any, Any]], tuple[type, ...], str], ...
] = (
    (serializers.BooleanField, (bool,), "Must be true or false."),
    (serializers.IntegerField, (int,), "A valid integer is required."),
    (serializers.FloatField, (int, float), "A valid number is required."),
    (serializers.CharField, (str,), "Not a valid string."),
    (serializers.ChoiceField, (str,), "Not a valid string."),
    (serializers.SlugRelatedField, (str,), "Not a valid string."),
    (serializers.ListField, (list,), "Expected a list of items."),
)


def _type_error(field: serializers.Field[Any, Any, Any, Any], value: Any) -> Any:
    """The error for `value` in `field`, or None. None itself is left to the field."""
    if value is None:
        return None
    rule = next(((t, m) for kind, t, m in _JSON_TYPES if isinstance(field, kind)), None)
    if rule is None:
        return None
    types, message = rule
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        return [message]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        items = {
            str(index): error
            for index, item in enumerate(value)
            if (error := _type_error(field.child, item)) is not None
        }
        return items or None
    return None


class JSONInput(serializers.Serializer[dict[str, Any]]):
    """A request body. A form or multipart body carries only text and keeps DRF's conversions."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {
                name: error
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (error := _type_error(field, data[name])) is not None
            }
            if errors:
                raise serializers.ValidationError(errors)
        result: dict[str, Any] = super().to_internal_value(data)
        return result
