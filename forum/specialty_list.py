"""The specialties as lists and pages show them, kept in the shared cache: a few dozen rows that
change only in admin, read by every list page and the question page."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from forum.models import Specialty

# The specialties a list is filtered by: a few dozen rows that change only in admin, read by
# every list page. They are kept in the shared cache, dropped whenever one is saved or deleted
# (forum/signals.py) and read again after SPECIALTIES_KEPT seconds in any case.
SPECIALTIES_KEPT = 300
_SPECIALTIES_KEY = "forum:specialties:1"


def specialties() -> list[dict[str, Any]]:
    """Every specialty as {"pk", "slug", "name"}, by name."""
    rows: list[dict[str, Any]] | None = cache.get(_SPECIALTIES_KEY)
    if rows is None:
        rows = [
            {"pk": pk, "slug": slug, "name": name}
            for pk, slug, name in Specialty.objects.order_by("name", "pk").values_list(
                "pk", "slug", "name"
            )
        ]
        cache.set(_SPECIALTIES_KEY, rows, SPECIALTIES_KEPT)
    return rows


def specialties_changed() -> None:
    cache.delete(_SPECIALTIES_KEY)


def attach_specialties(*rows: Any) -> None:
    """Give each row (a question or an answer read without its specialty) its `specialty`
    from the cached list instead of a join: an instance with the slug and the name (anything
    else is read when asked for). A specialty missing from the cache is left to be read."""
    known: dict[int, dict[str, Any]] | None = None
    for row in rows:
        if row is None or row.specialty_id is None:
            continue
        if known is None:
            known = {item["pk"]: item for item in specialties()}
        item = known.get(row.specialty_id)
        if item is not None:
            row.specialty = Specialty.from_db(
                "default", ["id", "slug", "name"], [item["pk"], item["slug"], item["name"]]
            )


def specialty_id_of(slug: str) -> int | None:
    """The id of the specialty with this slug; None for an unknown one."""
    return next((row["pk"] for row in specialties() if row["slug"] == slug), None)
