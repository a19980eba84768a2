"""The text rule (forum/text.py), as the forms and the API apply it."""

from __future__ import annotations

import re
import sys
import unicodedata

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.forms import FollowUpForm
from forum.models import FollowUp, Question, Status
from forum.text import BIDI_CONTROLS, BLANK_RANGES, clean_text, json_schema
from tests.factories import api_client, make_question

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u3164\u2800\u00ad"
# Arabic and Kaithi number signs and the like are format characters that draw something.
VISIBLE_FORMAT = {*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD}
DRAW_NOTHING = {
    0x034F,  # combining grapheme joiner
    0x115F,
    0x1160,
    0x3164,
    0xFFA0,  # Hangul fillers
    0x2800,  # blank Braille pattern
    0x17B4,
    0x17B5,  # Khmer inherent vowels
    0x180B,
    0x180C,
    0x180D,
    0x180F,  # Mongolian variation selectors
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),  # variation selectors
}


def test_the_blank_ranges_are_the_unicode_databases_blank_characters():
    derived = {
        code
        for code in range(sys.maxunicode + 1)
        if (
            unicodedata.category(chr(code)) in {"Cc", "Cf", "Zs", "Zl", "Zp"} or chr(code).isspace()
        )
        and code not in VISIBLE_FORMAT
    } | DRAW_NOTHING
    listed = {code for first, last in BLANK_RANGES for code in range(first, last + 1)}
    assert listed == derived


@pytest.mark.parametrize("text", ["", "   ", INVISIBLE, "\u202e\u2066 \u200b\n\t"])
def test_a_required_text_of_blank_characters_is_refused(text):
    with pytest.raises(ValidationError):
        clean_text(text, required=True)


def test_an_optional_text_of_blank_characters_is_stored_empty():
    assert clean_text(INVISIBLE, required=False) == ""


def test_bidirectional_controls_are_removed_and_the_ends_trimmed():
    text = "\u200b Take 1\u202e0 tablets\u2066 a day\u2069 \n"
    assert clean_text(text, required=True) == "Take 10 tablets a day"
    assert not set(clean_text(text, required=True)) & BIDI_CONTROLS


def test_a_nul_is_refused_and_lengths_are_checked():
    with pytest.raises(ValidationError, match="Null characters"):
        clean_text("abc\x00def", required=False)
    with pytest.raises(ValidationError, match="at least 5"):
        clean_text(" ab\u200b ", required=True, min_length=5)
    with pytest.raises(ValidationError, match="at most 3"):
        clean_text("abcd", required=True, max_length=3)
    # Emoji joined with a zero-width joiner keep it: it is inside the text, not at an end.
    assert (
        clean_text("ok \U0001f469\u200d\U0001f4bb", required=True)
        == "ok \U0001f469\u200d\U0001f4bb"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "ab",
        "  abcd  ",
        "abcde",
        " abcde\u200b",
        INVISIBLE * 3,
        "a\x00bcdef",
        "x" * 21,
        "\u202eabcd",
        "\U000e0041\U000e0042",
    ],
)
def test_the_schema_takes_exactly_what_the_rule_takes(text):
    """The API publishes the rule as a JSON Schema; a client that trusts it is never refused."""
    for required, least in ((True, 5), (True, None), (False, None)):
        schema = json_schema(required=required, min_length=least, max_length=20)
        if not required:
            schema = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
        valid = jsonschema.Draft7Validator(schema).is_valid(text)
        try:
            clean_text(text, required=required, min_length=least, max_length=20)
        except ValidationError:
            taken = False
        else:
            taken = True
        assert valid == taken, (text, required, least)


def test_the_patterns_compile_as_python_regular_expressions():
    schema = json_schema(required=True, min_length=10)
    re.compile(schema["pattern"])
    re.compile(schema["not"]["pattern"])


@pytest.mark.django_db
def test_a_form_and_the_api_clean_a_follow_up_alike(alice):
    form = FollowUpForm({"body": "\u200b Thanks,\u202e doctor \u2069"})
    assert form.is_valid()
    assert form.cleaned_data["body"] == "Thanks, doctor"
    assert not FollowUpForm({"body": INVISIBLE}).is_valid()
    question = make_question(author=alice, status=Status.ANSWERED)
    url = reverse("api:followup-list", args=[question.pk])
    refused = api_client(alice).post(url, {"body": INVISIBLE}, format="json")
    assert refused.status_code == 400
    assert "invisible" in refused.json()["body"][0]
    posted = api_client(alice).post(url, {"body": "Thanks,\u202e doctor"}, format="json")
    assert posted.status_code == 201
    assert FollowUp.objects.get(pk=posted.json()["id"]).body == "Thanks, doctor"


@pytest.mark.django_db
def test_a_title_or_body_of_invisible_characters_is_refused_with_a_field_message(client, alice):
    client.force_login(alice)
    fields = {"age_years": 30, "sex": "female", "asking_for": "self"}
    body = "My calf has twitched for three weeks, mostly in the evening."
    response = client.post(
        reverse("forum:question-create"), {**fields, "title": INVISIBLE * 3, "body": body}
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.content.decode()
    response = client.post(
        reverse("forum:question-create"),
        {**fields, "title": "Calf twitching for weeks", "body": INVISIBLE * 10},
    )
    assert response.status_code == 400
    assert not Question.objects.exists()
    api = api_client(alice).post(
        reverse("api:question-list"),
        {**fields, "title": INVISIBLE * 3, "body": body},
        format="json",
    )
    assert api.status_code == 400
    assert "title" in api.json()


@pytest.mark.django_db
def test_a_posted_question_is_stored_without_bidirectional_controls(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("forum:question-create"),
        {
            "title": "Calf \u202etwitching\u202c for weeks",
            "body": "My calf has twitched for three \u2066weeks\u2069, mostly in the evening.",
            "medicines": "\u202eIbuprofen",
            "age_years": 30,
            "sex": "female",
            "asking_for": "self",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.title == "Calf twitching for weeks"
    assert "\u2066" not in question.body and "\u2069" not in question.body
    assert question.medicines == "Ibuprofen"
