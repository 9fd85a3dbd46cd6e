"""Returns built for map and page tests: one county unit per atlas county (FIPS ids, as the MEDSL
county reader makes them), with votes drawn from a seeded generator so every test is repeatable."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from electoral.io.stage import validate
from electoral.model import (
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitKind,
)
from electoral.report.geometry import Feature, load_atlas

PARTIES = (Party("democratic", "Democratic"), Party("republican", "Republican"),
           Party("green", "Green"))
Votes = Callable[[Feature, random.Random], tuple[int, int, int]]


def _random_votes(feature: Feature, rnd: random.Random) -> tuple[int, int, int]:
    return rnd.randint(100, 20_000), rnd.randint(100, 20_000), rnd.randint(0, 400)


def county_returns(state: str, year: int, seed: int = 1, *, votes: Votes = _random_votes,
                   names: tuple[str, str] = ("John Kerry", "George W. Bush"),
                   skip: Iterable[str] = (), extra_units: Iterable[tuple[Unit, tuple[int, ...]]]
                   = ()) -> Returns:
    """Counties of ``state`` ("US": every county) with three candidates' votes each."""
    rnd = random.Random(seed)
    atlas = load_atlas()
    skipped = set(skip)
    features = atlas.counties.values() if state == "US" else atlas.counties_of(state)
    candidates = (Candidate("dem", names[0], "democratic"),
                  Candidate("rep", names[1], "republican"),
                  Candidate("grn", "Ralph Nader", "green"))
    top = Unit(state, STATE_NAMES.get(state, "United States"),
               UnitKind.NATION if state == "US" else UnitKind.STATE)
    units, counts = [top], []
    for feature in features:
        if feature.id in skipped:
            continue
        units.append(Unit(feature.id, feature.name, UnitKind.COUNTY, top.id, fips=feature.id))
        for candidate, n in zip(candidates, votes(feature, rnd), strict=True):
            counts.append(Count(feature.id, candidate.id, n))
    for unit, numbers in extra_units:
        units.append(unit)
        counts += [Count(unit.id, c.id, n) for c, n in zip(candidates, numbers, strict=False)]
    return validate(Returns(Election(year, state), candidates, tuple(units), tuple(counts),
                            PARTIES, source="test returns"))
