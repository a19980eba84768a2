"""Public pseudonyms: readable, never derived from the e-mail address or name."""

from __future__ import annotations

import secrets
from collections.abc import Callable

_ADJECTIVES = (
    "Amber Azure Brave Bright Calm Cedar Clear Coral Crisp Quiet Gentle Golden Hazel Ivory Jade "
    "Kind Lively Lucky Maple Merry Misty Noble Olive Pine Plucky Rapid Rosy Sage Silver Steady "
    "Sunny Swift Tidy Topaz Velvet Warm Willow Wise Young Zesty"
).split()
_NOUNS = (
    "Badger Beacon Birch Brook Canyon Comet Crane Dune Falcon Fern Finch Fjord Glade Harbor "
    "Heron Island Kestrel Lark Lynx Meadow Otter Owl Pebble Piper Quartz Raven Reef River Robin "
    "Sparrow Spruce Summit Swan Thistle Tide Valley Wren Yarrow"
).split()


def generate_pseudonym(*, taken: Callable[[str], bool]) -> str:
    """Return an unused pseudonym such as 'CalmHeron4821'; `taken` says whether one is in use."""
    for digits in (4, 4, 4, 6, 6, 8):
        name = (
            secrets.choice(_ADJECTIVES)
            + secrets.choice(_NOUNS)
            + str(secrets.randbelow(10**digits)).zfill(digits)
        )
        if not taken(name):
            return name
    raise RuntimeError("Could not find a free pseudonym.")
