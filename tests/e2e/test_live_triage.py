from __future__ import annotations

import re

import pytest

from tests.factories import make_question, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_the_ask_form_warns_of_an_emergency_while_the_patient_types(live_server, page):
    make_user(email="typing@example.test")
    answered = make_question(
        status="answered",
        title="Calves twitch after running",
        body="My calf muscles twitch for hours after I run. No weakness. Should I worry?",
        index=True,
    )
    make_question(
        status="answered",
        title="Crushing chest pain into my left arm",
        body="Sudden crushing chest pain going into my left arm, and I was sweating.",
        index=True,
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "typing@example.test")
    page.fill("input[name=password]", "a-long-test-password")
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.goto(live_server.url + "/ask/")

    page.fill("input[name=title]", "Twitching calves")
    page.locator("textarea[name=body]").press_sequentially(
        "My calves twitch after running. No weakness.", delay=5
    )
    page.locator("#live-triage").get_by_text("Suggested specialty").wait_for()
    assert page.locator("#live-triage .emergency-banner").count() == 0
    suggestion = page.locator("#live-similar").get_by_role("link", name=answered.title)
    suggestion.wait_for()
    assert suggestion.get_attribute("href") == answered.get_absolute_url()

    # A mistyped age (the server refuses it) must not stop the warning.
    page.fill("input[name=age_years]", "450")
    page.fill("textarea[name=body]", "")
    page.locator("textarea[name=body]").press_sequentially(
        "Sudden crushing chest pain going into my left arm and I am sweating", delay=5
    )
    banner = page.locator("#live-triage .emergency-banner")
    banner.wait_for()
    assert "emergency" in banner.inner_text().lower()
    # Nothing to read is offered next to an emergency, not even the calf Q&A shown before.
    page.wait_for_function(
        "() => document.getElementById('live-similar').textContent.trim() === ''"
    )
    page.wait_for_timeout(1000)  # both previews answered: the list must not come back
    assert page.locator("#live-similar").inner_text().strip() == ""
    assert errors == []
