"""Hypothesis strategies for whole ``Returns``: a state, counties, towns and precincts under it,
candidates (tickets, write-ins, aggregates), parties, counts of every vote type and facts."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from electoral.io.stage import validate
from electoral.model import (
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
)

NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
IDS = st.from_regex(r"[a-z0-9][a-z0-9/-]{0,11}", fullmatch=True)


@st.composite
def returns(draw: st.DrawFn) -> Returns:
    state = draw(st.sampled_from(["MO", "CT", "NY", "AK"]))
    year = draw(st.integers(1976, 2028))
    units = [Unit(state, draw(NAMES), UnitKind.STATE, fips="29")]
    for n in range(draw(st.integers(0, 4))):
        units.append(Unit(f"{29000 + n:05d}", draw(NAMES), UnitKind.COUNTY, state,
                          fips=draw(st.none() | st.just(f"{29000 + n:05d}"))))
    for uid in draw(st.lists(IDS, max_size=5, unique=True)):
        parent = draw(st.sampled_from([u.id for u in units]))
        kind = draw(st.sampled_from([UnitKind.TOWN, UnitKind.PRECINCT]))
        groups = tuple(draw(st.lists(st.sampled_from([u.id for u in units[1:]] or [state]),
                                     max_size=1, unique=True)))
        units.append(Unit(f"{state}-x-{uid}", draw(NAMES), kind, parent,
                          tuple(g for g in groups if g != parent)))
    parties = [Party(pid, draw(NAMES)) for pid in draw(st.lists(IDS, max_size=3, unique=True))]
    candidates = [Candidate(cid, draw(NAMES), draw(st.none() | st.sampled_from(
        [p.id for p in parties] or [None])), draw(st.none() | NAMES), draw(st.none() | st.just(
            "TX")), draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
        for cid in draw(st.lists(IDS, min_size=1, max_size=4, unique=True))]
    keys = draw(st.lists(st.tuples(st.sampled_from([u.id for u in units]),
                                   st.sampled_from([c.id for c in candidates]),
                                   st.sampled_from(list(VoteType))), max_size=30, unique=True))
    counts = tuple(Count(u, c, draw(st.integers(0, 10**9)), t) for u, c, t in keys)
    # A fact that knows nothing is no fact: at least one figure is given.
    facts = tuple(UnitFacts(u, draw(st.none() | st.integers(0, 10**7)),
                            draw(st.none() | st.integers(0, 10**7)), draw(st.integers(0, 10**7)))
                  for u in draw(st.lists(st.sampled_from([u.id for u in units]), max_size=3,
                                         unique=True)))
    date = draw(st.none() | st.just(dt.date(year, 11, 3)))
    return validate(Returns(Election(year, state, "president", date, draw(NAMES)),
                            tuple(candidates), tuple(units), counts, tuple(parties), facts,
                            draw(IDS)))
