"""Every page as its owner, another patient, a verified doctor, a moderator and anonymous.

The table covers every named GET page of the forum and accounts apps; a new page without a row
fails `test_every_page_has_a_row`.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from forum import services
from forum.models import Status
from tests.factories import make_question
from tests.html_checks import duplicate_ids, labels_without_field

LOGIN = "login"
# page name -> expected outcome for: anonymous, owner, other patient, doctor, moderator
MATRIX: dict[str, tuple[object, object, object, object, object]] = {
    "forum:question-list": (200, 200, 200, 200, 200),
    "forum:question-create": (LOGIN, 200, 200, 200, 200),
    "forum:my-questions": (LOGIN, 200, 200, 200, 200),
    "forum:notifications": (LOGIN, 200, 200, 200, 200),
    "forum:question-detail[private]": (404, 200, 404, 200, 200),
    "forum:question-detail[public]": (200, 200, 200, 200, 200),
    "forum:queue": (LOGIN, 403, 403, 200, 403),
    "accounts:profile": (LOGIN, 200, 200, 200, 200),
    "accounts:doctor-apply": (LOGIN, 200, 200, 302, 302),
    "accounts:export": (LOGIN, 200, 200, 200, 200),
    "accounts:tokens": (LOGIN, 200, 200, 200, 200),
    "accounts:delete": (LOGIN, 200, 200, 200, 200),
}
# Pages that only accept POST; their access is tested with their actions.
POST_ONLY = {
    "forum:notifications-read",
    "forum:followup-create",
    "forum:info-reply",
    "forum:claim",
    "forum:release",
    "forum:answer-create",
    "forum:request-info",
    "forum:reroute",
    "forum:correct-triage",
    "accounts:resend-confirmation",
}


def _named_pages() -> set[str]:
    names = set()
    for namespace in ("forum", "accounts"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_page_has_a_row():
    covered = {name.split("[")[0] for name in MATRIX} | POST_ONLY
    assert _named_pages() - covered == set()


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(MATRIX))
def test_page_access(client, page, alice, bob, doctor, moderator):
    private = make_question(author=alice, status=Status.SUBMITTED, is_private=True)
    services.question_triage(question_id=private.pk)
    public = make_question(author=alice, status=Status.ANSWERED)
    name = page.split("[")[0]
    args = [private.pk] if page.endswith("[private]") else [public.pk] if "[" in page else []
    url = reverse(name, args=args)
    for user, expected in zip((None, alice, bob, doctor, moderator), MATRIX[page], strict=True):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        if expected == LOGIN:
            assert response.status_code == 302, (page, user)
            assert reverse("account_login") in response["Location"], (page, user)
        else:
            assert response.status_code == expected, (page, user, response.status_code)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            # Every id once, every label pointing at a field: a label reaches its own field.
            html = response.content.decode()
            assert duplicate_ids(html) == [], (page, user)
            assert labels_without_field(html) == [], (page, user)
