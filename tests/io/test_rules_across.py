"""One candidate across the files of one election (io.rules_across): each county file spells the
candidates its own way; the merge gives every file's counts one candidate id."""

from __future__ import annotations

from collections import Counter

from electoral.columns import ReturnsTable
from electoral.io.rules_across import one_candidate_per_person
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind

ELECTION = Election(2020, "DE")
STATE = Unit("de", "Delaware", UnitKind.STATE)


def county_file(county: str, candidates: list[tuple[str, str, str | None, int]]) -> ReturnsTable:
    """A county's file: (candidate id, name as written, party id, votes) per candidate."""
    unit = Unit(county.lower(), county, UnitKind.COUNTY, "de")
    returns = Returns(ELECTION, tuple(Candidate(cid, name, party) for cid, name, party, _ in candidates),
                      (STATE, unit),
                      tuple(Count(unit.id, cid, votes, line=n + 2)
                            for n, (cid, _, _, votes) in enumerate(candidates)),
                      source=f"{county}.csv")
    return ReturnsTable.of(returns)


def totals(tables: tuple[ReturnsTable, ...]) -> Counter[tuple[str, str | None]]:
    """Votes per (candidate name, party) over every file, by the ids the counts carry."""
    out: Counter[tuple[str, str | None]] = Counter()
    for table in tables:
        by_id = {c.id: c for c in table.returns.candidates}
        for count in table.materialized().counts:
            candidate = by_id[count.candidate]
            out[(candidate.name, candidate.party)] += count.votes or 0
    return out


def test_each_county_spelling_becomes_one_candidate() -> None:
    kent = county_file("Kent", [("ada-q-marsh", "Ada Q. Marsh", "democratic", 100),
                                ("cole-r-dunmore", "Cole R. Dunmore", "republican", 90)])
    sussex = county_file("Sussex", [("marsh-ada-q", "MARSH, ADA Q.", "democratic", 40),
                                    ("dunmore-cole-r", "DUNMORE, COLE R.", "republican", 70)])
    newcastle = county_file("New Castle", [
        ("ada-q-marsh-ben-t-ortiz", "Ada Q. Marsh / Ben T. Ortiz", "democratic", 300),
        ("cole-r-dunmore-vera-l-pryce", "Cole R. Dunmore / Vera L. Pryce", "republican", 200)])
    across = one_candidate_per_person([kent, sussex, newcastle])
    assert totals(across.tables) == {("Ada Q. Marsh", "democratic"): 440,
                                     ("Cole R. Dunmore", "republican"): 360}
    ids = {c.id for t in across.tables for c in t.returns.candidates}
    assert ids == {"ada-q-marsh", "cole-r-dunmore"}
    marsh = next(c for c in across.tables[2].returns.candidates if c.party == "democratic")
    assert marsh.running_mate == "Ben T. Ortiz"
    assert {(m.candidate, m.spellings) for m in across.merged} == {
        ("Ada Q. Marsh", ("Ada Q. Marsh", "Ada Q. Marsh / Ben T. Ortiz", "MARSH, ADA Q.")),
        ("Cole R. Dunmore", ("Cole R. Dunmore", "Cole R. Dunmore / Vera L. Pryce",
                             "DUNMORE, COLE R."))}
    assert across.renames == {} and across.undecided == ()


def test_a_stored_candidate_keeps_its_id_and_takes_the_fuller_name() -> None:
    stored = [Candidate("ada-marsh", "Ada Marsh", "democratic")]
    later = county_file("Kent", [("ada-q-marsh", "Ada Q. Marsh", "democratic", 100)])
    across = one_candidate_per_person([later], stored)
    assert [c.id for c in across.tables[0].returns.candidates] == ["ada-marsh"]
    assert across.renames == {"ada-marsh": ("Ada Q. Marsh", None)}
    assert totals(across.tables) == {("Ada Q. Marsh", "democratic"): 100}


def test_two_people_of_one_surname_in_other_parties_stay_two() -> None:
    kent = county_file("Kent", [("ada-q-marsh", "Ada Q. Marsh", "democratic", 100)])
    sussex = county_file("Sussex", [("hugo-marsh", "Hugo Marsh", "independent", 8)])
    across = one_candidate_per_person([kent, sussex])
    assert totals(across.tables) == {("Ada Q. Marsh", "democratic"): 100,
                                     ("Hugo Marsh", "independent"): 8}
    assert across.merged == ()


def test_a_bare_surname_that_fits_two_candidates_is_undecided_with_its_rows() -> None:
    kent = county_file("Kent", [("ada-q-marsh", "Ada Q. Marsh", "democratic", 100)])
    sussex = county_file("Sussex", [("hugo-marsh", "Hugo Marsh", "independent", 8)])
    newcastle = county_file("New Castle", [("marsh", "MARSH", None, 60)])
    across = one_candidate_per_person([kent, sussex, newcastle])
    assert totals(across.tables)[("MARSH", None)] == 60
    (undecided,) = across.undecided
    assert (undecided.spelling, undecided.votes, undecided.line) == ("MARSH", 60, 2)
    assert {name for name, _ in undecided.candidates} == {"Ada Q. Marsh", "Hugo Marsh"}


def test_what_one_file_kept_apart_stays_apart() -> None:
    """Two spellings with votes in one unit of one file were kept apart by that file's rule."""
    both = county_file("Kent", [("ada-q-marsh", "Ada Q. Marsh", "democratic", 100),
                                ("marsh-ada-q", "MARSH, ADA Q.", "democratic", 5)])
    other = county_file("Sussex", [("ada-marsh", "Ada Marsh", "democratic", 40)])
    across = one_candidate_per_person([both, other])
    assert len({c.id for t in across.tables for c in t.returns.candidates}) == 3


def test_an_unknown_party_label_beside_a_canonical_one_takes_the_canonical_party() -> None:
    """IA 2020: one county file labels a ticket "GFH", the others "Genealogy Know Your Family
    History": one candidate, of the canonical party, as in the whole file."""
    adair = county_file("Adair", [("king", "Ricki Sue King", "genealogy-know-your-family-history", 3)])
    delaware = county_file("Delaware", [("king", "Ricki Sue King", "gfh", 2)])
    across = one_candidate_per_person([adair, delaware])
    assert totals(across.tables) == {("Ricki Sue King", "genealogy-know-your-family-history"): 5}
    (labels,) = across.labels
    assert labels.chosen == "genealogy-know-your-family-history"
    assert dict(labels.parties) == {"genealogy-know-your-family-history": (0,), "gfh": (1,)}
    assert any(p.id == "genealogy-know-your-family-history" for p in across.tables[1].returns.parties)


def test_two_canonical_parties_for_one_name_are_a_conflict() -> None:
    kent = county_file("Kent", [("ann-lee", "Ann Lee", "democratic", 3)])
    sussex = county_file("Sussex", [("ann-lee", "Ann Lee", "republican", 2)])
    (labels,) = one_candidate_per_person([kent, sussex]).labels
    assert labels.chosen is None and labels.name == "Ann Lee"
