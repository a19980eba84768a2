"""A token-level phrase trie.

Phrases are sequences of normalised tokens; ``*`` stands for a gap of up to ``MAX_GAP`` tokens
("pain in * chest" matches "pain in my chest" and "pain in the left side of my chest").
Matches never cross a sentence boundary. Every match is reported, including overlapping ones,
because one span can carry several meanings ("sudden weakness" is both onset and a symptom).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from triage.text import Token

MAX_GAP = 4
GAP = "*"


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Match:
    label: str
    first: int  # index of the first token
    last: int  # index of the last token (inclusive)


class PhraseMatcher:
    def __init__(self) -> None:
        self._root = _Node()
        self.size = 0

    def add(self, tokens: Sequence[str], label: str) -> None:
        if not tokens or tokens[0] == GAP or tokens[-1] == GAP:
            raise ValueError(f"a phrase must start and end with a word: {' '.join(tokens)!r}")
        node = self._root
        for tok in tokens:
            node = node.children.setdefault(tok, _Node())
        if label not in node.labels:
            node.labels.append(label)
            self.size += 1

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        found: set[Match] = set()
        root_children = self._root.children
        n = len(tokens)
        for i in range(n):
            node = root_children.get(tokens[i].norm)
            if node is not None:
                self._walk(node, tokens, i, i, tokens[i].sentence, found)
        return sorted(found, key=lambda m: (m.first, m.last, m.label))

    def _walk(
        self,
        node: _Node,
        tokens: Sequence[Token],
        first: int,
        pos: int,
        sentence: int,
        found: set[Match],
    ) -> None:
        for label in node.labels:
            found.add(Match(label, first, pos))
        if not node.children:
            return
        n = len(tokens)
        nxt = pos + 1
        if nxt < n and tokens[nxt].sentence == sentence:
            child = node.children.get(tokens[nxt].norm)
            if child is not None:
                self._walk(child, tokens, first, nxt, sentence, found)
        gap = node.children.get(GAP)
        if gap is None:
            return
        # Try every gap length; the token after the gap must continue the phrase.
        for skip in range(0, MAX_GAP + 1):
            after = pos + 1 + skip
            if after >= n or tokens[after].sentence != sentence:
                break
            child = gap.children.get(tokens[after].norm)
            if child is not None:
                self._walk(child, tokens, first, after, sentence, found)
