"""Text handling shared by indexing, lexical queries and explanations."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_WORD = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")

# Words of grammar: they say nothing of what a text is about, in any query.
GRAMMAR_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
    i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
    not of off on once only or other ought our ours ourselves out over own same shan't she
    she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's
    when when's where where's which while who who's whom why why's will with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves
    """.split()
)

# Words every question uses: they carry no topic, match half the archive and slow
# full-text queries down, so they never enter a lexical query or an explanation.
STOPWORDS = GRAMMAR_WORDS | frozenset(
    """
    hello hi dear doctor doctors dr thank thanks please help question ask asking want wanted
    know like just get got getting really also lately recently currently still ever even
    sometimes often always usually much many lot lots bit thing things something anything
    normal worried worry concerned concern advice advise suggest should could would may might
    feel feeling felt seems seem day days week weeks month months year years time times ago
    since past last now today yesterday morning night nights
    """.split()
)


def normalise(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light stemmer for matching explanations ('calves' ~ 'calf', 'twitches' ~ 'twitching')."""
    word = word.replace("'", "")
    for suffix, repl in (
        ("ves", "f"),
        ("ies", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def content_words(text: str) -> list[str]:
    """Words that say what a question is about, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(normalise(text)):
        if len(word) >= 3 and word not in STOPWORDS and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


def content_words_all(text: str) -> list[str]:
    """Every content word in order, repeats included (for term frequencies)."""
    return [
        w
        for w in _WORD.findall(normalise(text))
        if len(w) >= 3 and w not in STOPWORDS and not w.isdigit()
    ]


def stems(text: str) -> dict[str, str]:
    """Stem -> the first surface word with that stem."""
    found: dict[str, str] = {}
    for word in content_words(text):
        found.setdefault(stem(word), word)
    return found


def document_text(title: str, body: str) -> str:
    """What is embedded for a question: the title, then the body."""
    title = " ".join(title.split())
    body = " ".join(body.split())
    if body.startswith(title):
        return body
    return f"{title}. {body}" if title else body


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
