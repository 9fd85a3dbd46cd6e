"""Canonical parties: every party label a returns file uses, mapped to one party.

Files spell one party many ways ("Democrat", "DEM", "D", "(Dem)" inside a Clarity name,
"DEMOCRATIC-FARMER-LABOR"), and a state affiliate may carry its own name (West Virginia's Mountain
Party is the Green Party there). Comparisons across files (flips, swing, history, maps) are only
right when all of them are the same party, so every label goes through ``canonical_party``.

A canonical party's ``id`` is the slug of its display name, which is what the readers already
store (``democratic``, ``republican``, ``libertarian``, ``working-families``); its ``code`` is the
short form used in issue 10's cases and in reports (DEM, REP, LIB, GRN, CON, IND, ...).

A label that names no party ("NP" in a Clarity ``party`` attribute, "(I)" the incumbent mark, a
write-in marker, "OTHER") gives ``None``. Any other label that is not in the table stays its own
party, with an id derived from the label (``slug``), and ``is_canonical`` tells the import to list
it as unknown. Matching ignores case, whitespace and punctuation, a trailing "Party" or
"Party Nominees", a leading "The", and a trailing state name ("Constitution Party of Florida").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from electoral.model import STATE_NAMES, Party, slug


@dataclass(frozen=True, slots=True)
class CanonicalParty:
    """One party of the table: its short ``code``, the stored ``party`` and the labels files use."""

    code: str
    party: Party
    labels: tuple[str, ...]


def _entry(code: str, name: str, *labels: str) -> CanonicalParty:
    return CanonicalParty(code, Party(slug(name), name), (name, code, *labels))


DEMOCRATIC = Party("democratic", "Democratic")
REPUBLICAN = Party("republican", "Republican")
LIBERTARIAN = Party("libertarian", "Libertarian")
GREEN = Party("green", "Green")
CONSTITUTION = Party("constitution", "Constitution")
INDEPENDENT = Party("independent", "Independent")

# Labels come from the files in ../shared/data: MEDSL party_detailed / party_simplified values for
# president 1976-2024 (state, county and 2024 precinct files), OpenElections IA 2020 / MA 2004 /
# CT 2016 party columns, and the Clarity and OpenElections conventions of issue 10's cases.
TABLE: tuple[CanonicalParty, ...] = (
    # DFL is Minnesota's and Democratic-NPL North Dakota's affiliate of the Democratic Party.
    CanonicalParty("DEM", DEMOCRATIC, ("Democratic", "DEM", "Democrat", "D", "Dem",
                                       "Democratic-Farmer-Labor", "DFL", "Democratic-NPL",
                                       "Democratic Nonpartisan League")),
    CanonicalParty("REP", REPUBLICAN, ("Republican", "REP", "R", "Rep", "GOP")),
    # LPN: the Libertarian Party of Nevada (OpenElections NV 2020 county file).
    CanonicalParty("LIB", LIBERTARIAN, ("Libertarian", "LIB", "LBT", "LBN", "L", "LPF", "LPN")),
    # State affiliates of the Green Party of the United States (gp.org "state parties"):
    # Mountain (WV, MEDSL files it as GREEN), Green-Rainbow (MA), Pacific Green (OR),
    # Green Independent (ME), DC Statehood Green, Wisconsin Green.
    CanonicalParty("GRN", GREEN, ("Green", "GRN", "GRE", "GP", "MTN", "Mountain",
                                  "Green-Rainbow", "Pacific Green", "Green Independent",
                                  "DC Statehood Green", "D.C. Statehood Green", "Wisconsin Green",
                                  "Nevada Green")),
    # State affiliates of the Constitution Party (constitutionparty.com "state parties"): the U.S.
    # Taxpayers Party of Michigan (UST), the American Constitution Party of Colorado and the
    # Independent American Party of Nevada (IAP).
    CanonicalParty("CON", CONSTITUTION, ("Constitution", "CON", "CNST", "CST", "UST",
                                         "U.S. Taxpayers", "US Taxpayers", "Taxpayers",
                                         "American Constitution", "U.S. Constitution",
                                         "Constitutional", "Independent American", "IAP")),
    # NPA ("no party affiliation", Florida) is IND by ../shared/cases/returns/README.md; the other
    # no-party labels ("UNAFFILIATED", "NON-AFFILIATED", NC's "UNA") say the same thing.
    CanonicalParty("IND", INDEPENDENT, ("Independent", "IND", "I", "NPA", "No Party Affiliation",
                                        "No Party", "Non-Affiliated", "Unaffiliated", "UNA",
                                        "UNAF")),
    # Minor parties on several states' presidential ballots (MEDSL 1976-2024, OpenElections).
    _entry("REF", "Reform", "RP", "Reform Party Minnesota"),
    _entry("PSL", "Socialism and Liberation", "Party for Socialism and Liberation", "SAL"),
    _entry("WFP", "Working Families", "WF", "WOR"),
    _entry("ALL", "Alliance", "ALI"),  # IA 2020 "ALL" is De La Fuente's Alliance Party
    _entry("ASP", "American Solidarity", "SOL"),
    _entry("PFP", "Peace and Freedom", "PF", "P&F"),
    _entry("NLP", "Natural Law", "NL"),
    _entry("SWP", "Socialist Workers", "SW"),
    _entry("SEP", "Socialist Equality"),
    _entry("SPU", "Socialist USA", "Socialist Party USA", "Socialist U.S.A."),
    _entry("PRO", "Prohibition", "PRO"),
    _entry("LMN", "Legal Marijuana Now"),
    _entry("AIP", "American Independent"),
    _entry("WWP", "Workers World"),
    _entry("GKH", "Genealogy Know Your Family History",
           "Geneology Know Your Family History"),  # IA 2020, MEDSL's spelling too
)

# Labels that name no party: Clarity's "NP" (not given), the incumbent mark "(I)", write-in
# markers and MEDSL's OTHER / NA / NONPARTISAN (party_simplified for rows without a party).
NOT_PARTIES = frozenset({"", "np", "na", "n/a", "none", "other", "nonpartisan", "non partisan",
                         "write-in", "write in", "writein", "wi", "w/i", "(w/i)", "(write-in)"})
INCUMBENT_MARK = "(i)"

_STATE_SUFFIX = re.compile(r"\s+(?:of\s+)?(?:" + "|".join(
    re.escape(name.lower()) for name in sorted(STATE_NAMES.values(), key=len, reverse=True)
) + r")$")


def _key(label: str) -> str:
    """Case, whitespace and punctuation folded away; "and"/"&" and "Party" suffixes too."""
    text = " ".join(label.lower().replace("&", " and ").split())
    text = _STATE_SUFFIX.sub("", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"\s+(?:party\s+)?nominees$", "", text)
    text = re.sub(r"\s+party$", "", text)
    return text.replace(" ", "")


def _index(table: tuple[CanonicalParty, ...]) -> Mapping[str, CanonicalParty]:
    index: dict[str, CanonicalParty] = {}
    for entry in table:
        for label in entry.labels:
            known = index.setdefault(_key(label), entry)
            if known is not entry:
                raise AssertionError(f"party label {label!r} is in {known.code} and {entry.code}")
    return MappingProxyType(index)


BY_LABEL = _index(TABLE)
BY_ID: Mapping[str, CanonicalParty] = MappingProxyType({e.party.id: e for e in TABLE})


def canonical_party(label: str | None) -> Party | None:
    """The party a label means: a canonical party, ``None`` for "no party", or the label's own.

    Shapes: a label as a file writes it ("Democrat", "(Dem)", "LBN", "MOUNTAIN PARTY") → a
    ``Party`` whose id is stable for that label. ``None`` for labels that name no party (Clarity's
    "NP", the incumbent mark "(I)", write-in markers, "OTHER"). Never raises.
    Source: the table ``TABLE`` (labels from MEDSL, OpenElections and Clarity files).
    """
    if label is None:
        return None
    folded = " ".join(label.lower().split())
    if folded.replace(" ", "") == INCUMBENT_MARK or folded in NOT_PARTIES:
        return None
    key = _key(label)
    if not key:
        return None
    entry = BY_LABEL.get(key) or _fusion(label)
    if entry is not None:
        return entry.party
    name = " ".join(label.split()).strip("()")
    return Party(slug(name) or key, name.title() if name.isupper() else name)


MAJOR = frozenset({"DEM", "REP"})


def _fusion(label: str) -> CanonicalParty | None:
    """The party of a fusion label, the lines a candidate ran on joined by "/" (New York's
    "WORKING FAMILIES / DEMOCRAT", "CONSTITUTION / REPUBLICAN" in MEDSL's 2024 files): the one
    major party among lines that are all parties of the table (MEDSL's party_simplified gives the
    same); ``None`` where a line is unknown or unaffiliated, or the lines name both major parties
    or neither (kept as the label's own party, and listed)."""
    if "/" not in label:
        return None
    lines = [BY_LABEL.get(_key(part)) for part in label.split("/")]
    # an unaffiliated line ("UNAFFILIATED/REPUBLICAN", Colorado 2024) is a candidate who is no
    # party's nominee: MEDSL files it OTHER, and so is it here
    if any(line is None or line.code == "IND" for line in lines):
        return None
    major = {line.code for line in lines if line is not None and line.code in MAJOR}
    if len(major) != 1:
        return None
    return next(line for line in lines if line is not None and line.code in major)


def is_canonical(party: Party | str | None) -> bool:
    """Whether a party (or party id) is one of the table's; ``False`` for a label's own party."""
    party_id = party.id if isinstance(party, Party) else party
    return party_id in BY_ID


def party_code(party: Party | str | None) -> str | None:
    """The short code (``DEM``) of a canonical party or party id; an unknown party's own name;
    ``None`` for no party."""
    if party is None:
        return None
    party_id = party.id if isinstance(party, Party) else party
    entry = BY_ID.get(party_id)
    if entry is not None:
        return entry.code
    return party.name if isinstance(party, Party) else party_id


def by_code(code: str) -> Party:
    """The canonical party with a short code: ``by_code("GRN")`` → Green.

    Raises:
        KeyError: no canonical party has that code.
    """
    for entry in TABLE:
        if entry.code == code:
            return entry.party
    raise KeyError(f"no canonical party has the code {code!r}; the codes are "
                   f"{', '.join(e.code for e in TABLE)}")


@dataclass(frozen=True, slots=True)
class Nomination:
    """A major party's presidential nominee of one year, and whether the ticket won the
    presidency (in the Electoral College, as Congress counted it)."""

    year: int
    party: str  # canonical party id: "democratic", "republican"
    nominee: str
    elected: bool


@cache
def nominations() -> tuple[Nomination, ...]:
    """The Democratic and Republican presidential nominees 1976–2024 and who was elected, from
    the package's ``data/nominees.csv`` (written from the National Archives' Electoral College
    pages, the source on each row)."""
    table = resources.files("electoral").joinpath("data/nominees.csv")
    with table.open(encoding="utf-8") as f:
        return tuple(Nomination(int(r["year"]), r["party"], r["nominee"], r["elected"] == "yes")
                     for r in csv.DictReader(f))


def nominee(year: int, party_id: str) -> str | None:
    """``party_id``'s presidential nominee of ``year`` (``nominations``), ``None`` if unknown."""
    return next((n.nominee for n in nominations() if (n.year, n.party) == (year, party_id)), None)


def elected_party(year: int) -> str | None:
    """The party id of the ticket elected president in ``year`` (``nominations``), ``None`` for
    a year the table does not cover."""
    return next((n.party for n in nominations() if n.year == year and n.elected), None)
