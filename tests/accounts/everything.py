"""One person with every kind of data the site holds, and a search of every table for them.

Vera is a verified neurologist who also asks questions of her own: public, private and waiting
on her reply; she follows up, is notified, has a second e-mail address, two-factor with recovery
codes, an API token and sessions on several devices. As a doctor she answers, asks for more
information, corrects a triage, re-routes and holds a claim. Moderators edited her things in the
admin (its log names them) and hid some (audit events describe them).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test import Client, RequestFactory

from accounts import services as account_services
from accounts.models import User
from forum import services
from forum.models import AuditEvent, Notification, Question, Specialty, Status
from tests.factories import api_client, make_doctor, make_question

# Each text carries a made-up word ("vqz…") that a search index keeps as it is, even stemmed.
TEXTS = {
    "public title": "Calf twitching vqzalpha after long runs",
    "public body": "My calves twitch vqzbravo at night after long runs, no weakness.",
    "private title": "Crushing chest pain vqzcharlie right now",
    "private body": "Crushing chest pain vqzdelta spreading to my left arm, sweating and sick.",
    "private medicines": "Quillomab vqzecho 20 mg",
    "waiting title": "Numb fingers vqzfoxtrot in the morning",
    "waiting body": "My fingers are numb vqzgolf every morning for two weeks, worse on the left.",
    "follow-up": "Thank you vqzhotel, the twitching settled after a week.",
    "reply": "No weakness vqzindia at all, only the numbness in the morning.",
    "info request": "Does the knee swell vqzjuliet after walking or at rest?",
    "answer given": "Knee pain like this vqzkilo is usually a strained ligament; rest it.",
    "correction reason": "Night pain vqzlima and weight loss need a prompt look.",
    "reroute reason": "This is a shoulder vqzmike problem, not a nerve one.",
    "bio": "Neurologist vqznovember in Quillsby since 2009.",
}
# What the site keeps on purpose after the account is gone (docs/security.md says why):
# a doctor's published answer, signed with their display name, and the notification telling
# the patient who answered; the reasons a doctor gave for changing another patient's triage
# or queue, kept with that question's history, no longer signed.
KEPT: dict[tuple[str, str], set[str]] = {
    ("forum.answer", "body"): {"answer given"},
    ("forum.answer", "public_body"): {"answer given"},  # its public copy
    ("forum.answer", "doctor_name"): {"display name"},
    ("forum.notification", "message"): {"display name"},
    ("forum.assessment", "reason"): {"correction reason"},
    ("forum.auditevent", "reason"): {"correction reason", "reroute reason"},
}
PASSWORD = "a-long-test-password"


@dataclasses.dataclass
class Everything:
    vera: User
    alice: User
    other_doctor: User
    moderator: User
    clients: list[Client]
    needles: dict[str, str]
    answered_for_alice: Question
    held_for_alice: Question
    doomed: dict[str, set[str]]  # model label -> primary keys the deletion removes


def _request_as(user: User) -> Any:
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def make_everything(*, alice: User, moderator: User) -> Everything:
    other_doctor = make_doctor(email="other-doctor@example.test")
    vera = make_doctor(email="vera.quillfeather@example.test", birth_year=1979)
    profile = vera.doctor_profile
    profile.display_name = "Dr. Vera Quillfeather"
    profile.licence_number = "LIC-VQZ-7731"
    profile.bio = TEXTS["bio"]
    profile.save()
    EmailAddress.objects.create(
        user=vera, email="vera.private@example.test", verified=True, primary=False
    )
    RecoveryCodes.activate(vera)
    api_client(vera)  # an API token

    # Her own questions: public and answered, private (an emergency: others were alerted with
    # its title), and one waiting on her reply to another doctor.
    public = make_question(
        author=vera,
        status=Status.ANSWERED,
        answered_by=other_doctor,
        title=TEXTS["public title"],
        body=TEXTS["public body"],
        age_years=46,
        index=True,
    )
    services.followup_create(author=vera, question=public, body=TEXTS["follow-up"])
    services.followup_create(author=other_doctor, question=public, body="Glad to hear it.")
    private = services.question_create(
        author=vera,
        title=TEXTS["private title"],
        body=TEXTS["private body"],
        age_years=46,
        sex="female",
        medicines=TEXTS["private medicines"],
        is_private=True,
    )
    services.question_triage(question_id=private.pk)
    waiting = services.question_create(
        author=vera,
        title=TEXTS["waiting title"],
        body=TEXTS["waiting body"],
        age_years=46,
        sex="female",
        specialty=Specialty.objects.get(slug="neurology"),
    )
    services.question_triage(question_id=waiting.pk)
    services.question_claim(doctor=other_doctor, question_id=waiting.pk)
    services.question_request_info(
        doctor=other_doctor, question_id=waiting.pk, message="Any weakness in the hand?"
    )
    services.question_reply_info(author=vera, question_id=waiting.pk, message=TEXTS["reply"])

    # As a doctor, on Alice's questions.
    answered = make_question(author=alice, status=Status.QUEUED, title="Alice's sore knee")
    services.question_claim(doctor=vera, question_id=answered.pk)
    services.answer_create(doctor=vera, question=answered, body=TEXTS["answer given"])
    asked = make_question(author=alice, status=Status.QUEUED, title="Alice's swollen knee")
    services.question_claim(doctor=vera, question_id=asked.pk)
    services.question_request_info(doctor=vera, question_id=asked.pk, message=TEXTS["info request"])
    corrected = make_question(author=alice, status=Status.QUEUED, title="Alice's night pain")
    services.assessment_correct(
        doctor=vera, question_id=corrected.pk, urgency="soon", reason=TEXTS["correction reason"]
    )
    rerouted = make_question(author=alice, status=Status.QUEUED, title="Alice's shoulder")
    services.question_reroute(
        doctor=vera,
        question_id=rerouted.pk,
        specialty=Specialty.objects.get(slug="orthopedics"),
        reason=TEXTS["reroute reason"],
    )
    held = make_question(author=alice, status=Status.QUEUED, title="Alice's tingling toes")
    services.question_claim(doctor=vera, question_id=held.pk)

    # Moderators at work: the admin log names her things, audit events describe them.
    account_services.doctor_verify(
        moderator=moderator, profile=profile, note="Licence LIC-VQZ-7731 checked by phone."
    )
    services.question_hide(
        moderator=moderator, question=private, reason=f"Repeats '{TEXTS['private title']}'."
    )
    followup = public.followups.get(author=vera)
    services.followup_hide(moderator=moderator, followup=followup, reason="Quotes vqzhotel.")
    request = _request_as(moderator)
    changed = [{"changed": {"fields": ["Title"]}}]
    for obj in (
        private,
        public,
        vera,
        profile,
        followup,
        Notification.objects.filter(user=vera)[0],
    ):
        admin.site._registry[type(obj)].log_change(request, obj, changed)

    # Sessions: logged in on two devices, half-way through a log-in on a third, and a
    # password-reset stash holding her second address. Alice's own session must stay.
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(vera)
        clients.append(client)
    half = SessionStore()
    half["account_login"] = {"user_pk": str(vera.pk), "state": {}}
    half.create()
    stash = SessionStore()
    stash["account_password_reset_by_code"] = {"email": "vera.private@example.test"}
    stash.create()
    Client().force_login(alice)

    needles = {
        **TEXTS,
        "e-mail": vera.email,
        "second e-mail": "vera.private@example.test",
        "pseudonym": vera.pseudonym,
        "display name": profile.display_name,
        "licence": profile.licence_number,
    }
    collector = NestedObjects(using="default")
    collector.collect([vera])
    doomed = {
        model._meta.label_lower: {str(obj.pk) for obj in objs}
        for model, objs in collector.data.items()
    }
    return Everything(
        vera=vera,
        alice=alice,
        other_doctor=other_doctor,
        moderator=moderator,
        clients=clients,
        needles=needles,
        answered_for_alice=answered,
        held_for_alice=held,
        doomed=doomed,
    )


# --- The search ---------------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return json.dumps(value, default=str, ensure_ascii=False)


def _session_texts() -> Iterator[tuple[str, dict[str, Any]]]:
    for session in Session.objects.all():
        yield session.session_key, session.get_decoded()


def find_traces(
    *, user_id: int, needles: dict[str, str], doomed: dict[str, set[str]]
) -> set[tuple[str, str, str]]:
    """Every place the person still shows: (model label or table, column, what was found).

    Searched: every text, char and JSON column of every installed model (auto-created link
    tables too), every session decoded, every table no model owns (search indexes), every
    foreign key to an account, every generic pointer (content type and object id) and every
    audit event's target."""
    found: set[tuple[str, str, str]] = set()
    lowered = {name: value.lower() for name, value in needles.items()}

    def search(where: str, column: str, text: str) -> None:
        text = text.lower()
        for name, needle in lowered.items():
            if needle in text:
                found.add((where, column, name))

    owned: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        owned.add(meta.db_table)
        if meta.proxy:
            continue
        label = meta.label_lower
        fields = [f for f in meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if model is Session:
            for key, data in _session_texts():
                search(label, "session_data", _as_text(data))
                login = data.get("account_login") or {}
                if user_id is not None and str(user_id) in (
                    data.get(SESSION_KEY),
                    data.get("account_authentication_methods_user"),
                    login.get("user_pk") if isinstance(login, dict) else None,
                ):
                    found.add((label, "session_data", f"account id in session {key[:6]}"))
            continue
        if fields:
            names = [f.attname for f in fields]
            for row in model._base_manager.values_list(*names):
                for name, value in zip(names, row, strict=True):
                    search(label, name, _as_text(value))
        for field in meta.concrete_fields:
            points_here = field.is_relation and field.related_model is User
            if points_here and model._base_manager.filter(**{field.attname: user_id}).exists():
                found.add((label, field.attname, "account id"))
        if {"content_type", "object_id"} <= {f.name for f in meta.concrete_fields}:
            for ct_id, object_id in model._base_manager.values_list("content_type", "object_id"):
                if ct_id is None:
                    continue
                target = ContentType.objects.get_for_id(ct_id).model_class()
                if target and str(object_id) in doomed.get(target._meta.label_lower, set()):
                    found.add((label, "object_id", f"id of a deleted {target._meta.model_name}"))
    targets = {"question": "forum.question", "answer": "forum.answer"}
    targets |= {"followup": "forum.followup", "doctor": "accounts.doctorprofile"}
    for target_type, target_id in AuditEvent.objects.values_list("target_type", "target_id"):
        if str(target_id) in doomed.get(targets.get(target_type, ""), set()):
            found.add(("forum.auditevent", "target_id", f"id of a deleted {target_type}"))
    quote = connection.ops.quote_name
    for table in connection.introspection.table_names():
        if table in owned:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    search(table, column, _as_text(value))
    return found


def unexpected(found: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    return {hit for hit in found if hit[2] not in KEPT.get((hit[0], hit[1]), set())}
