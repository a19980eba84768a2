"""The emergency path in a real browser, on a desktop and on a 390 x 844 phone screen."""

from __future__ import annotations

import re

import pytest

from forum.models import Question
from tests.factories import make_question, make_user

EMERGENCY_TEXT = "Sudden crushing chest pain going into my left arm and I am sweating"


def _log_in(page, base_url: str) -> None:
    make_user(email="asker@example.test")
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", "asker@example.test")
    page.fill("input[name=password]", "a-long-test-password")
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


def _type_body(page, text: str) -> None:
    box = page.locator("textarea[name=body]")
    box.fill("")
    box.press_sequentially(text, delay=5)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_late_answer_for_earlier_text_never_removes_the_emergency_banner(live_server, screen):
    _log_in(screen, live_server.url)
    held = []

    def hold_the_first(route):
        if not held:
            held.append(route)  # answered only later, after the answer for the newer text
        else:
            route.continue_()

    screen.route("**/api/triage/preview/", hold_the_first)
    screen.goto(live_server.url + "/ask/")
    screen.fill("input[name=title]", "My ankle")
    _type_body(screen, "My ankle is a bit sore after a walk")
    screen.wait_for_function("() => true")
    screen.wait_for_timeout(700)  # the first preview request is on its way, and held
    assert held
    _type_body(screen, EMERGENCY_TEXT)
    banner = screen.locator("#live-triage .emergency-banner")
    banner.wait_for()
    held[0].continue_()  # the stale answer (routine, for the ankle) arrives now
    screen.wait_for_timeout(1500)
    assert banner.is_visible()
    assert "emergency" in banner.inner_text().lower()

    # A failed request leaves the warning in place too.
    screen.unroute("**/api/triage/preview/")
    screen.route("**/api/triage/preview/", lambda route: route.abort())
    screen.locator("textarea[name=body]").press_sequentially(" and feel sick", delay=5)
    screen.wait_for_timeout(1200)
    assert banner.is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_the_live_warning_sits_under_the_text_box_and_stays_in_view(live_server, screen):
    _log_in(screen, live_server.url)
    screen.goto(live_server.url + "/ask/")
    box = screen.locator("textarea[name=body]")
    box.scroll_into_view_if_needed()
    before = box.bounding_box()
    box.click()
    box.press_sequentially(EMERGENCY_TEXT, delay=5)
    banner = screen.locator("#live-triage .emergency-banner")
    banner.wait_for()
    after = box.bounding_box()
    # the text box the patient types in does not move
    assert abs(after["y"] - before["y"]) < 2
    height = screen.viewport_size["height"]
    shown = banner.bounding_box()
    assert shown["y"] >= 0
    assert shown["y"] + 40 <= height  # at least its heading is on the screen
    assert banner.get_attribute("role") == "alert"
    assert screen.locator("#live-triage").get_attribute("aria-live") == "polite"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_short_emergency_post_lands_on_the_call_now_advice(live_server, screen):
    make_question(
        status="answered",
        title="Snoring at night",
        body="I snore loudly most nights and my partner cannot sleep. What can I do?",
        index=True,
    )
    _log_in(screen, live_server.url)
    screen.goto(live_server.url + "/ask/")
    screen.fill("input[name=title]", "help")
    _type_body(screen, "chest pain cant breathe")
    screen.locator("#live-triage .emergency-banner").wait_for()
    screen.get_by_role("button", name="Post my question").click()
    screen.wait_for_url(re.compile(r"/questions/\d+/$"))
    question = Question.objects.get(title="help")

    alert = screen.get_by_role("alert").first
    assert "get help now" in alert.inner_text()
    call = screen.locator("a[href^='tel:']").first
    assert call.get_attribute("href") == "tel:112"
    assert call.is_visible()
    body = screen.locator("main").inner_text() if screen.locator("main").count() else ""
    page_text = body or screen.inner_text("body")
    assert page_text.count("Call your emergency number") == 1
    assert "Similar Q&A" not in page_text
    assert "Snoring" not in page_text
    assert "doctors have been alerted" not in page_text
    assert question.status != "submitted" or "saved" in page_text
