"""A unit's record across elections, and flips."""

from __future__ import annotations

from typing import TYPE_CHECKING

from electoral.api.core import ResultsStore
from electoral.model import Returns, UnitKind

if TYPE_CHECKING:
    from electoral.analyze.compare import Comparison
    from electoral.analyze.history import Flips, History
    from electoral.store_night import NightStore as NightStore


# ---- history -----------------------------------------------------------------------------------


def history(store: ResultsStore, query: str) -> History:
    """The record of a state or county (``MO``, ``29019``, ``Boone County, MO``) across every
    presidential election stored for its state.

    Raises:
        NotFoundError: no such state or county, or no presidential election of its state stored.
    """
    from electoral.analyze.history import find_place, national_ids
    from electoral.analyze.history import history as unit_history

    place = find_place(query)
    elections = _presidential(store, place.state)
    nations = {}
    for year in sorted({r.election.year for r in elections}):
        ids = national_ids(year)
        if all(store.has(i) for i in ids):
            nations[year] = store.load_many(ids)
    return unit_history(place, elections, nations)


def _presidential(store: ResultsStore, state: str) -> list[Returns]:
    """The stored presidential elections of ``state``, oldest first."""
    ids = [e.id for e in sorted(store.elections(), key=lambda e: e.year)
           if e.state == state and e.office == "president"]
    return store.load_many(ids)


def flips_between(store: ResultsStore, state: str, earlier: int, later: int,
                  level: UnitKind = UnitKind.COUNTY) -> Comparison:
    """Flips and swing of ``state``'s units from its ``earlier`` to its ``later`` presidential
    election.

    Raises:
        NotFoundError: either election is not stored, or has no units at ``level``.
    """
    from electoral.analyze.history import flips_between as between

    before, after = store.load_many([f"{earlier}-{state}-president", f"{later}-{state}-president"])
    return between(before, after, level)


def every_flip(store: ResultsStore, state: str,
               level: UnitKind = UnitKind.COUNTY) -> Flips:
    """``(earlier, later, comparison)`` for each pair of consecutive stored presidential
    elections of ``state`` with units at ``level`` (iterate the result), and the years skipped
    for having none (``skipped``)."""
    from electoral.analyze.history import every_flip as pairs
    return pairs(_presidential(store, state.upper()), level)


def render_history(found: History, fmt: str = "text") -> str:
    """``found`` as text or json."""
    from electoral.report.history import render_history as render
    return render(found, fmt)


def render_flips(state: str, pairs: Flips, fmt: str = "text") -> str:
    """The flips of ``every_flip`` as text or json."""
    from electoral.report.history import render_flips as render
    return render(state.upper(), pairs, fmt)


