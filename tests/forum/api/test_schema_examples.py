"""Every operation in the API schema shows what to send and what comes back: each JSON request
body and each success response with a body has an example, and every example is valid against
its own schema, with every field of a response and no field the schema lacks. The triage codes,
versions and specialties in the examples are the real ones.

A new endpoint without examples fails here; its examples go in forum/api/examples.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import best_match

import triage
from forum.specialties import SPECIALTIES

# Not JSON APIs: the schema itself (left out of the schema by SERVE_INCLUDE_SCHEMA = False; named
# in case that changes). The docs page is HTML and never in it.
NOT_JSON_APIS = frozenset({"schema_retrieve"})
JSON = "application/json"
Schema = dict[str, Any]

# jsonschema checks `date-time` only with an extra package; ours also wants a time zone.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _aware_date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture(scope="module")
def schema() -> Schema:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    document: Schema = json.loads(OpenApiJsonRenderer().render(generated))
    return document


def _operations(schema: Schema) -> Iterator[tuple[str, Schema]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if operation["operationId"] not in NOT_JSON_APIS:
                yield f"{method.upper()} {path}", operation


def _success_responses(operation: Schema) -> Iterator[tuple[str, Schema]]:
    for status, response in operation["responses"].items():
        if status.startswith("2") and response.get("content"):
            yield status, response


def _json_schema(node: Any, *, response: bool) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable` becomes a null alternative. Objects are closed
    (no field the schema lacks), and in a response every field is required, as the serializers
    always send all of them."""
    if isinstance(node, list):
        return [_json_schema(item, response=response) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _json_schema(sub, response=response) for name, sub in value.items()}
        elif key in {"enum", "default", "example", "description"}:
            out[key] = value
        else:
            out[key] = _json_schema(value, response=response)
    if "properties" in out and out.get("type") == "object":
        # (not a branch of an `anyOf` that only constrains some of the object's fields)
        out.setdefault("additionalProperties", False)
        if response:
            out["required"] = sorted(out["properties"])
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _validator(schema: Schema, node: Schema, *, response: bool) -> Draft7Validator:
    """A validator for `node`, with the components its `$ref`s point to in the same document."""
    components = _json_schema(schema["components"]["schemas"], response=response)
    root = {**_json_schema(node, response=response), "components": {"schemas": components}}
    Draft7Validator.check_schema(root)
    return Draft7Validator(root, format_checker=FORMATS)


def _examples(schema: Schema) -> Iterator[tuple[str, str, Schema, Any, bool]]:
    """(operation, example name, its schema, its value, whether it is a response's)."""
    for name, operation in _operations(schema):
        body = operation.get("requestBody", {}).get("content", {})
        for media_type, content in body.items():
            for key, example in content.get("examples", {}).items():
                yield (
                    name,
                    f"request {media_type} {key}",
                    content["schema"],
                    example["value"],
                    False,
                )
        for status, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                for key, example in content.get("examples", {}).items():
                    where = f"{status} {media_type} {key}"
                    yield name, where, content["schema"], example["value"], True


def _walk(value: Any) -> Iterator[Any]:
    yield value
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        yield from _walk(child)


def test_it_generates_every_operation(schema):
    # The count is a floor: a lower one means the schema lost operations, not that all is well.
    assert len(list(_operations(schema))) >= 29


def test_every_json_request_body_has_an_example(schema):
    missing = [
        name
        for name, operation in _operations(schema)
        if "requestBody" in operation
        and not operation["requestBody"]["content"].get(JSON, {}).get("examples")
    ]
    assert missing == []


def test_every_success_response_with_a_body_has_an_example(schema):
    missing = [
        f"{name} {status} {media_type}"
        for name, operation in _operations(schema)
        for status, response in _success_responses(operation)
        for media_type, content in response["content"].items()
        if not content.get("examples")
    ]
    assert missing == []


def test_every_example_is_valid_against_its_schema(schema):
    invalid = []
    for operation, where, node, value, response in _examples(schema):
        error = best_match(_validator(schema, node, response=response).iter_errors(value))
        if error is not None:
            at = "/".join(map(str, error.absolute_path))
            invalid.append(f"{operation} {where} at {at}: {error.message[:300]}")
    assert invalid == []


def test_the_checks_catch_a_missing_field_and_an_unknown_one(schema):
    operation = schema["paths"]["/api/auth/token/"]["post"]
    node = operation["responses"]["200"]["content"][JSON]["schema"]
    validator = _validator(schema, node, response=True)
    token = {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "expires": "2026-12-31T09:30:00Z"}
    assert validator.is_valid(token)
    assert not validator.is_valid({"token": token["token"]})
    assert not validator.is_valid({**token, "user": 7})
    # A page of a paginated list: the envelope, its items, a time zone on every date.
    queue = schema["paths"]["/api/queue/"]["get"]["responses"]["200"]["content"][JSON]
    item = next(iter(queue["examples"].values()))["value"]["results"][0]
    validator = _validator(schema, queue["schema"], response=True)
    page = {"count": 1, "next": None, "previous": None, "results": [item]}
    assert validator.is_valid(page)
    assert not validator.is_valid({**page, "results": [{**item, "claimed_until": "2025-06-10"}]})
    naive = {**item, "claimed_until": "2025-06-10T10:15:13"}
    assert not validator.is_valid({**page, "results": [naive]})
    assert not validator.is_valid({"next": None, "previous": None, "results": [item]})


def test_the_ask_forms_examples_include_an_emergency(schema):
    content = schema["paths"]["/api/questions/"]["post"]["responses"]["201"]["content"][JSON]
    triages = [example["value"]["triage"] for example in content["examples"].values()]
    emergencies = [t for t in triages if t["urgency"] == "emergency"]
    assert emergencies, triages
    assert all(t["emergency"] is True and t["call_now"] for t in emergencies)
    assert any(t["urgency"] != "emergency" and t["call_now"] is None for t in triages)


def test_examples_use_the_knowledge_bases_codes_and_labels(schema):
    kb = triage.knowledge_base()
    flag_labels = {flag.code: flag.label for flag in kb.flags}
    wrong = []
    for operation, where, _, value, _ in _examples(schema):
        for item in _walk(value):
            if not isinstance(item, dict):
                continue
            if "engine_version" in item:
                versions = (item["engine_version"], item["kb_version"])
                if versions != (triage.ENGINE_VERSION, triage.kb_version()):
                    wrong.append(f"{operation} {where}: versions {versions}")
            for flag in item.get("flags", []):
                if flag_labels.get(flag["code"]) != flag["label"]:
                    wrong.append(f"{operation} {where}: flag {flag['code']} {flag['label']!r}")
            for cause in item.get("causes", []):
                rule = kb.causes.get(cause["code"])
                if rule is None or rule.label != cause["label"]:
                    wrong.append(f"{operation} {where}: cause {cause['code']} {cause['label']!r}")
    assert wrong == []


def test_examples_name_real_specialties(schema):
    # The queue overview names a specialty by its name; everything else by its slug.
    known = {slug for slug, _, _ in SPECIALTIES} | {name for _, name, _ in SPECIALTIES}
    wrong = []
    for operation, where, _, value, _ in _examples(schema):
        for item in _walk(value):
            if isinstance(item, dict):
                named = [item.get("specialty"), *item.get("specialties", [])]
                wrong += [f"{operation} {where}: {s}" for s in named if s and s not in known]
    assert wrong == []


def test_evidence_points_at_the_words_in_the_question(schema):
    # Offsets are into title + blank line + body, as the engine gives them.
    wrong = []
    for operation, where, _, value, _ in _examples(schema):
        for item in _walk(value):
            if not (isinstance(item, dict) and isinstance(item.get("triage"), dict)):
                continue
            text = f"{item['title']}\n\n{item['body']}"
            for finding in item["triage"]["flags"] + item["triage"]["causes"]:
                for evidence in finding["evidence"]:
                    if text[evidence["start"] : evidence["end"]] != evidence["text"]:
                        wrong.append(f"{operation} {where}: {evidence}")
    assert wrong == []
