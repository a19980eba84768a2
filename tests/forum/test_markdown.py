from __future__ import annotations

import pytest

from forum.markdown import render_markdown
from tests.html_checks import executable_bits


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="#" onclick="steal()">x</a>',
        "<style>body{display:none}</style>",
        "![img](javascript:alert(1))",
        "<svg/onload=alert(1)>",
    ],
)
def test_it_renders_nothing_executable(source):
    html = render_markdown(source)
    assert executable_bits(html) == [], html


def test_the_checker_itself_spots_executable_html():
    assert executable_bits('<a href="javascript:x()">a</a><img onerror="x">') == [
        "a[href=javascript:x()]",
        "img[onerror]",
    ]


def test_it_keeps_safe_formatting_and_marks_links_nofollow():
    html = render_markdown("**bold** and [a link](https://example.org)\n\n# Big heading")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and "nofollow" in html
    assert "<h1>" not in html and "<h3>Big heading</h3>" in html
