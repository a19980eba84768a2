"""The schema's examples: one small forum that every operation's examples draw on, so an app
developer follows the same question from the ask form through a doctor's queue to its answer.

The triage payloads are the engine's output for these texts (engine 2.0.0, knowledge base
2026.12-23), with the possible causes cut to the ones worth showing. Evidence offsets are worked
out from the text, as the engine's are: title, blank line, body. Paginated lists get their
envelope from `Pages` (forum/api/views.py); a list operation's example is one item.
tests/forum/api/test_schema_examples.py checks every example against its schema and the codes
against the knowledge base.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

import triage
from forum.api.serializers import CAUSES_NOTE, TriageSerializer
from forum.emergency import call_now
from forum.specialties import SPECIALTIES

# The engine's versions and its advice per urgency (triage/kb/kb.yaml), as a response carries
# them: read from the engine, never copied.
ENGINE_VERSION = triage.ENGINE_VERSION
KB_VERSION = triage.kb_version()

Payload = dict[str, Any]


def _evidence(text: str, *phrases: str) -> list[Payload]:
    """Where each phrase first occurs in `text`, the way the engine reports it."""
    spans = []
    for phrase in phrases:
        start = text.index(phrase)
        spans.append({"text": phrase, "start": start, "end": start + len(phrase)})
    return spans


def _specialty(slug: str) -> Payload:
    name, description = next((n, d) for s, n, d in SPECIALTIES if s == slug)
    return {"slug": slug, "name": name, "description": description}


def _triage(
    *,
    urgency: str,
    advice: str,
    specialty: str,
    flags: list[Payload],
    causes: list[Payload],
    missing_info: list[str],
    source: str = "engine",
    reason: str = "",
) -> Payload:
    """A triage as the API sends it: the engine's keys plus what TriageSerializer adds."""
    added = TriageSerializer()
    return {
        "urgency": urgency,
        "emergency": added.get_emergency({"urgency": urgency}),
        "call_now": added.get_call_now({"urgency": urgency}),
        "advice": advice,
        "flags": flags,
        "specialty": specialty,
        "causes": causes,
        "causes_note": CAUSES_NOTE,
        "missing_info": missing_info,
        "source": source,
        "reason": reason,
        "engine_version": ENGINE_VERSION,
        "kb_version": KB_VERSION,
    }


ADVICE_EMERGENCY = triage.knowledge_base().advice["emergency"]
ADVICE_SOON = triage.knowledge_base().advice["soon"]
ADVICE_ROUTINE = triage.knowledge_base().advice["routine"]

DOCTOR = "Dr. A. Rivera"

# --- The calf twitching question (id 42): asked, queued, claimed, answered, followed up. ---

TWITCH_ASK: Payload = {
    "title": "Calf twitching for three weeks",
    "body": "My left calf has been twitching for three weeks, mostly in the evening when I rest. "
    "No weakness and no numbness. I drink four or five coffees a day and I am stressed about "
    "exams.",
    "asking_for": "self",
    "age_years": 24,
    "sex": "female",
    "duration": "1-4 weeks",
    "medicines": "",
    "specialty": None,
    "is_private": False,
}
_TWITCH_TEXT = f"{TWITCH_ASK['title']}\n\n{TWITCH_ASK['body']}"
_TWITCH_FLAGS = [
    {
        "code": "persistent_twitching",
        "label": "Twitching persisting for weeks or getting worse",
        "urgency": "soon",
        "evidence": _evidence(_TWITCH_TEXT, "twitching", "for three weeks"),
    }
]
_TWITCH_CAUSES = [
    {
        "code": "stress_anxiety",
        "label": "Stress and anxiety",
        "score": 0.98,
        "evidence": _evidence(_TWITCH_TEXT, "twitching", "stressed", "exams"),
    },
    {
        "code": "caffeine_stimulants",
        "label": "Caffeine or other stimulants",
        "score": 0.88,
        "evidence": _evidence(_TWITCH_TEXT, "twitching", "coffees"),
    },
    {
        "code": "benign_fasciculation_syndrome",
        "label": "Benign fasciculation syndrome",
        "score": 0.85,
        "evidence": _evidence(_TWITCH_TEXT, "twitching", "No weakness"),
    },
]
_TWITCH_MISSING = [
    "current medicines",
    "which muscles twitch",
    "any weakness, numbness or muscle shrinking",
]
TWITCH_TRIAGE = _triage(
    urgency="soon",
    advice=ADVICE_SOON,
    specialty="neurology",
    flags=_TWITCH_FLAGS,
    causes=_TWITCH_CAUSES,
    missing_info=_TWITCH_MISSING,
)
TWITCH_TRIAGE_CORRECTED = {
    **TWITCH_TRIAGE,
    "urgency": "routine",
    "source": "doctor",
    "reason": "Three weeks of calf twitching with no weakness, wasting or numbness, and a clear "
    "link to coffee and exam stress: a routine answer is appropriate.",
}

ANSWER_BODY = (
    "Thank you for the clear description. Twitching in one calf at rest, with no weakness and "
    "no numbness, is very common and usually harmless; caffeine, stress and short sleep often "
    "make it worse. It is worth cutting down to one or two coffees a day, keeping regular sleep "
    "and seeing whether it settles over the next few weeks.\n\n"
    "This is not a diagnosis, and I have not examined you. Please see your doctor if the "
    "twitching spreads to other muscles, lasts beyond two more months, or if you notice "
    "weakness (tripping, trouble climbing stairs or gripping), the muscle getting thinner, "
    "numbness, or trouble speaking or swallowing. Get urgent help if weakness comes on suddenly."
)
ANSWER: Payload = {
    "doctor": DOCTOR,
    "specialty": "neurology",
    "body": ANSWER_BODY,
    "answered_at": "2025-06-10T10:02:41.330112Z",
}
THANKS_FOLLOWUP: Payload = {
    "id": 77,
    "kind": "followup",
    "author": "CalmHeron4821",
    "body": "Thank you. I am down to one coffee a day and the twitching is already less often.",
    "created_at": "2025-06-11T07:40:12.004518Z",
}

_TWITCH_LISTED: Payload = {
    "id": 42,
    "title": TWITCH_ASK["title"],
    "asker": "CalmHeron4821",
    "age_band": "20-29",
    "sex": "female",
    "specialty": "neurology",
    "status": "queued",
    "asked_at": "2025-06-10T08:15:02.481920Z",
    "answered_at": None,
}
_TWITCH_DETAILS: Payload = {
    "body": TWITCH_ASK["body"],
    "asking_for": "self",
    "duration": "1-4 weeks",
    "medicines": "",
}
TWITCH_QUESTION: Payload = {
    "id": 42,
    "triage": TWITCH_TRIAGE,
    **{k: v for k, v in _TWITCH_LISTED.items() if k != "id"},
    **_TWITCH_DETAILS,
    "is_private": False,
    "urgency": "soon",
    "hidden_from_public": [],
    "answer": None,
    "followups": [],
}
TWITCH_SUBMITTED: Payload = {
    **TWITCH_QUESTION,
    "specialty": None,
    "status": "submitted",
    "urgency": "",
}
TWITCH_ANSWERED: Payload = {
    **TWITCH_QUESTION,
    "status": "answered",
    "answered_at": ANSWER["answered_at"],
    "answer": ANSWER,
}
TWITCH_PUBLIC: Payload = {
    **TWITCH_ANSWERED,
    "triage": None,
    "followups": [THANKS_FOLLOWUP],
}
TWITCH_LISTED_ANSWERED: Payload = {
    **_TWITCH_LISTED,
    "status": "answered",
    "answered_at": ANSWER["answered_at"],
}

SIMILAR_ITEM: Payload = {
    "id": 12,
    "title": "Twitching calves after running and lots of coffee",
    "url": "/questions/12/",
    "score": 0.712,
    "explanation": "shared: muscle twitching, caffeine or other stimulants, calf",
    "specialty": "neurology",
}

_QUEUE_FIELDS: Payload = {"queued_at": "2025-06-10T08:15:03.107455Z"}
TWITCH_QUEUE_ITEM: Payload = {
    "id": 42,
    "urgency": "soon",
    "triage": TWITCH_TRIAGE,
    **{k: v for k, v in _TWITCH_LISTED.items() if k != "id"},
    **_TWITCH_DETAILS,
    **_QUEUE_FIELDS,
    "waiting_seconds": 5400,
    "claimed_by_me": False,
    "claimed_until": None,
    "similar": [SIMILAR_ITEM],
}
TWITCH_CLAIMED: Payload = {
    **TWITCH_QUEUE_ITEM,
    "status": "claimed",
    "waiting_seconds": 5410,
    "claimed_by_me": True,
    "claimed_until": "2025-06-10T10:15:13.902114Z",
}

# --- An emergency (id 57): the ask form's answer says to call now. ---

CHEST_ASK: Payload = {
    "title": "Crushing chest pain spreading to my left arm",
    "body": "It started twenty minutes ago while I was carrying shopping upstairs. The pain is in "
    "the middle of my chest and I am sweaty and short of breath.",
    "asking_for": "self",
    "age_years": 58,
    "sex": "male",
    "duration": "less than a day",
}
_CHEST_TEXT = f"{CHEST_ASK['title']}\n\n{CHEST_ASK['body']}"
CHEST_TRIAGE = _triage(
    urgency="emergency",
    advice=ADVICE_EMERGENCY,
    specialty="emergency-medicine",
    flags=[
        {
            "code": "cardiac_chest_pain",
            "label": "Chest pain with heart attack features",
            "urgency": "emergency",
            "evidence": _evidence(_CHEST_TEXT, "Crushing chest", "spreading"),
        }
    ],
    causes=[
        {
            "code": "angina",
            "label": "Angina",
            "score": 0.33,
            "evidence": _evidence(_CHEST_TEXT, "chest pain"),
        },
        {
            "code": "pneumonia",
            "label": "Chest infection or pneumonia",
            "score": 0.33,
            "evidence": _evidence(_CHEST_TEXT, "short of breath"),
        },
        {
            "code": "costochondritis",
            "label": "Chest wall (musculoskeletal) pain",
            "score": 0.33,
            "evidence": _evidence(_CHEST_TEXT, "chest pain"),
        },
    ],
    missing_info=[],
)
CHEST_SUBMITTED: Payload = {
    "id": 57,
    "triage": CHEST_TRIAGE,
    "title": CHEST_ASK["title"],
    "asker": "BrightOtter1093",
    "age_band": "50-59",
    "sex": "male",
    "specialty": None,
    "status": "submitted",
    "asked_at": "2025-06-10T09:31:47.550871Z",
    "answered_at": None,
    "body": CHEST_ASK["body"],
    "asking_for": "self",
    "duration": "less than a day",
    "medicines": "",
    "is_private": False,
    "urgency": "",
    "hidden_from_public": [],
    "answer": None,
    "followups": [],
}

# --- The eyelid question (id 61), re-routed to ophthalmology. ---

_EYELID_TITLE = "Eyelid twitching for a week"
_EYELID_BODY = (
    "My right lower eyelid keeps twitching, on and off all day, for about a week. I sleep badly "
    "and have a lot of coffee. My vision is fine and nothing else twitches."
)
_EYELID_TEXT = f"{_EYELID_TITLE}\n\n{_EYELID_BODY}"
EYELID_REROUTED: Payload = {
    "id": 61,
    "urgency": "routine",
    "triage": _triage(
        urgency="routine",
        advice=ADVICE_ROUTINE,
        specialty="neurology",
        flags=[],
        causes=[
            {
                "code": "caffeine_stimulants",
                "label": "Caffeine or other stimulants",
                "score": 0.88,
                "evidence": _evidence(_EYELID_TEXT, "Eyelid twitching", "coffee"),
            },
            {
                "code": "fatigue_sleep_deprivation",
                "label": "Fatigue and lack of sleep",
                "score": 0.5,
                "evidence": _evidence(_EYELID_TEXT, "Eyelid twitching"),
            },
        ],
        missing_info=["current medicines", "any weakness, numbness or muscle shrinking"],
    ),
    "title": _EYELID_TITLE,
    "asker": "QuietFinch5530",
    "age_band": "20-29",
    "sex": "female",
    "specialty": "ophthalmology",
    "status": "queued",
    "asked_at": "2025-06-09T21:04:55.210377Z",
    "answered_at": None,
    "body": _EYELID_BODY,
    "asking_for": "self",
    "duration": "1-7 days",
    "medicines": "",
    "queued_at": "2025-06-09T21:04:56.018930Z",
    "waiting_seconds": 45300,
    "claimed_by_me": False,
    "claimed_until": None,
    "similar": [
        {
            "id": 31,
            "title": "Eyelid flickering for days when I am tired",
            "url": "/questions/31/",
            "score": 0.684,
            "explanation": "shared: eyelid twitching, fatigue and lack of sleep, caffeine",
            "specialty": "ophthalmology",
        }
    ],
}

# --- A headache (id 63): the doctor asks for more before answering. ---

HEADACHE_ASK: Payload = {
    "title": "Headache every afternoon",
    "body": "For two weeks I have had a dull, pressing headache across my forehead most "
    "afternoons. Paracetamol helps. I work long hours at a screen and sleep about six hours.",
    "age_years": 35,
    "sex": "male",
    "asking_for": "self",
    "duration": "1-4 weeks",
}
HEADACHE_PREVIEW: Payload = {
    "urgency": "routine",
    "emergency": False,
    "call_now": None,
    "specialty": "neurology",
    "flags": [],
    "advice": ADVICE_ROUTINE,
    "missing_info": ["current medicines", "where the headache is and how it started"],
    "privacy_notice": "",
    "hidden_from_public": [],
}
INFO_REQUEST = (
    "Thank you. Before I answer: does the headache ever wake you at night or come on suddenly "
    "and severely, and have you noticed any change in your vision, weakness or numbness with it?"
)
INFO_REQUEST_FOLLOWUP: Payload = {
    "id": 81,
    "kind": "info_request",
    "author": DOCTOR,
    "body": INFO_REQUEST,
    "created_at": "2025-06-10T11:20:05.671204Z",
}
INFO_REPLY = (
    "It never wakes me and it always builds up slowly during the afternoon. My vision is "
    "normal and I have no weakness or numbness."
)
INFO_REPLY_FOLLOWUP: Payload = {
    "id": 84,
    "kind": "info_reply",
    "author": "SteadyLark2207",
    "body": INFO_REPLY,
    "created_at": "2025-06-10T12:02:37.118460Z",
}

# --- Everything else. ---

NOTIFICATION_ANSWERED: Payload = {
    "id": 318,
    "kind": "answered",
    "message": f"{DOCTOR} answered “{TWITCH_ASK['title']}”.",
    "question": 42,
    "created_at": "2025-06-10T10:02:41.512006Z",
    "read": False,
    "read_at": None,
}
NOTIFICATION_EMERGENCY: Payload = {
    "id": 305,
    "kind": "new_emergency",
    "message": f"Emergency question waiting: “{CHEST_ASK['title']}”.",
    "question": 57,
    "created_at": "2025-06-10T09:31:48.903115Z",
    "read": True,
    "read_at": "2025-06-10T09:33:10.245781Z",
}

PATIENT_ME: Payload = {
    "email": "calm.heron@example.org",
    "pseudonym": "CalmHeron4821",
    "role": "patient",
    "birth_year": 2001,
    "sex": "female",
    "date_joined": "2025-05-28T18:22:09.640215Z",
    "doctor_profile": None,
    "can_answer": False,
    "can_moderate": False,
    "needs_two_factor": False,
}
DOCTOR_ME: Payload = {
    "email": "a.rivera@example.org",
    "pseudonym": "KindMaple3390",
    "role": "doctor",
    "birth_year": 1979,
    "sex": "female",
    "date_joined": "2025-03-02T09:10:44.781200Z",
    "doctor_profile": {
        "display_name": DOCTOR,
        "status": "verified",
        "specialties": ["neurology", "general-practice"],
        "bio": "Consultant neurologist; twelve years in a general neurology clinic.",
    },
    "can_answer": True,
    "can_moderate": False,
    "needs_two_factor": False,
}

_ENGINE_KEYS = (
    "urgency",
    "advice",
    "flags",
    "specialty",
    "causes",
    "missing_info",
    "engine_version",
    "kb_version",
)
EXPORT: Payload = {
    "account": {
        "email": PATIENT_ME["email"],
        "pseudonym": PATIENT_ME["pseudonym"],
        "role": "patient",
        "birth_year": 2001,
        "sex": "female",
        "date_joined": "2025-05-28T18:22:09.640215+00:00",
        "last_login": "2025-06-11T07:38:51.118200+00:00",
        "is_active": True,
        "is_staff": False,
        "groups": [],
        "email_addresses": [
            {"email": PATIENT_ME["email"], "primary": True, "verified": True},
            {"email": "m.work@example.org", "primary": False, "verified": False},
        ],
        "two_factor": [],
        "api_tokens": [
            {
                "client": "OpenConsult-iOS/2.1",
                "created": "2025-06-10T08:14:30.552871+00:00",
                "expires": "2025-07-10T08:14:30.552871+00:00",
            }
        ],
    },
    "doctor_profile": None,
    "questions": [
        {
            "id": 42,
            "title": TWITCH_ASK["title"],
            "body": TWITCH_ASK["body"],
            "asking_for": "self",
            "age_years": 24,
            "age_band": "20-29",
            "sex": "female",
            "duration": "1-4 weeks",
            "medicines": "",
            "specialty": "neurology",
            "private": False,
            "status": "answered",
            "urgency": "soon",
            "hidden": False,
            "hidden_reason": "",
            "asked_at": "2025-06-10T08:15:02.481920+00:00",
            "updated_at": "2025-06-10T10:02:41.330112+00:00",
            "answered_at": "2025-06-10T10:02:41.330112+00:00",
            "triage": [
                {
                    "urgency": "soon",
                    "source": "engine",
                    "result": {k: TWITCH_TRIAGE[k] for k in _ENGINE_KEYS},
                    "at": "2025-06-10T08:15:03.095318+00:00",
                }
            ],
            "answer": {
                "body": ANSWER_BODY,
                "answered_at": "2025-06-10T10:02:41.330112+00:00",
                "hidden": False,
            },
            "followups": [
                {
                    "body": THANKS_FOLLOWUP["body"],
                    "kind": "followup",
                    "by_me": True,
                    "hidden": False,
                    "at": "2025-06-11T07:40:12.004518+00:00",
                }
            ],
        }
    ],
    "answers_given": [],
    "followups_written": [
        {
            "question": 42,
            "kind": "followup",
            "body": THANKS_FOLLOWUP["body"],
            "hidden": False,
            "at": "2025-06-11T07:40:12.004518+00:00",
        }
    ],
    "triage_corrections": [],
    "questions_held": [],
    "notifications": [
        {
            "kind": "answered",
            "question": 42,
            "message": NOTIFICATION_ANSWERED["message"],
            "at": "2025-06-10T10:02:41.512006+00:00",
            "read_at": "2025-06-10T12:45:00.318554+00:00",
            "emailed_at": "2025-06-10T10:02:43.020117+00:00",
        }
    ],
    "actions": [],
    "admin_actions": [],
}


def _request(name: str, value: Payload, description: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, description=description, request_only=True)


def _response(name: str, value: Any, description: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, description=description, response_only=True)


# --- Each operation's examples, in the order of forum/api/urls.py. ---

TOKEN_CREATE = [
    _request(
        "A doctor with two factor authentication",
        {"email": "a.rivera@example.org", "password": "…", "code": "123456"},
        "Doctors and moderators send the current code from their authenticator app.",
    ),
    _request(
        "A patient",
        {"email": "calm.heron@example.org", "password": "…"},
        "No `code` for an account without two-factor authentication.",
    ),
    _response(
        "Token",
        {
            "token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b51e07a4a29b9c5e0f1d3a6c7",
            "expires": "2026-12-31T09:30:00Z",
        },
        "Send it as `Authorization: Token 9944b091…` on every request. It is shown only "
        "once: the site keeps a hash of it.",
    ),
]

TOKEN_LIST = [
    _response(
        "The token of this request",
        {
            "key": "9944b09199c62bc",
            "client": "OpenConsult-iOS/2.1",
            "created": "2026-12-01T09:30:00Z",
            "expires": "2026-12-31T09:30:00Z",
            "current": True,
        },
        "Each token that still works, newest first, by its first characters.",
    ),
    _response(
        "Another token",
        {
            "key": "51e07a4a29b9c5e",
            "client": "python-requests/2.32",
            "created": "2026-11-20T18:02:11Z",
            "expires": "2026-12-20T18:02:11Z",
            "current": False,
        },
    ),
]

SPECIALTY_LIST = [
    _response("Neurology", _specialty("neurology")),
    _response("General practice", _specialty("general-practice")),
]

QUESTION_LIST = [
    _response("An answered public question", TWITCH_LISTED_ANSWERED),
]

QUESTION_CREATE = [
    _request("Calf twitching", TWITCH_ASK, "Specialty left to the triage (null)."),
    _request(
        "Chest pain",
        CHEST_ASK,
        "Optional fields left out take their defaults. The answer to this one is an emergency.",
    ),
    _response(
        "See a doctor soon",
        TWITCH_SUBMITTED,
        "`triage` is there at once; the question stays `submitted` until the triage worker "
        "files and queues it, moments later.",
    ),
    _response(
        "Emergency",
        CHEST_SUBMITTED,
        "Show `triage.call_now` before anything else: an emergency must not wait for an answer.",
    ),
]

QUESTION_RETRIEVE = [
    _response(
        "An answered question as anyone sees it",
        TWITCH_PUBLIC,
        "`triage` is null for everyone but the asker, doctors and moderators.",
    ),
    _response(
        "Your own question waiting for a doctor",
        TWITCH_QUESTION,
    ),
]

QUESTION_UPDATE = [
    _request(
        "Add your medicines",
        {"medicines": "Vitamin D 1000 IU a day; nothing else."},
    ),
    _request(
        "Rewrite the text",
        {
            "body": TWITCH_ASK["body"] + " Magnesium tablets for a week made no difference.",
            "duration": "1-4 weeks",
        },
        "A new title, text or duration is triaged again.",
    ),
    _response(
        "The updated question",
        {**TWITCH_QUESTION, "medicines": "Vitamin D 1000 IU a day; nothing else."},
    ),
]

FOLLOWUP_LIST = [
    _response("Thanks from the asker", THANKS_FOLLOWUP),
    _response("A doctor asks for more", INFO_REQUEST_FOLLOWUP),
]

FOLLOWUP_CREATE = [
    _request("A followup under the answer", {"body": THANKS_FOLLOWUP["body"]}),
    _request(
        "A reply to the doctor",
        {"body": INFO_REPLY},
        "While the question `needs_info`, the asker's post is the reply and sends it back to "
        "the doctor.",
    ),
    _response("Followup", THANKS_FOLLOWUP),
    _response("Reply with more information", INFO_REPLY_FOLLOWUP),
]

SIMILAR_LIST = [_response("A similar answered question", SIMILAR_ITEM)]

QUEUE_LIST = [_response("Waiting in the neurology queue", TWITCH_QUEUE_ITEM)]

QUEUE_CLAIM = [
    _response("Claimed", TWITCH_CLAIMED, "Yours to answer until `claimed_until`."),
]

QUEUE_ANSWER = [
    _request("An answer", {"body": ANSWER_BODY}),
    _response("The answered question", TWITCH_ANSWERED),
]

QUEUE_REQUEST_INFO = [
    _request("Ask about red flags", {"message": INFO_REQUEST}),
    _response("The request in the thread", INFO_REQUEST_FOLLOWUP),
]

QUEUE_REROUTE = [
    _request(
        "To ophthalmology",
        {
            "specialty": "ophthalmology",
            "reason": "Eyelid twitching with a question about the eye: better answered by "
            "ophthalmology.",
        },
    ),
    _response("Now in the ophthalmology queue", EYELID_REROUTED),
]

QUEUE_CORRECT_TRIAGE = [
    _request(
        "Down to routine",
        {
            "urgency": "routine",
            "specialty": "neurology",
            "reason": TWITCH_TRIAGE_CORRECTED["reason"],
        },
    ),
    _response("The corrected triage", TWITCH_TRIAGE_CORRECTED),
]

NOTIFICATION_LIST = [
    _response("Your question was answered", NOTIFICATION_ANSWERED),
    _response("An emergency for a doctor", NOTIFICATION_EMERGENCY),
]

NOTIFICATION_READ = [
    _request("These notifications", {"ids": [318, 305]}),
    _request("All of them", {}, "Leave out `ids` to mark every notification read."),
    _response("Marked", {"marked": 2, "unread": 0}),
]

ME_RETRIEVE = [
    _response("A patient", PATIENT_ME),
    _response("A verified doctor", DOCTOR_ME),
]

ME_UPDATE = [
    _request("Year of birth and sex", {"birth_year": 2001, "sex": "female"}),
    _response("Your profile", PATIENT_ME),
]

ME_EXPORT = [_response("Everything about a patient", EXPORT)]

ME_DELETE = [_request("Confirm with your password", {"password": "…"})]

_HIDE_REASON = "Contains the asker's full name and phone number; asked them to repost without."
MODERATION_HIDE = [
    _request("Personal details", {"reason": _HIDE_REASON}),
    _response("Hidden", {"id": 42, "is_hidden": True}),
]
MODERATION_RESTORE = [
    _request("Reposted without them", {"reason": "Personal details removed by the asker."}),
    _response("Restored", {"id": 42, "is_hidden": False}),
]

QUEUE_OVERVIEW = [
    _response(
        "Waiting for neurology",
        {
            "specialty": "Neurology",
            "urgency": "soon",
            "status": "queued",
            "count": 3,
            "longest_wait_seconds": 5400,
            "uncovered": False,
        },
        "`specialty` is the specialty's name; `urgency` is `not triaged` before the triage.",
    ),
]

TRIAGE_PREVIEW = [
    _request(
        "Chest pain",
        {"title": "Chest pain", "body": "Crushing chest pain into my left arm"},
    ),
    _request(
        "Headache",
        {k: HEADACHE_ASK[k] for k in ("title", "body", "age_years", "sex", "duration")},
    ),
    _response(
        "Emergency",
        {
            "urgency": "emergency",
            "emergency": True,
            "call_now": call_now("emergency"),
            "specialty": "emergency-medicine",
            "flags": [
                {
                    "code": "cardiac_chest_pain",
                    "label": "Chest pain with heart attack features",
                    "urgency": "emergency",
                    "evidence": _evidence(
                        "Chest pain\n\nCrushing chest pain into my left arm",
                        "Chest pain",
                        "left arm",
                    ),
                }
            ],
            "advice": ADVICE_EMERGENCY,
            "missing_info": ["age", "sex"],
            "privacy_notice": "",
            "hidden_from_public": [],
        },
        "Show the advice at once, above the form.",
    ),
    _response("Routine", HEADACHE_PREVIEW),
    _request(
        "With an e-mail address",
        {
            **{k: HEADACHE_ASK[k] for k in ("title", "body", "age_years", "sex", "duration")},
            "body": HEADACHE_ASK["body"] + " Please reply to sam.jones@example.com",
        },
    ),
    _response(
        "Personal details found",
        {
            **HEADACHE_PREVIEW,
            "privacy_notice": "Before your question is public we will hide: an e-mail address.",
            "hidden_from_public": [
                {"kind": "email", "label": "an e-mail address", "text": "sam.jones@example.com"}
            ],
        },
        "Tell the patient what the public will not see before they post.",
    ),
]

SIMILAR_PREVIEW = [
    _request(
        "Twitching calves",
        {"title": "Twitching calves", "body": "my calves twitch at night", "limit": 5},
    ),
    _response(
        "Already answered",
        {"results": [SIMILAR_ITEM], "emergency": False, "call_now": call_now("soon")},
    ),
    _request(
        "An emergency",
        {"title": "Chest pain", "body": "Crushing chest pain into my left arm"},
    ),
    _response(
        "An emergency",
        {"results": [], "emergency": True, "call_now": call_now("emergency")},
        "Nothing to read: show `call_now` at once.",
    ),
]
