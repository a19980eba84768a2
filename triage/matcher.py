"""A token-level phrase trie.

Phrases are sequences of normalised tokens; ``*`` stands for a gap of up to ``MAX_GAP`` tokens
("pain in * chest" matches "pain in my chest" and "pain in the left side of my chest").
Matches never cross a sentence boundary. Every match is reported, including overlapping ones,
because one span can carry several meanings ("sudden weakness" is both onset and a symptom).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import NamedTuple, cast

from triage.text import Tokens

MAX_GAP = 4
GAP = "*"


class _Node:
    __slots__ = ("children", "gap", "labels")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        # The child reached through a ``*`` gap, kept apart from the word children so the walk
        # needs no extra dictionary look-up on the common no-gap path.
        self.gap: _Node | None = None
        self.labels: list[tuple[int, str]] = []  # (group, label)


class Match(NamedTuple):
    """One phrase found; tuples sort by position first, which is the order :meth:`find` uses."""

    first: int  # index of the first token
    last: int  # index of the last token (inclusive)
    label: str


class PhraseMatcher:
    """Phrases with labels; each label belongs to a group (a small number, 0 by default) so the
    caller gets its kinds of matches apart without another pass over them."""

    def __init__(self) -> None:
        self._root = _Node()
        self.size = 0
        self.groups = 1

    def add(self, tokens: Sequence[str], label: str, group: int = 0) -> None:
        if not tokens or tokens[0] == GAP or tokens[-1] == GAP:
            raise ValueError(f"a phrase must start and end with a word: {' '.join(tokens)!r}")
        node = self._root
        for tok in tokens:
            if tok == GAP:
                if node.gap is None:
                    node.gap = _Node()
                node = node.gap
            else:
                node = node.children.setdefault(tok, _Node())
        if (group, label) not in node.labels:
            node.labels.append((group, label))
            self.size += 1
            self.groups = max(self.groups, group + 1)

    def find(self, tokens: Tokens) -> list[Match]:
        """Every phrase in ``tokens``, sorted by (first, last, label), without duplicates."""
        return sorted(m for group in self.find_grouped(tokens) for m in group)

    def find_grouped(self, tokens: Tokens) -> list[list[Match]]:
        """:meth:`find`'s matches split by group, one sorted list per group number."""
        norms = tokens.norms
        sentences = tokens.sentences
        sentence_ends = tokens.sentence_ends
        root = self._root.children
        found: list[set[tuple[int, int, str]]] = [set() for _ in range(self.groups)]
        adds = [group.add for group in found]
        for first, norm in enumerate(norms):
            node = root.get(norm)
            if node is None:
                continue
            for group, label in node.labels:
                adds[group]((first, first, label))
            if node.gap is None:
                # Most phrases starting here do not go on with the next token: settle that with
                # one look-up before setting up the walk.
                nxt = first + 1
                if (
                    not node.children
                    or nxt >= len(norms)
                    or norms[nxt] not in node.children
                    or sentences[nxt] != sentences[first]
                ):
                    continue
            # Tokens before ``limit`` share the first token's sentence.
            limit = sentence_ends[sentences[first]]
            # Follow the words one by one; only the branches a gap opens wait on the stack.
            stack = [(node, first)]
            while stack:
                node, pos = stack.pop()
                while pos + 1 < limit:
                    nxt = pos + 1
                    gap = node.gap
                    if gap is not None:
                        # Every gap length; the token after the gap must continue the phrase.
                        gap_children = gap.children
                        for after in range(nxt, min(limit, nxt + MAX_GAP + 1)):
                            child = gap_children.get(norms[after])
                            if child is not None:
                                for group, label in child.labels:
                                    adds[group]((first, after, label))
                                if child.children or child.gap is not None:
                                    stack.append((child, after))
                    if not node.children:
                        break
                    child = node.children.get(norms[nxt])
                    if child is None:
                        break
                    for group, label in child.labels:
                        adds[group]((first, nxt, label))
                    node, pos = child, nxt
        # tuple.__new__ is Match._make without a Python-level call per match.
        return [
            cast(list[Match], list(map(tuple.__new__, repeat(Match), sorted(group))))
            for group in found
        ]
