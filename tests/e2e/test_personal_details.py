"""A patient who types an e-mail address is told, while typing, that it will be hidden; once a
doctor answers, the public page does not show it and the asker's own page does."""

from __future__ import annotations

import re

import pytest

from forum import services
from forum.models import Question, Status
from tests.factories import make_doctor, make_user

EMAIL = "maya.okoro77@example.com"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_an_email_address_is_announced_hidden_and_kept_from_the_public_page(live_server, browser):
    make_user(email="asker@example.test")
    doctor = make_doctor(email="neuro@example.test")
    asker = browser.new_context()
    page = asker.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "asker@example.test")
    page.fill("input[name=password]", "a-long-test-password")
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(live_server.url + "/ask/")
    page.fill("input[name=title]", "Calf twitching for three weeks")
    page.locator("textarea[name=body]").press_sequentially(
        "My left calf twitches most evenings for three weeks. No weakness. "
        f"Please reply to {EMAIL}",
        delay=2,
    )
    notice = page.locator("#live-privacy .notice-privacy")
    notice.wait_for()
    assert "Before your question is public we will hide: an e-mail address." in (
        notice.inner_text()
    )
    assert EMAIL in notice.inner_text()
    # The triage panel stays first: the notice is below it and below the text box.
    triage_box = page.locator("#live-triage").bounding_box() or {"y": 0}
    text_box = page.locator("textarea[name=body]").bounding_box()
    assert notice.bounding_box()["y"] >= max(triage_box["y"], text_box["y"])

    page.select_option("select[name=duration]", "1-4 weeks")
    page.get_by_role("button", name="Post my question").click()
    page.wait_for_url(re.compile(r"/questions/\d+/$"))
    question = Question.objects.get()
    assert question.status == Status.QUEUED  # triaged in-process without a broker
    services.question_claim(doctor=doctor, question_id=question.pk)
    services.answer_create(
        doctor=doctor,
        question=question,
        body="Twitching like this is usually benign; cut down on caffeine and rest.",
    )

    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(live_server.url + question.get_absolute_url())
    text = public.inner_text("body")
    assert "Calf twitching for three weeks" in text
    assert "usually benign" in text
    assert EMAIL not in text and EMAIL not in public.content()
    assert "[e-mail address]" in text
    visitor.close()

    page.reload()
    own = page.inner_text("body")
    assert EMAIL in own
    hidden = page.locator("#hidden-from-public")
    assert hidden.is_visible()
    assert f"“{EMAIL}” (an e-mail address)" in hidden.inner_text()
    asker.close()
