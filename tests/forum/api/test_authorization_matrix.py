"""Every API endpoint, method and role, on objects owned by the patient "owner".

The rows are checked against the `api` URL list: an endpoint or method without a row fails
`test_every_endpoint_and_method_has_a_row`, so a new endpoint cannot ship unchecked. Each cell
runs in a fresh world (its own questions, claims and notifications), so a write by one role
never decides another role's outcome.

Roles, in column order: anonymous, the owner (a patient), another patient, a doctor whose
application is not verified yet, a verified doctor (neurology, two-factor on), a moderator.
Objects: `private` is the owner's private question waiting in the neurology queue; `public`
is the owner's question answered by the verified doctor; `claimed` is `private` claimed by the
verified doctor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import DoctorStatus, User
from forum import services
from forum.models import Notification, NotificationKind, Question, Status
from tests.factories import api_client, make_doctor, make_moderator, make_question, make_user

ROLES = ("anonymous", "owner", "other_patient", "unverified_doctor", "doctor", "moderator")
PASSWORD = "a-long-test-password"
ASK = {
    "title": "Eyelid twitching for two weeks",
    "body": "My left eyelid has twitched on and off for two weeks, worse when I am tired.",
    "age_years": 30,
    "sex": "female",
}


@dataclass
class World:
    users: dict[str, User | None]
    private: Question
    public: Question

    def obj(self, name: str) -> Question:
        return self.public if name == "public" else self.private


def build_world(*, claimed: bool) -> World:
    owner = make_user(email="owner@example.test")
    doctor = make_doctor(email="doctor@example.test")
    users: dict[str, User | None] = {
        "anonymous": None,
        "owner": owner,
        "other_patient": make_user(email="other@example.test"),
        "unverified_doctor": make_doctor(
            email="unverified@example.test", status=DoctorStatus.PENDING
        ),
        "doctor": doctor,
        "moderator": make_moderator(),
    }
    private = make_question(author=owner, status=Status.SUBMITTED, is_private=True)
    services.question_triage(question_id=private.pk)
    public = make_question(author=owner, status=Status.ANSWERED, answered_by=doctor)
    if claimed:
        services.question_claim(doctor=doctor, question_id=private.pk)
    for user in users.values():
        if user is not None:
            Notification.objects.create(
                user=user, kind=NotificationKind.FOLLOW_UP, question=public, message="Hello"
            )
    return World(users=users, private=private, public=public)


Body = Callable[[World, str], dict[str, Any]]


def no_body(world: World, role: str) -> dict[str, Any]:
    return {}


def fixed(data: dict[str, Any]) -> Body:
    return lambda world, role: data


@dataclass(frozen=True)
class Row:
    """Expected status per role (ROLES order) for one endpoint, method and object."""

    expected: tuple[int, int, int, int, int, int]
    obj: str = ""  # "private", "public" or "claimed"; "" for endpoints without an object
    body: Body = no_body
    kind: str = ""  # the moderation URL's kind of post
    after: Callable[[World, str, int], None] | None = field(default=None)


OK, CREATED, GONE = 200, 201, 204
ALL_OK = (OK,) * 6
PATIENT_OR_MORE = (401, OK, OK, OK, OK, OK)
DOCTOR_ONLY = (401, 403, 403, 403, OK, 403)
MODERATOR_ONLY = (401, 403, 403, 403, 403, OK)
# Owner, verified doctor and moderator see the private question; everyone else gets a 404.
PRIVATE_READ = (404, OK, 404, 404, OK, OK)


def _still_there(world: World, role: str, status: int) -> None:
    # A refused edit or delete changed nothing.
    if status >= 400:
        fresh = Question.objects.filter(pk=world.private.pk).first()
        assert fresh is not None and fresh.title == world.private.title


MATRIX: dict[str, Row] = {
    "schema GET": Row(ALL_OK),
    "docs GET": Row(ALL_OK),
    "token POST": Row(ALL_OK, body=fixed({"email": "owner@example.test", "password": PASSWORD})),
    "token DELETE": Row((401, GONE, GONE, GONE, GONE, GONE)),
    "token-list GET": Row(PATIENT_OR_MORE),
    "token-list DELETE": Row((401, GONE, GONE, GONE, GONE, GONE)),
    # A key that is nobody's token (the path takes a token's first characters, not an id).
    "token-detail DELETE": Row((401, 404, 404, 404, 404, 404), obj="private"),
    "specialty-list GET": Row(ALL_OK),
    "question-list GET": Row(ALL_OK),
    "question-list POST": Row((401, CREATED, CREATED, CREATED, CREATED, CREATED), body=fixed(ASK)),
    "question-detail GET[private]": Row(PRIVATE_READ, obj="private"),
    "question-detail GET[public]": Row(ALL_OK, obj="public"),
    "question-detail PATCH[private]": Row(
        (401, OK, 404, 404, 403, 403),
        obj="private",
        body=fixed({"title": "Eyelid and cheek twitching"}),
        after=_still_there,
    ),
    "question-detail PATCH[public]": Row(
        (401, 409, 403, 403, 403, 403), obj="public", body=fixed({"title": "A brand new title"})
    ),
    "question-detail DELETE[private]": Row(
        (401, GONE, 404, 404, 403, 403), obj="private", after=_still_there
    ),
    "question-detail DELETE[public]": Row((401, 409, 403, 403, 403, 403), obj="public"),
    "followup-list GET[private]": Row(PRIVATE_READ, obj="private"),
    "followup-list GET[public]": Row(ALL_OK, obj="public"),
    # Follow-ups open once a doctor answered: the owner's is refused as out of turn (409).
    "followup-list POST[private]": Row(
        (401, 409, 404, 404, 403, 403), obj="private", body=fixed({"body": "Any news?"})
    ),
    # Under an answer: the asker and the answering doctor only.
    "followup-list POST[public]": Row(
        (401, CREATED, 403, 403, CREATED, 403), obj="public", body=fixed({"body": "Thank you!"})
    ),
    "similar-list GET[private]": Row(PRIVATE_READ, obj="private"),
    "similar-list GET[public]": Row(ALL_OK, obj="public"),
    "queue GET": Row(DOCTOR_ONLY),
    "queue-claim POST": Row(DOCTOR_ONLY, obj="private"),
    "queue-release POST": Row((401, 403, 403, 403, GONE, 403), obj="claimed"),
    "queue-answer POST": Row(
        (401, 403, 403, 403, CREATED, 403),
        obj="claimed",
        body=fixed({"body": "Eyelid twitching with tiredness is almost always benign."}),
    ),
    "queue-request-info POST": Row(
        (401, 403, 403, 403, CREATED, 403),
        obj="claimed",
        body=fixed({"message": "Does anything else twitch, or only the eyelid?"}),
    ),
    "queue-reroute POST": Row(
        DOCTOR_ONLY,
        obj="private",
        body=fixed({"specialty": "ophthalmology", "reason": "Eyelid: ophthalmology."}),
    ),
    "queue-correct-triage POST": Row(
        DOCTOR_ONLY,
        obj="private",
        body=fixed({"urgency": "routine", "reason": "Benign from the description."}),
    ),
    "notification-list GET": Row(PATIENT_OR_MORE),
    "notification-read POST": Row(PATIENT_OR_MORE),
    "me GET": Row(PATIENT_OR_MORE),
    "me PATCH": Row(PATIENT_OR_MORE, body=fixed({"birth_year": 1990})),
    "me-export GET": Row(PATIENT_OR_MORE),
    "me-delete POST": Row((401, GONE, GONE, GONE, GONE, GONE), body=fixed({"password": PASSWORD})),
    "moderation-hide POST[questions]": Row(
        MODERATOR_ONLY, obj="public", kind="questions", body=fixed({"reason": "Has a name"})
    ),
    "moderation-hide POST[answers]": Row(
        MODERATOR_ONLY, obj="public", kind="answers", body=fixed({"reason": "Has a name"})
    ),
    "moderation-restore POST[questions]": Row(
        MODERATOR_ONLY, obj="public", kind="questions", body=fixed({"reason": "Name removed"})
    ),
    "moderation-overview GET": Row(MODERATOR_ONLY),
    "triage-preview POST": Row(ALL_OK, body=fixed({"body": "My eyelid twitches."})),
    "similar-preview POST": Row(ALL_OK, body=fixed({"body": "My eyelid twitches at night."})),
}


def _api_endpoints() -> set[str]:
    """'name METHOD' for every method each view of the `api` namespace implements."""
    found: set[str] = set()
    resolver = get_resolver().namespace_dict["api"][1]
    for pattern in resolver.url_patterns:
        assert not isinstance(pattern, URLResolver), "nested API includes need rows too"
        assert isinstance(pattern, URLPattern) and pattern.name, pattern
        view = pattern.callback
        cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
        assert cls is not None, f"{pattern.name} is not a class-based view"
        for method in cls.http_method_names:
            if method in {"options", "head"} or not hasattr(cls, method):
                continue
            found.add(f"{pattern.name} {method.upper()}")
    return found


def test_every_endpoint_and_method_has_a_row():
    covered = {key.split("[")[0] for key in MATRIX}
    assert _api_endpoints() - covered == set(), "add a row for each new endpoint or method"
    assert covered - _api_endpoints() == set(), "a row for an endpoint that no longer exists"


def _url(key: str, row: Row, world: World) -> str:
    name = key.split(" ")[0]
    args: list[Any] = []
    if row.kind:
        pk = world.public.answer.pk if row.kind == "answers" else world.public.pk
        args = [row.kind, pk]
    elif row.obj:
        args = [world.obj(row.obj).pk]
    return reverse(f"api:{name}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", list(MATRIX))
def test_access(key: str, role: str) -> None:
    row = MATRIX[key]
    world = build_world(claimed=row.obj == "claimed")
    method = key.split(" ")[1].split("[")[0].lower()
    api = api_client(world.users[role])
    url = _url(key, row, world)
    data = row.body(world, role)
    response = getattr(api, method)(url, data, format="json") if data else getattr(api, method)(url)
    expected = row.expected[ROLES.index(role)]
    assert response.status_code == expected, (key, role, response.status_code, response.content)
    if row.after is not None:
        row.after(world, role, response.status_code)


@pytest.mark.django_db
def test_lists_never_leak_what_a_role_may_not_open():
    world = build_world(claimed=False)
    for role in ("anonymous", "other_patient", "unverified_doctor"):
        api = api_client(world.users[role])
        listed = {q["id"] for q in api.get(reverse("api:question-list")).json()["results"]}
        assert world.private.pk not in listed and world.public.pk in listed
        similar = api.get(reverse("api:similar-list", args=[world.public.pk])).json()
        assert world.private.pk not in {item["id"] for item in similar}
        if role != "anonymous":
            notes = api.get(reverse("api:notification-list")).json()["results"]
            assert {n["id"] for n in notes} == set(
                Notification.objects.filter(user=world.users[role]).values_list("pk", flat=True)
            )
