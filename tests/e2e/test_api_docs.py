from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_the_interactive_api_docs_render_under_the_strict_csp(live_server, page):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/api/docs/")
    page.locator(".opblock-summary-path", has_text="/api/questions/").first.wait_for()
    assert page.locator(".opblock").count() >= 6
    assert [p for p in problems if "Content Security Policy" in p] == []


@pytest.mark.django_db
def test_only_the_docs_page_relaxes_styles_and_no_page_relaxes_scripts(client):
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    home = client.get("/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs
    assert "unsafe-inline" not in home
    script_src = docs.split("script-src", 1)[1].split(";", 1)[0]
    assert script_src.strip() == "'self'"
