"""Canonical parties: every label real files use maps to one party; unknown labels stay their own."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electoral.io.medsl import party_of
from electoral.model import slug
from electoral.parties import (
    BY_ID,
    TABLE,
    by_code,
    canonical_party,
    is_canonical,
    party_code,
)

# (label as a file writes it, the canonical code); sources: issue 10, the returns cases' README,
# MEDSL party_detailed values for president, OpenElections IA 2020 / MA 2004 / CT 2016 columns.
LABELS = [
    *[(label, "DEM") for label in ("Democrat", "Democratic", "DEM", "D", "Dem", "(Dem)", "dem ",
                                   "Democratic-Farmer-Labor", "DFL", "DEMOCRATIC-NPL",
                                   "Democratic Party", "DEMOCRATIC PARTY NOMINEES")],
    *[(label, "REP") for label in ("Republican", "R", "REP", "(Rep)", "Republican Party", "GOP")],
    *[(label, "LIB") for label in ("Libertarian", "LBN", "LBT", "LIB", "(Lib)",
                                   "LIBERTARIAN PARTY OF FLORIDA", "Libertarian Party of Nevada")],
    *[(label, "GRN") for label in ("Green", "GRN", "MTN", "MOUNTAIN", "Mountain Party",
                                   "Green-Rainbow", "PACIFIC GREEN", "GREEN INDEPENDENT",
                                   "D.C. STATEHOOD GREEN", "WISCONSIN GREEN", "Green Party",
                                   "NEVADA GREEN PARTY")],
    *[(label, "CON") for label in ("CNST", "CON", "UST", "Constitution", "CONSTITUTION PARTY",
                                   "CONSTITUTION PARTY OF FLORIDA", "U.S. TAXPAYERS PARTY",
                                   "US TAXPAYERS", "AMERICAN CONSTITUTION", "U.S. Constitution Party",
                                   "INDEPENDENT AMERICAN PARTY")],
    *[(label, "IND") for label in ("Independent", "IND", "NPA", "I", "NO PARTY AFFILIATION",
                                   "UNAFFILIATED", "Non-Affiliated")],
    ("REFORM PARTY", "REF"), ("Reform", "REF"),
    ("PARTY FOR SOCIALISM AND LIBERATION", "PSL"), ("SOCIALISM AND LIBERATION", "PSL"), ("PSL", "PSL"),
    ("PARTY FOR SOCIALISM AND LIBERATION - FLORIDA", "PSL"),
    ("SOCIALISM AND LIBERATION PARTY NOMINEES", "PSL"),
    ("WORKING FAMILIES", "WFP"), ("ALLIANCE", "ALL"), ("ALL", "ALL"),
    ("AMERICAN SOLIDARITY PARTY", "ASP"), ("PEACE & FREEDOM", "PFP"), ("PEACE AND FREEDOM", "PFP"),
    ("NATURAL LAW", "NLP"), ("SOCIALIST WORKERS PARTY NOMINEES", "SWP"),
    ("SOCIALIST EQUALITY PARTY", "SEP"), ("SOCIALIST PARTY USA", "SPU"), ("PROHIBITION", "PRO"),
    ("LEGAL MARIJUANA NOW", "LMN"), ("GKH", "GKH"),
]
NOT_PARTIES = ["NP", "np", "(I)", " ( I ) ", "", "   ", "WRITE-IN", "(Write-In)", "(W/I)", "WI",
               "OTHER", "NA", "NONPARTISAN", "Non Partisan"]


@pytest.mark.parametrize(("label", "code"), LABELS)
def test_labels_map_to_their_canonical_party(label: str, code: str) -> None:
    party = canonical_party(label)
    assert party == by_code(code) and is_canonical(party) and party_code(party) == code


@pytest.mark.parametrize("label", NOT_PARTIES)
def test_labels_that_name_no_party(label: str) -> None:
    assert canonical_party(label) is None and canonical_party(None) is None


def test_canonical_ids_are_the_ids_stored_today() -> None:
    """The readers store the slug of the display name (tests/io/test_medsl_state.py pins
    ``democratic``); the canonical ids must be the same so wiring this in changes no stored id."""
    for major in ("DEMOCRAT", "REPUBLICAN", "LIBERTARIAN"):
        assert party_of(major) == canonical_party(major)
    assert [by_code(c).id for c in ("DEM", "REP", "LIB", "GRN", "CON", "IND")] == [
        "democratic", "republican", "libertarian", "green", "constitution", "independent"]
    assert canonical_party("WORKING FAMILIES") == party_of("WORKING FAMILIES")
    assert all(e.party.id == slug(e.party.name) for e in TABLE)
    assert len(BY_ID) == len(TABLE) == len({e.code for e in TABLE})


def test_unknown_labels_stay_their_own_party_flagged() -> None:
    unity = canonical_party("Unity Alliance")
    assert unity is not None and unity.id == "unity-alliance" and unity.name == "Unity Alliance"
    assert not is_canonical(unity) and party_code(unity) == "Unity Alliance"
    # the id stored today for an unknown MEDSL label is kept (tests/io/test_medsl_state.py)
    assert canonical_party("LIBERAL PARTY") == party_of("LIBERAL PARTY")
    # fusion labels: the one major party's line, as MEDSL's party_simplified; both majors, or an
    # unaffiliated line, are not guessed to be either
    assert party_code(canonical_party("WORKING FAMILIES / DEMOCRAT")) == "DEM"
    assert not is_canonical(canonical_party("DEMOCRAT/REPUBLICAN"))
    assert not is_canonical(canonical_party("UNAFFILIATED/REPUBLICAN"))
    assert not is_canonical(canonical_party("INDEPENDENT GREEN"))  # Virginia's, not the Greens
    with pytest.raises(KeyError, match="no canonical party"):
        by_code("XYZ")


def test_case_03_labels(shared: Path) -> None:
    """Case 03: every party label of the 2016 and 2020 files gives the README's canonical party."""
    want = {"Kessel": "DEM", "Lindqvist": "REP", "Mace": "LIB", "Solano": "GRN", "Marsh": "DEM",
            "Dunmore": "REP", "Finch": "LIB", "Holloway": "GRN", "Quimby": "CON", "Varga": "IND",
            "Ostrander": "Unity Alliance"}
    seen = set()
    for path in sorted((shared / "cases/returns/03-party-labels").glob("*.csv")):
        for row in csv.DictReader(path.read_text().splitlines()):
            surname = row["candidate"].split()[-1]
            assert party_code(canonical_party(row["party"])) == want[surname], row
            seen.add(surname)
    assert seen == set(want)


def test_every_medsl_presidential_label_maps_consistently(shared: Path) -> None:
    """Over every party label in the MEDSL presidential files (state 1976-2024, county 2000-2020):
    a label that spells a major party ("DEMOCRATIC-NPL", "LIBERTARIAN PARTY OF FLORIDA") gets that
    party, and no label is given a major party that MEDSL's party_simplified does not give it."""
    major = {"DEMOCRAT": "DEM", "REPUBLICAN": "REP", "LIBERTARIAN": "LIB"}
    state = shared / "data/state_presidential"
    rows = [r for name in ("1976-2020-president.csv", "2024-president-state.csv")
            for r in csv.DictReader((state / name).read_text().splitlines())]
    with gzip.open(shared / "data/county_presidential/countypres_2000-2020.csv.gz", "rt") as f:
        rows += [{"party_detailed": r["party"], "party_simplified": r["party"]}
                 for r in csv.DictReader(f)]
    labels = {(r["party_detailed"], r["party_simplified"]) for r in rows}
    assert len(labels) > 150
    for detailed, simplified in labels:
        code = party_code(canonical_party(detailed))
        if simplified in major and detailed.startswith(simplified) and "/" not in detailed:
            assert code == major[simplified], detailed
        if code in major.values() and major.get(simplified) != code:
            # write-in candidates MEDSL files under OTHER (CO, MD, NM 2024) name the party itself
            assert detailed in ("DEMOCRATIC", "REPUBLICAN", "LIBERTARIAN"), (detailed, simplified)


LABEL_TEXT = st.sampled_from([label for label, _ in LABELS] + ["Unity Alliance", "Liberal Party",
                                                                 "Peace and Justice"])


def _respell(label: str, draw: st.DrawFn) -> str:
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in label)
    return draw(st.sampled_from(["", " ", "  "])) + cased.replace(" ", draw(
        st.sampled_from([" ", "  ", " \t"]))) + draw(st.sampled_from(["", " ", "\n"]))


@given(st.data())
def test_respelling_case_and_whitespace_never_changes_the_party(data: st.DataObject) -> None:
    label = data.draw(LABEL_TEXT)
    respelled = _respell(label, data.draw)
    assert party_code(canonical_party(respelled)) == party_code(canonical_party(label)) or (
        not is_canonical(canonical_party(label))
        and canonical_party(respelled).id == canonical_party(label).id  # type: ignore[union-attr]
    )


@given(st.text(max_size=40))
def test_any_label_gives_a_party_or_none_and_never_raises(label: str) -> None:
    party = canonical_party(label)
    assert party is None or (bool(party.id) and canonical_party(party.name) is not None)


@pytest.mark.parametrize(("label", "code"), [
    ("WORKING FAMILIES / DEMOCRAT", "DEM"),  # MEDSL 2024, New York's fusion lines
    ("CONSTITUTION / REPUBLICAN", "REP"),
    ("Democratic/Working Families", "DEM"),
    ("DEMOCRAT / REPUBLICAN", "Democrat / Republican"),  # both majors: not one party, kept
    ("GREEN / LIBERTARIAN", "Green / Libertarian"),  # no major line: kept as written
    ("Unheard Of / Democrat", "Unheard Of / Democrat"),  # a line not in the table: kept
])
def test_a_fusion_label_is_its_one_major_party(label: str, code: str) -> None:
    assert party_code(canonical_party(label)) == code
