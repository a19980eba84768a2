"""The API's request bodies and query parameters: JSON only, every value of the JSON type the
schema gives it (DRF alone turns `5` into `"5"` for a text field and `0` into `false` for a
yes/no one, so a client sending the wrong type would never hear of it), free text under the
site's text rule (forum/text.py), specialties by their slugs, and never a NUL character on its
way to the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

from forum.models import Specialty
from forum.specialties import SPECIALTIES
from forum.text import NO_NUL_PATTERN, NUL_MESSAGE, clean_text, has_nul
from forum.text import json_schema as text_schema

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
    """A request body: JSON, the only kind the API parses (JSONBodyParser below)."""

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


# The largest id a row can have (a BigAutoField); a larger one is a 400, not a database error.
MAX_ID = 2**63 - 1


class TextField(serializers.CharField):
    """Free text under the site's text rule (forum/text.py): no NUL, trimmed of blank characters
    (a required text of nothing but those is refused), `min_length` counted on the trimmed text,
    `max_length` on the text as sent, bidirectional controls removed from what is stored. A text
    that may be blank is stored empty when it holds nothing visible."""

    def __init__(self, **kwargs: Any) -> None:
        self.text_min_length: int | None = kwargs.pop("min_length", None)
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        try:
            return clean_text(
                value,
                required=not self.allow_blank,
                min_length=self.text_min_length,
                max_length=self.max_length,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class _TextFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        # drf-spectacular then sets `minLength` 1 on a text that may not be blank (the `not`
        # pattern holds the real minimum), and makes one that may be blank `oneOf` this or "".
        field: TextField = self.target
        return text_schema(
            required=not field.allow_blank,
            min_length=field.text_min_length,
            max_length=field.max_length,
        )


@extend_schema_field({"type": "string", "pattern": NO_NUL_PATTERN})
class SecretField(serializers.CharField):
    """A password or code: taken as typed (nothing trimmed), but never with a NUL character."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)


SPECIALTY_SLUGS = [slug for slug, _, _ in SPECIALTIES]
SPECIALTY_CHOICES = [(slug, name) for slug, name, _ in SPECIALTIES]


class SpecialtyField(serializers.ChoiceField):
    """A specialty by its slug (the schema lists them); gives the Specialty. Optional ones take
    null or an empty string for none."""

    def __init__(self, *, optional: bool = False, **kwargs: Any) -> None:
        if optional:
            kwargs.update(required=False, allow_null=True, allow_blank=True)
        super().__init__(choices=SPECIALTY_CHOICES, **kwargs)

    def to_internal_value(self, data: Any) -> Any:  # a Specialty or None
        slug = super().to_internal_value(data)
        if slug in ("", None):
            return None
        specialty = Specialty.objects.filter(slug=slug).first()
        if specialty is None:
            raise serializers.ValidationError(f"The specialty {slug!r} is not set up on this site.")
        return specialty

    def to_representation(self, value: Any) -> Any:
        return getattr(value, "slug", value)


# Deeper JSON than any request body of this API needs; Python's own parser would give up with a
# RecursionError (a 500) at about a thousand levels.
MAX_JSON_DEPTH = 32


def _depth(value: Any) -> int:
    """How many arrays and objects deep `value` goes, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONBodyParser(JSONParser):
    """The API's only request body parser (settings: REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): a
    JSON body, at most MAX_JSON_DEPTH arrays and objects deep. A form or multipart body is a 415,
    so `specialty=null` can never arrive as the text "null"."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(self._too_deep) from exc
        if _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(self._too_deep)
        return data

    _too_deep = f"JSON parse error - nested more than {MAX_JSON_DEPTH} arrays or objects deep."


def query_text(request: Request, name: str, *, max_length: int) -> str:
    """A free-text query parameter, cut to `max_length`; a NUL character in it is a 400."""
    value = request.query_params.get(name, "")
    if has_nul(value):
        raise serializers.ValidationError({name: [NUL_MESSAGE]})
    return value[:max_length]


def text_parameter(name: str, description: str) -> OpenApiParameter:
    """The schema of a `query_text` parameter."""
    return OpenApiParameter(
        name, {"type": "string", "pattern": NO_NUL_PATTERN}, description=description
    )
