"""Parse rendered HTML and report anything that could run script."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag}[{name}={value}]")


def executable_bits(html: str) -> list[str]:
    """Elements or attributes in `html` that a browser would execute or that embed content."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "label" and values.get("for"):
            self.label_targets.append(str(values["for"]))


def _ids(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return parser


def duplicate_ids(html: str) -> list[str]:
    """The `id`s used more than once in `html` (a label or link to one reaches the first)."""
    ids = _ids(html).ids
    return sorted({value for value in ids if ids.count(value) > 1})


def labels_without_field(html: str) -> list[str]:
    """The `for` of every label in `html` that names no element."""
    parsed = _ids(html)
    return sorted(set(parsed.label_targets) - set(parsed.ids))
