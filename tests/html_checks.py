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


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.open: list[str] = []
        self.seen: set[str] = set()
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else ''}>")
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
            return
        self.open.pop()


def malformed(html: str) -> list[str]:
    """What keeps `html` from being a well-formed document: a doctype, <html> with <head>,
    <title> and <body>, and every element closed in order (void elements aside)."""
    parser = _Structure()
    parser.feed(html)
    parser.close()
    problems = list(parser.problems)
    if not parser.doctype:
        problems.append("no <!DOCTYPE html>")
    problems += [
        f"no <{tag}>" for tag in ("html", "head", "title", "body") if tag not in parser.seen
    ]
    problems += [f"<{tag}> never closed" for tag in parser.open]
    return problems
