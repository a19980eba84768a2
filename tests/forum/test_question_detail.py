from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Question, Status
from forum.selectors import similar_to_draft
from forum.similarity import index_question, similar_stored
from tests.factories import make_followup, make_question
from tests.html_checks import executable_bits

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://example.com"></iframe>',
]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_renders_an_xss_payload_in_a_question_body_inert(client, alice, payload):
    question = make_question(
        author=alice, status=Status.ANSWERED, body=f"My arm twitches. {payload} Help please."
    )
    html = client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()
    prose = html.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    assert "My arm twitches." in prose
    assert executable_bits(prose) == []
    assert executable_bits(html.replace('<form method="post"', "<div")) == []


@pytest.mark.django_db
def test_it_renders_markdown_in_answers(client, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    question.answer.body = "Try **less caffeine**.\n\n- sleep\n- water"
    question.answer.save()
    html = client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()
    assert "<strong>less caffeine</strong>" in html
    assert "<li>sleep</li>" in html


@pytest.mark.django_db
def test_it_shows_the_doctors_reply_like_the_seed_page(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    html = client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()
    assert f"{doctor.doctor_profile.display_name} reply" in html
    assert "Reply Date:" in html and "Ask Date:" in html
    assert "Similar Q&amp;A" in html


@pytest.mark.django_db
def test_it_lists_similar_public_questions_but_never_itself_or_private_ones(client, alice):
    question = make_question(
        author=alice, status=Status.ANSWERED, title="Calf twitching at night", index=True
    )
    similar = make_question(
        status=Status.ANSWERED, title="Calf twitching after running", index=True
    )
    private = make_question(
        status=Status.ANSWERED, is_private=True, title="Calf twitching private", index=True
    )
    unanswered = make_question(status=Status.QUEUED, title="Calf twitching unanswered", index=True)
    response = client.get(reverse("forum:question-detail", args=[question.pk]))
    listed = [match.question for match in response.context["similar"]]
    assert similar in listed
    assert question not in listed and private not in listed and unanswered not in listed


@pytest.mark.django_db
def test_it_hides_hidden_answers_and_followups_from_patients(client, alice, bob, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    question.answer.is_hidden = True
    question.answer.hidden_reason = "Wrong advice"
    question.answer.body = "Secret hidden answer text"
    question.answer.save()
    followup = make_followup(question=question, author=alice, body="Hidden follow-up text")
    followup.is_hidden = True
    followup.hidden_reason = "Personal data"
    followup.save()
    client.force_login(bob)
    html = client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()
    assert "Secret hidden answer text" not in html
    assert "Hidden follow-up text" not in html


@pytest.mark.django_db
def test_it_makes_the_same_number_of_queries_with_1_and_50_followups(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    for _ in range(5):
        make_question(status=Status.ANSWERED)
    make_followup(question=question, author=alice)
    url = reverse("forum:question-detail", args=[question.pk])
    client.force_login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    count()  # the process's first page also loads the similarity index: not what is measured
    one = count()
    for i in range(49):
        make_followup(question=question, author=doctor if i % 2 else alice)
    for _ in range(45):
        make_question(status=Status.ANSWERED)
    assert count() == one


@pytest.mark.django_db
def test_it_shows_plain_text_excerpts_of_similar_answers(client, alice):
    question = make_question(
        author=alice, status=Status.ANSWERED, title="Calf twitching at night", index=True
    )
    _answered_with_reply("Calf twitching after a run", "Cut down on **caffeine** & <sleep> more.")
    html = client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()
    assert "Cut down on caffeine &amp; &lt;sleep&gt; more." in html
    assert "**caffeine**" not in html


@pytest.mark.django_db
def test_a_qa_whose_answer_a_moderator_hid_is_not_listed_as_similar(client, alice, moderator):
    question = make_question(
        author=alice, status=Status.ANSWERED, title="Calf twitching at night", index=True
    )
    other = _answered_with_reply(
        "Calf twitching after a run", "Buy the miracle supplement from my shop."
    )
    waiting = make_question(status=Status.QUEUED, title="Calf twitching every evening")
    index_question(waiting.pk)  # as the worker does after triage: stores its similar Q&As
    page = reverse("forum:question-detail", args=[question.pk])
    assert other in [m.question for m in client.get(page).context["similar"]]
    assert other.pk in [m.question.pk for m in similar_stored([waiting])[waiting.pk]]

    services.answer_hide(moderator=moderator, answer=other.answer, reason="Advertising")

    response = client.get(page)
    assert other not in [m.question for m in response.context["similar"]]
    assert "miracle supplement" not in response.content.decode()
    draft = similar_to_draft(text="my calf keeps twitching after a run")
    assert other.pk not in [m.question.pk for m in draft]
    stored = similar_stored([waiting])  # what the doctors' queue shows
    assert other.pk not in [m.question.pk for m in stored[waiting.pk]]

    services.answer_restore(moderator=moderator, answer=other.answer, reason="Edited")
    assert other in [m.question for m in client.get(page).context["similar"]]


def _answered_with_reply(title: str, reply: str) -> Question:
    """A public Q&A whose doctor's reply is `reply`, indexed."""
    question = make_question(status=Status.ANSWERED, title=title)
    question.answer.body = reply
    question.answer.save()
    index_question(question.pk)
    return question
