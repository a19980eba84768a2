"""Every HTML form of the site, fuzzed with Hypothesis: random and hostile values (huge and
negative numbers, digits that are not ASCII, NUL characters, very long texts, zero-width and
bidirectional characters, JSON-looking nests, several values where one is expected, fields the
form does not have) must never give a server error.

The forms are found, not listed: each page a role can reach is rendered, and every `<form>` in
it (its method, action and field names) is fuzzed as that role. `test_every_form_view_is_fuzzed`
holds the page list to the URLconf: a view that takes a POST and no page shows its form fails it.
Deterministic (Hypothesis derandomized, no example database), like the API fuzz test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import ApiToken, User
from forum import services
from forum.models import Notification, NotificationKind, Question, Status
from tests.factories import make_doctor, make_moderator, make_question, make_user

# Transactional: on PostgreSQL a failed query would spoil the rest of a test's transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("specialties"),
]

EXAMPLES_PER_FORM = 40
# Forms that would end the session the rest of the run needs.
SKIPPED_ACTIONS = {"/accounts/logout/", "/admin/logout/"}

TWITCH = "My left calf has been twitching for three weeks, mostly in the evening when I rest."


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.action} (from {self.page}: {', '.join(self.fields)})"


class _Forms(HTMLParser):
    """The forms in a page, with the names of their fields (the CSRF token left out)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = values.get("action") or self.page
            self._open = Form(
                page=self.page, method=values.get("method", "get").lower(), action=action
            )
        elif self._open is not None and tag in {"input", "select", "textarea", "button"}:
            name = values.get("name", "")
            if name and name != "csrfmiddlewaretoken" and name not in self._open.fields:
                self._open.fields.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open is not None:
            self.forms.append(self._open)
            self._open = None


@dataclass(frozen=True)
class Site:
    users: dict[str, User | None]
    pages: dict[str, list[str]]


def _seed() -> Site:
    """A patient with a question in every state a form hangs on, a doctor holding a claim, a
    moderator, and the pages each of them can reach."""
    patient = make_user(email="forms-patient@example.test")
    doctor = make_doctor(email="forms-doctor@example.test")
    moderator = make_moderator()

    def ask(title: str) -> Question:
        question = services.question_create(
            author=patient, title=title, body=TWITCH, age_years=30, sex="female"
        )
        question.refresh_from_db()
        return question

    claimed, needs_info, answered = (
        ask("Calf twitch one"),
        ask("Calf twitch two"),
        ask("Calf three"),
    )
    queued = ask("Calf twitch four")
    for question in (claimed, needs_info, answered):
        services.question_claim(doctor=doctor, question_id=question.pk)
    services.question_request_info(
        doctor=doctor, question_id=needs_info.pk, message="Any weakness climbing the stairs?"
    )
    services.answer_create(
        doctor=doctor,
        question=Question.objects.get(pk=answered.pk),
        body="Twitching like this with no weakness is very often benign; cut down on coffee.",
    )
    make_question(status=Status.ANSWERED, title="Archived twitching question")
    ApiToken.objects.create(user=patient)  # the tokens page shows its forms
    Notification.objects.create(user=patient, kind=NotificationKind.ANSWERED, message="Answered.")

    account = ["/accounts/password/change/", "/accounts/email/"]
    return Site(
        users={"anonymous": None, "patient": patient, "doctor": doctor, "moderator": moderator},
        pages={
            "anonymous": [
                "/",
                reverse("account_login"),
                reverse("account_signup"),
                reverse("account_reset_password"),
                reverse("account_email_verification_sent"),
            ],
            "patient": [
                "/",
                reverse("forum:question-create"),
                reverse("forum:notifications"),
                reverse("forum:question-detail", args=[answered.pk]),
                reverse("forum:question-detail", args=[needs_info.pk]),
                reverse("accounts:profile"),
                reverse("accounts:doctor-apply"),
                reverse("accounts:delete"),
                reverse("accounts:tokens"),
                *account,
            ],
            "doctor": [
                reverse("forum:queue"),
                reverse("forum:question-detail", args=[queued.pk]),
                reverse("forum:question-detail", args=[claimed.pk]),
                reverse("forum:question-detail", args=[answered.pk]),
                *account,
            ],
            "moderator": [
                reverse("forum:question-detail", args=[claimed.pk]),
                "/admin/forum/question/",
                "/admin/accounts/user/",
                "/admin/accounts/doctorprofile/",
            ],
        },
    )


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _forms(client: Client, page: str) -> list[Form]:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    parser = _Forms(page)
    parser.feed(response.content.decode())
    return [form for form in parser.forms if urlsplit(form.action).path not in SKIPPED_ACTIONS]


# Scalars a form field might get: whole numbers of any size, digits that are not ASCII (int()
# reads some of them, str.isdigit() takes more), NUL, blank and bidirectional characters, long
# texts, JSON-looking nests, and random text.
_NUMBERS = st.integers(min_value=-(10**40), max_value=10**40).map(str)
_HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "NaN",
        "null",
        "true",
        "²",
        "١٢٣",
        "߁",
        "Ⅻ",
        "9" * 20,
        "1" + "0" * 19,
        "\x00",
        "1\x00",
        "neuro\x00logy",
        "\u200b" * 12,
        "\u3164\u2800\u200d\ufeff" * 5,
        "\u202eevil\u202c",
        "\u2066" * 3,
        "\ud7ff\U0010ffff",
        "[" * 2000 + "]" * 2000,
        json.dumps({"a": [{"b": [1, 2]}]}),
        "x" * 25_000,
        "é" * 10_001,
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "neurology",
        "emergency",
        "self",
        "female",
        "1-4 weeks",
    ]
)
_SCALAR = st.one_of(_HOSTILE, _NUMBERS, st.text(max_size=60), st.text(min_size=200, max_size=600))
# A list where a scalar is expected (a field sent several times).
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, min_size=0, max_size=4))
_EXTRA_NAMES = st.sampled_from(["id", "ids[]", "title[a][b]", "\x00", "specialty", "page", "q"])


def _payloads(form: Form) -> st.SearchStrategy[dict[str, Any]]:
    known = st.fixed_dictionaries({}, optional={name: _VALUE for name in form.fields})
    extra = st.dictionaries(_EXTRA_NAMES, _VALUE, max_size=2)
    return st.tuples(known, extra).map(lambda both: {**both[1], **both[0]})


def _send(client: Client, form: Form, data: dict[str, Any]) -> Any:
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


def _fuzz(client: Client, form: Form) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=_payloads(form))
    def run(data: dict[str, Any]) -> None:
        response = _send(client, form, data)
        assert response.status_code < 500, (str(form), data, response.status_code)

    run()


@pytest.mark.parametrize("role", ["anonymous", "patient", "doctor", "moderator"])
def test_no_form_gives_a_server_error(role, settings):
    # Log-in and sign-up limits would answer most of the run with 429s (never a 500 either).
    settings.ACCOUNT_RATE_LIMITS = False
    site = _seed()
    client = _client(site.users[role])
    forms = [form for page in site.pages[role] for form in _forms(client, page)]
    assert forms, role
    for form in forms:
        _fuzz(client, form)
        # The run must not have logged the role out: its later forms would only redirect.
        if site.users[role] is not None:
            assert client.session.get("_auth_user_id"), str(form)


# The site's own pages that only show things (GET); every other view takes a form's POST.
SHOW_ONLY = {"question-list", "question-detail", "my-questions", "queue", "export", "notifications"}


def _views_taking_post() -> Iterator[str]:
    resolver = get_resolver()
    for namespace in ("forum", "accounts"):
        for pattern in resolver.namespace_dict[namespace][1].url_patterns:
            if isinstance(pattern, URLPattern) and pattern.name not in SHOW_ONLY:
                yield f"{namespace}:{pattern.name}"


def test_every_form_view_is_fuzzed():
    site = _seed()
    fuzzed = set()
    for role, pages in site.pages.items():
        client = _client(site.users[role])
        for page in pages:
            for form in _forms(client, page):
                match = resolve(urlsplit(form.action).path)
                if match.namespace in {"forum", "accounts"}:
                    fuzzed.add(f"{match.namespace}:{match.url_name}")
    assert set(_views_taking_post()) - fuzzed == set()
