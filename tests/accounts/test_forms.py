"""Forms: errors below their field everywhere (allauth's forms included), no pre-set sex at
sign-up, one id per field on the doctor's question page, and a "send the link again" button on
the "Verify your e-mail" page (allauth's rate limit applies)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from forum import services
from forum.models import Status
from tests.factories import make_question
from tests.html_checks import duplicate_ids, labels_without_field

pytestmark = pytest.mark.django_db
SIGNUP = {
    "email": "new@example.test",
    "password1": "a-very-good-passphrase",
    "password2": "a-very-good-passphrase",
    "birth_year": "1990",
    "sex": "male",
}


class _Fields(HTMLParser):
    """Each `.field` block's parts in document order: ("field", name) or ("error", text)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[list[tuple[str, str]]] = []
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "div" and "field" in classes:
            self.blocks.append([])
        elif self.blocks and tag in {"input", "select", "textarea"} and values.get("name"):
            self.blocks[-1].append(("field", str(values["name"])))
        elif self.blocks and tag == "p" and "error" in classes:
            self._in_error = True

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self.blocks[-1].append(("error", data.strip()))
            self._in_error = False


def _errors_by_field(html: str) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(html)
    found: dict[str, list[str]] = {}
    for block in parser.blocks:
        names = [value for kind, value in block if kind == "field"]
        for kind, value in block:
            if kind == "error":
                # Below the field: the error comes after the field's own input in its block.
                assert names and block.index((kind, value)) > block.index(("field", names[0]))
                found.setdefault(names[0], []).append(value)
    return found


def test_sign_up_errors_are_below_their_fields(client):
    html = client.post(
        reverse("account_signup"),
        {**SIGNUP, "password2": "something-else-entirely", "birth_year": "2030", "sex": ""},
    ).content.decode()
    errors = _errors_by_field(html)
    assert set(errors) == {"password2", "birth_year", "sex"}, errors
    assert errors["sex"] == ["This field is required."]
    # Nothing is listed above the fields as Django's as_p() does.
    assert '<ul class="errorlist"' not in html.split('name="email"')[0]


def test_log_in_errors_use_the_same_layout(client):
    html = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert set(_errors_by_field(html)) == {"login", "password"}


def test_the_sex_has_no_default_at_sign_up(client):
    html = client.get(reverse("account_signup")).content.decode()
    select = re.search(r'<select name="sex"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0] == '<option value="" selected>'
    assert all("selected" not in option for option in options[1:])
    assert "required" in select.group(0)


def test_the_doctors_two_reason_fields_have_their_own_ids_and_labels(client, alice, doctor):
    question = make_question(author=alice, status=Status.SUBMITTED)
    services.question_triage(question_id=question.pk)
    services.question_claim(doctor=doctor, question_id=question.pk)
    client.force_login(doctor)
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'for="id_reroute_reason"' in html and 'id="id_reroute_reason"' in html
    assert 'for="id_correct_reason"' in html and 'id="id_correct_reason"' in html
    assert 'name="reason"' in html  # the posted names are unchanged
    assert duplicate_ids(html) == []
    assert labels_without_field(html) == []


def test_a_re_route_and_a_correction_still_post_their_reason(client, alice, doctor):
    question = make_question(author=alice, status=Status.SUBMITTED)
    services.question_triage(question_id=question.pk)
    client.force_login(doctor)
    response = client.post(
        reverse("forum:correct-triage", args=[question.pk]),
        {"urgency": "urgent", "reason": "Weakness with wasting needs a quick look."},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.urgency == "urgent"


def _sign_up(client) -> str:
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    return client.get(response["Location"]).content.decode()


def test_the_verify_page_sends_the_link_again(client):
    html = _sign_up(client)
    assert f'action="{reverse("accounts:resend-confirmation")}"' in html
    assert len(mail.outbox) == 1
    response = client.post(reverse("accounts:resend-confirmation"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [SIGNUP["email"]]
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[1].body).group(1)
    client.post(reverse("account_confirm_email", args=[key]))
    assert client.get(reverse("forum:my-questions")).status_code == 200


def test_the_link_is_sent_again_at_most_once_in_three_minutes(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"confirm_email": "1/180s/key"}
    from django.core.cache import cache

    cache.clear()
    _sign_up(client)
    response = client.post(reverse("accounts:resend-confirmation"), follow=True)
    assert len(mail.outbox) == 1  # the sign-up's link was sent a moment ago
    assert "A link was sent a few minutes ago" in response.content.decode()


def test_without_a_pending_sign_up_it_asks_to_log_in(client):
    response = client.post(reverse("accounts:resend-confirmation"))
    assert response["Location"] == reverse("account_login")
    assert len(mail.outbox) == 0
    assert client.get(reverse("accounts:resend-confirmation")).status_code == 405
