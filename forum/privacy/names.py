"""Names of people a patient wrote about themselves or others.

A name is read from a cue ("my name is …", "I'm Sarah", "my husband Raj", "Dr. Patel",
"Grandma Beata", "Bill here", "Will (my son, 4)", "signed, Maria", "– Kev" at the end,
"@handle"), or from the list of common given names when the word is capitalised. Not names:
drugs, eponymous diseases ("Parkinson's", "Bell's palsy", "Guillain-Barré"), institutions
("Mayo Clinic", "St Thomas' Hospital"), months, initials ("ECG"), and ordinary words that can be
names ("I will", "a mark on my skin", "Grace period …") unless a cue says so. A name found once
is found wherever it is repeated ("my partner Sam … sam's number").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from forum.privacy.words import (
    DISEASE_WORDS,
    EPONYMS,
    FUNCTION_WORDS,
    MONTHS,
    ORG_WORDS,
    PLACE_PREPOSITIONS,
    RELATIVE_TITLES,
    RELATIVES,
    TITLES,
    given_names,
    is_common_word,
    is_known_word,
    ordinary_names,
)

_TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|['’-](?=[^\W\d_]))*|\d+|[^\w\s]")
# Words between "my" and the relative: "my late husband", "my little boy".
_RELATIVE_ADJECTIVES = frozenset(
    """
    late little big older younger eldest youngest oldest twin step ex new best elderly old baby
    dear lovely
    """.split()
)
# Words that end a run of lower-case name words after "my name is": "tom baker and …".
_ENDS_A_NAME = frozenset("has had have is was and but with here there".split())


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    after_space: bool  # one space (or the start of the text) just before it

    @property
    def possessive(self) -> bool:
        return len(self.text) > 3 and self.text[-2:] in ("'s", "’s")

    @property
    def base(self) -> str:
        return self.text[:-2] if self.possessive else self.text

    @property
    def base_end(self) -> int:
        return self.end - 2 if self.possessive else self.end

    @property
    def low(self) -> str:
        return self.base.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper() and not (len(self.base) > 1 and self.base.isupper())

    @property
    def listed(self) -> bool:
        """A given name, or an ordinary word that is one too."""
        return self.low in given_names() or self.low in ordinary_names()


Range = tuple[int, int]  # first and last token of a name


def find_names(text: str, *, taken: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Character spans of names (a title such as "Dr" is not part of the span). Spans that
    overlap `taken` (e-mail addresses, phone numbers, addresses found already) are left out."""
    reader = _Reader(text)
    if not reader.tokens:
        return []
    ranges = reader.cued()
    if not reader.title_case:
        ranges += reader.listed()
    tokens = reader.tokens
    spans = {(tokens[a].start, tokens[b].base_end) for a, b in ranges}
    spans |= {(m.start("handle"), m.end("handle")) for m in _HANDLE.finditer(text)}
    spans |= reader.repeats(spans)
    outside = [(s, e) for s, e in spans if s < e and not any(s < te and ts < e for ts, te in taken)]
    return _merge(outside)


_HANDLE = re.compile(r"(?<![\w@.])@(?P<handle>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
_SELF_CUES: tuple[tuple[str, ...], ...] = (
    ("my", "name", "is"),
    ("my", "name's"),
    ("my", "name’s"),
    ("name", ":"),
    ("i", "am", "called"),
    ("they", "call", "me"),
    ("call", "me"),
    ("known", "as"),
)
_END_DASH = re.compile(
    r"(?:^|\s)[–—-]+\s*(?P<name>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?)\s*(?:x+)?\s*[.!]*\s*$"
)
_MID_DASH = re.compile(r"\s[–—-]+\s*(?P<name>[A-Z][\w'’-]+)\s*[.,!]\s")
_SIGN_OFF = re.compile(
    r"(?i:thanks(?:\s+(?:in\s+advance|so\s+much|again|all|everyone))?|thank\s+you(?:\s+all)?|"
    r"many\s+thanks|cheers|regards|kind\s+regards|best\s+regards|warm\s+regards|best\s+wishes|"
    r"best|love|sincerely|yours(?:\s+sincerely|\s+truly|\s+faithfully)?|signed|from|thx|ty)"
    r"\s*[,.!:-]*\s+(?P<name>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?)\s*(?:x+)?\s*[.!]*\s*$"
)
_LAST_LINE = re.compile(r"\n\s*(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s*(?:x+)?\s*[.!]*\s*$")
_RELATIVE_AFTER = re.compile(
    r"\s*(?:,\s*|\(\s*|\s+is\s+|\s+was\s+)(?:my|our)\s+(?P<who>[\w-]+)(?:\s+(?P<then>[\w-]+))?"
)
_THAT_IS_ME = re.compile(r"\s*\((?:that'?s|that’s|it'?s|it’s|this is)\s+me\)")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [
            _Token(m.group(0), m.start(), m.end(), m.start() == 0 or text[m.start() - 1] == " ")
            for m in _TOKEN.finditer(text)
        ]
        self.lows = [t.low for t in self.tokens]
        self.words = [t.text.lower() for t in self.tokens]  # "name's" as typed, for cues
        self.title_case = self._title_case()

    # --- What a word can be -------------------------------------------------------------------

    def _title_case(self) -> bool:
        """A title written In Title Case (or in capitals): capitals say nothing about names."""
        words = [t for t in self.tokens if t.is_word and len(t.text) > 3]
        if len(words) < 3:
            return False
        return sum(1 for t in words if t.text[0].isupper()) / len(words) >= 0.6

    def sentence_start(self, token: _Token) -> bool:
        before = self.text[: token.start].rstrip(" \t\"'“‘(*-–—")
        return not before or before[-1] in ".!?\n:;…"

    def eponym(self, i: int) -> bool:
        """ "Parkinson's", "Bell's palsy", "Isaac syndrome", "Lou Gehrig's disease"."""
        tokens = self.tokens
        following = tokens[i + 1].low if i + 1 < len(tokens) else ""
        if following in DISEASE_WORDS or (tokens[i].low in EPONYMS and tokens[i].possessive):
            return True
        return i + 1 < len(tokens) and tokens[i + 1].low in EPONYMS and tokens[i + 1].possessive

    def institution(self, i: int) -> bool:
        """ "Mayo Clinic", "Johns Hopkins Hospital", "St Thomas' Hospital", "Fort William"."""
        tokens = self.tokens
        for j in range(i + 1, min(i + 4, len(tokens))):
            if tokens[j].low in ORG_WORDS and tokens[j].capitalised:
                return True
            if not (tokens[j].is_word and tokens[j].capitalised):
                break
        previous = tokens[i - 1].low if i > 0 else ""
        return previous in ("st", "saint", "mount", "mt", "fort", "port", "lake", "san", "santa")

    def name_like(self, i: int, *, lower_ok: bool = False, cued: bool = False) -> bool:
        """Could this word be part of a person's name at all? After a cue a capitalised
        ordinary name is one ("my son Will") though "will" is a function word."""
        token = self.tokens[i]
        if not token.is_word or len(token.base) < 2:
            return False
        if _blocked(token.low) and not (
            cued and token.capitalised and token.low in ordinary_names()
        ):
            return False
        if token.base.isupper():
            return False  # "ECG", "NHS": initials of things, not people
        if not (token.capitalised or lower_ok):
            return False
        if token.low in RELATIVES or token.low in ORG_WORDS:
            return False
        return not (self.eponym(i) or self.institution(i))

    def _surname_like(self, i: int) -> bool:
        token = self.tokens[i]
        if not token.capitalised:
            return False
        if token.low in given_names():
            return True
        return self.name_like(i) and token.low not in ordinary_names()

    def extend(self, i: int, *, lower_ok: bool = False, most: int = 3) -> int:
        """The last token of the name starting at i: a surname or two may follow ("Grace
        Okafor", "Mrs E. Okafor"; "tom baker" after "my name is")."""
        tokens = self.tokens
        j = i
        while j + 1 < len(tokens) and j - i + 1 < most and not tokens[j].possessive:
            nxt = tokens[j + 1]
            initial = nxt.text == "." and len(tokens[j].base) == 1 and j + 2 < len(tokens)
            if initial and tokens[j + 2].after_space and self._surname_like(j + 2):
                j += 2  # an initial: "E. Okafor"
                continue
            if nxt.start != tokens[j].end + 1 or not nxt.after_space:
                break  # one space between the parts of a name
            if lower_ok and not nxt.capitalised:
                ok = nxt.is_word and not _blocked(nxt.low) and nxt.low not in RELATIVES
                ok = ok and (nxt.low in given_names() or not _ends_a_name(nxt.low))
            else:
                ok = self._surname_like(j + 1)
            if not ok:
                break
            j += 1
        return j

    # --- Cues ---------------------------------------------------------------------------------

    def cued(self) -> list[Range]:
        """Names a cue points at."""
        found: list[Range] = []
        rules: tuple[Callable[[int], Iterator[Range]], ...] = (
            self._self_named,
            self._i_am,
            self._relative_then_name,
            self._title_then_name,
            self._name_here,
            self._name_then_relative,
        )
        for i in range(len(self.tokens)):
            for rule in rules:
                found += rule(i)
        found += self._sign_offs()
        return found

    def _take(self, i: int, *, lower_ok: bool = False) -> Iterator[Range]:
        if i < len(self.tokens) and self.name_like(i, lower_ok=lower_ok, cued=True):
            yield (i, self.extend(i, lower_ok=lower_ok))

    def _self_named(self, i: int) -> Iterator[Range]:
        """ "my name is tom baker", "my name's Fernando Alvarez", "call me Jo": any case."""
        for cue in _SELF_CUES:
            after = i + len(cue)
            if tuple(self.words[i:after]) != cue or after >= len(self.tokens):
                continue
            if cue[0] == "call" and self.lows[after] in ("on", "at", "back", "if", "when"):
                continue
            yield from self._take(after, lower_ok=cue[0] in ("my", "name"))

    def _i_am(self, i: int) -> Iterator[Range]:
        """ "I'm Oluwaseun", "I am Grace Chen"; "it's Mark", "this is Sarah" (listed names)."""
        lows, tokens = self.lows, self.tokens
        if lows[i] in ("i'm", "i’m", "im") or lows[i : i + 2] == ["i", "am"]:
            j = i + (2 if lows[i] == "i" else 1)
            if j < len(tokens) and tokens[j].capitalised and self.name_like(j):
                # "im" without its apostrophe is German too ("im Rücken"): listed names only.
                unknown = lows[i] != "im" and not is_common_word(tokens[j].low)
                in_title = self.title_case and tokens[j].low not in given_names()
                if (tokens[j].listed or unknown) and not in_title:
                    yield from self._take(j)
        if lows[i] in ("it's", "it’s") or lows[i : i + 2] == ["this", "is"]:
            j = i + (2 if lows[i] == "this" else 1)
            if j < len(tokens) and tokens[j].capitalised and tokens[j].listed:
                yield from self._take(j)

    def _relative_then_name(self, i: int) -> Iterator[Range]:
        """ "my husband Raj", "my mum Grace Okafor", "my friend Hope", "Grandma Beata"."""
        lows, tokens = self.lows, self.tokens
        if self.title_case or i + 1 >= len(tokens):
            return
        if lows[i] in RELATIVE_TITLES and tokens[i].capitalised and tokens[i + 1].capitalised:
            yield from self._take(i + 1)
            return
        if lows[i] not in ("my", "our", "his", "her", "their", "your"):
            return
        j = i + 1
        while j < len(tokens) and lows[j] in _RELATIVE_ADJECTIVES:
            j += 1
        if j >= len(tokens) or lows[j] not in RELATIVES or tokens[j].possessive:
            return
        k = j + 1
        if k < len(tokens) and tokens[k].text == ",":
            k += 1
        if k < len(tokens) and tokens[k].capitalised and lows[k] not in TITLES:
            yield from self._take(k)  # (a title after it is the title cue's: "Dr. Ana …")

    def _title_then_name(self, i: int) -> Iterator[Range]:
        """ "Dr Banerjee", "Dr. Ana Rodríguez", "Mr Parkinson", "dr patel", "Mrs E. Okafor"."""
        lows, tokens = self.lows, self.tokens
        if lows[i] not in TITLES:
            return
        long_title = lows[i] in ("doctor", "sister", "nurse", "matron", "miss", "professor")
        if long_title and not tokens[i].capitalised:
            return  # "the doctor said", "a nurse told me"
        j = i + 1
        if j < len(tokens) and tokens[j].text == ".":
            j += 1
        if j >= len(tokens) or not tokens[j].is_word:
            return
        word = tokens[j]
        if not word.capitalised and (long_title or is_common_word(word.low)):
            return
        if _blocked(word.low) or word.low in RELATIVES or word.low in ORG_WORDS:
            return
        if word.base.isupper() and len(word.base) > 1:
            return
        if self.institution(j) or (self.eponym(j) and not word.possessive):
            return
        yield (j, self.extend(j))

    def _name_here(self, i: int) -> Iterator[Range]:
        """ "Bill here, 67", "Hello, Yusuf Demir here" at the start of a sentence."""
        tokens = self.tokens
        if self.lows[i] != "here" or i == 0:
            return
        last = first = i - 1
        while first > 0 and i - first < 3 and tokens[first - 1].capitalised:
            if not tokens[first - 1].is_word or tokens[first - 1].low in ("hi", "hello", "hey"):
                break
            first -= 1
        if not (tokens[first].capitalised and self.sentence_start(tokens[first])):
            return
        if first == last and not (tokens[last].listed or not is_known_word(tokens[last].low)):
            return  # "Canada here, 416-555-0143"
        if all(self.name_like(k, cued=True) for k in range(first, last + 1)):
            yield (first, last)

    def _name_then_relative(self, i: int) -> Iterator[Range]:
        """ "Summer is my daughter", "Will (my son, 4)", "Raj, my husband", "Faith (that's me)"."""
        token = self.tokens[i]
        if not (token.capitalised and token.is_word):
            return
        after = self.text[token.end : token.end + 32].lower()
        m = _RELATIVE_AFTER.match(after)
        who = set()
        if m:
            who = {m.group("who")}
            if m.group("who") in _RELATIVE_ADJECTIVES:
                who.add(m.group("then") or "")  # "Raj, my late husband"
        if who & RELATIVES or _THAT_IS_ME.match(after):
            yield from self._take(i)

    def _sign_offs(self) -> list[Range]:
        """ "Thanks in advance, Jenny x", "Regards, Rahul Verma", "– Kev" at the very end, and
        "– Agnieszka." between sentences."""
        found: list[Range] = []
        by_start = {t.start: k for k, t in enumerate(self.tokens)}
        for pattern in (_END_DASH, _SIGN_OFF, _LAST_LINE, _MID_DASH):
            for m in pattern.finditer(self.text):
                k = by_start.get(m.start("name"))
                if k is None:
                    continue
                last = k + len(m.group("name").split()) - 1
                # Lower case only at the very end after a dash ("– kasia") or for a listed name.
                lower_ok = pattern is _END_DASH
                if self._signed(k, last, lower_ok=lower_ok, between=pattern is _MID_DASH):
                    found.append((k, last))
                elif last > k and self._signed(k, k, lower_ok=lower_ok, between=False):
                    found.append((k, k))  # "Regards, Rahul thanks": the first word alone
        return found

    def _signed(self, first: int, last: int, *, lower_ok: bool, between: bool) -> bool:
        for j in range(first, min(last + 1, len(self.tokens))):
            token = self.tokens[j]
            if not self.name_like(j, lower_ok=lower_ok or token.listed):
                return False
            if not token.listed and (
                is_common_word(token.low) or (between and is_known_word(token.low))
            ):
                return False  # "– thanks", "— Edmonton."
        return True

    # --- Listed names and repeats -------------------------------------------------------------

    def listed(self) -> list[Range]:
        """Capitalised given names with no cue: "Hannah and Leo (twins, 3)", "Bunmi from
        Ibadan". An ordinary-word name ("Grace", "Frank") never at the start of a sentence."""
        found: list[Range] = []
        tokens = self.tokens
        for i, token in enumerate(tokens):
            if not (token.capitalised and token.is_word and token.listed):
                continue
            if not self.name_like(i):
                continue
            if token.low in ordinary_names() and self.sentence_start(token):
                continue  # "Grace period …", "Frank question …"
            if i > 0 and tokens[i - 1].low in PLACE_PREPOSITIONS:
                continue  # "in Florence", "near Austin"
            found.append((i, self.extend(i)))
        return found

    def repeats(self, spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
        """Other mentions of a one-word name already found: capitalised, or in lower case when
        the word is not an ordinary one ("sam's number" after "my partner Sam"; not "will" after
        "Will")."""
        names = {self.text[s:e].lower() for s, e in spans if " " not in self.text[s:e]}
        names = {n for n in names if n.isalpha() and len(n) > 1 and not _blocked(n)}
        found: set[tuple[int, int]] = set()
        for i, token in enumerate(self.tokens):
            if token.low not in names or not token.is_word:
                continue
            if not token.capitalised and (token.low in ordinary_names() or token.base != token.low):
                continue
            if self.eponym(i) or self.institution(i):
                continue
            found.add((token.start, token.base_end))
        return found


def _blocked(low: str) -> bool:
    return low in FUNCTION_WORDS or low in MONTHS or low in TITLES


def _ends_a_name(word: str) -> bool:
    return (
        word in _ENDS_A_NAME
        or word.endswith(("ing", "ed", "ly"))
        or (len(word) <= 3 and is_common_word(word))
    )


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
