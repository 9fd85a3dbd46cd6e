"""Named rule sets for the quick count (``electoral rcv --rules NAME``): the jurisdictions whose
ballots are in the project's real data and RCTab's conformance cases.

Each preset sets only the rules its source states; everything else keeps the quick count's
default, and an option given on the command line wins over the preset. The ``source`` of each
says where its rules come from: the RCTab contest config it mirrors (field for field), or the
statute or ordinance section as we read it. Statute readings are ours, not a lawyer's: before
certifying a count, check them against the law in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from electoral.errors import Problem, ValidationError
from electoral.rcv.rules import OvervoteRule, Tiebreak


@dataclass(frozen=True, slots=True)
class Preset:
    """A rule set: the ``QuickOptions`` fields it sets, and where they come from."""

    name: str
    source: str
    rules: dict[str, Any] = field(default_factory=dict)


_MAINE_RULES = {"overvote": OvervoteRule.EXHAUST, "max_skipped": 1, "batch_elimination": True}

PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("minneapolis", "RCTab's 2017_minneapolis_mayor config ('Minneapolis Rules'; "
           "Minneapolis Code of Ordinances ch. 167): an overvoted rank is skipped, two skipped "
           "ranks in a row exhaust, candidates who cannot win drop together, ties by lot; "
           "'UWI' marks are undeclared write-ins, dropped first",
           {"overvote": OvervoteRule.SKIP, "max_skipped": 1, "batch_elimination": True,
            "tiebreak": Tiebreak.RANDOM, "write_in_label": "UWI"}),
    Preset("maine", "Maine Revised Statutes title 21-A §723-A, as RCTab's 'Maine Rules' configs "
           "(2013_minneapolis_mayor) state it: an overvote exhausts, two skipped ranks in a row "
           "exhaust, candidates who cannot win drop together, ties by lot",
           {**_MAINE_RULES, "tiebreak": Tiebreak.RANDOM}),
    Preset("portland-me", "RCTab's 2015_portland_mayor config (Portland, Maine; 'Maine Rules'): "
           "as maine, ties by the order candidates are declared",
           {**_MAINE_RULES, "tiebreak": Tiebreak.CANDIDATE_ORDER}),
    Preset("portland", "Portland, Oregon City Charter as amended by Measure 26-228 (2022): three "
           "councillors per district by single transferable vote, Droop quota, fractional "
           "surplus transfers",
           {"seats": 3}),
    Preset("alaska", "Alaska Statutes §15.15.350 (its overvote and skipped-rank rules are those "
           "of RCTab's 2024_alaska_dominion config): an overvote exhausts, two skipped ranks in "
           "a row exhaust, the count continues until two candidates remain",
           {"overvote": OvervoteRule.EXHAUST, "max_skipped": 1, "continue_until_two": True}),
    Preset("nyc", "New York City Charter §1057-g: an overvote exhausts, skipped ranks are passed "
           "over, candidates who cannot win drop together, the count continues until two "
           "candidates remain, ties by lot",
           {"overvote": OvervoteRule.EXHAUST, "batch_elimination": True,
            "continue_until_two": True, "tiebreak": Tiebreak.RANDOM}),
    Preset("sf", "San Francisco Charter §13.102: an overvote exhausts, skipped ranks are passed "
           "over, candidates whose combined votes are below the next candidate's drop together, "
           "ties by lot",
           {"overvote": OvervoteRule.EXHAUST, "batch_elimination": True,
            "tiebreak": Tiebreak.RANDOM}),
    Preset("burlington", "Burlington, Vermont's instant runoff as the city's official 2009 "
           "OpenSTV report applies it (shared data README; its last round, Kiss 4,313 to Wright "
           "4,061, is reproduced): a rank marking two continuing candidates exhausts, "
           "candidates who cannot win drop together",
           {"overvote": OvervoteRule.EXHAUST_IF_MULTIPLE, "batch_elimination": True}),
    Preset("scotland", "Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1 "
           "rules 45-51: single transferable vote, Droop quota, fractional surplus transfers; "
           "the seats are the ballot file's",
           {"decimals": 5}),
)}


def preset(name: str) -> Preset:
    """The preset called ``name``.

    Raises:
        ValidationError: ``unknown-choice`` listing every preset.
    """
    found = PRESETS.get(name.strip().lower())
    if found is None:
        raise ValidationError([Problem("unknown-choice", f"no rule preset {name!r}; choose from "
                                       f"{', '.join(PRESETS)}", field="rules")])
    return found
