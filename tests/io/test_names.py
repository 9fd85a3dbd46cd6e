"""Candidate names: the spellings real files use, and which of a contest's spellings are one candidate."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.io.names import (
    NameForm,
    merge_spellings,
    name_from_parts,
    parse_name,
    read_aliases,
    split_marks,
)
from electoral.parties import canonical_party, party_code

CASE_02 = Path("cases/returns/02-candidate-spellings")

# (spelling, candidate's display name, running mate's display name or None, form)
FORMS = [
    ("Joseph R. Biden", "Joseph R. Biden", None, NameForm.PERSONAL),
    ("BIDEN, JOE", "JOE BIDEN", None, NameForm.LAST_FIRST),
    ("Biden/Harris", "Biden", "Harris", NameForm.TICKET),
    ("Joseph R. Biden w/ Kamala D. Harris", "Joseph R. Biden", "Kamala D. Harris", NameForm.TICKET),
    ("Donald J. TrumpMicheal R. Pence", "Donald J. Trump", "Micheal R. Pence", NameForm.CONCATENATED),
    ("Ada Q. Marsh / Ben T. Ortiz", "Ada Q. Marsh", "Ben T. Ortiz", NameForm.TICKET),
    ("Joseph R. Biden and Kamala D. Harris", "Joseph R. Biden", "Kamala D. Harris", NameForm.TICKET),
    ("Kerry and Edwards", "Kerry", "Edwards", NameForm.TICKET),  # OpenElections MA 2004
    ("Roque Rocky De La Fuente and Darcy G. Richardson", "Roque Rocky De La Fuente",
     "Darcy G. Richardson", NameForm.TICKET),  # OpenElections IA 2020
    ("Klojzy Jr. and LeMay", "Klojzy Jr.", "LeMay", NameForm.TICKET),  # OpenElections CT 2016
    ("Trump, Donald J. / Pence, Michael R.", "Donald J. Trump", "Michael R. Pence", NameForm.TICKET),
    ("Dunmore Jr., Cole R.", "Cole R. Dunmore Jr.", None, NameForm.LAST_FIRST),
    ("Cole R. Dunmore, Jr.", "Cole R. Dunmore Jr.", None, NameForm.PERSONAL),
    ("Ron DeSantis", "Ron DeSantis", None, NameForm.PERSONAL),
    ("Douglas MacArthur Smith", "Douglas MacArthur Smith", None, NameForm.PERSONAL),
    ("Alexandria Ocasio-Cortez", "Alexandria Ocasio-Cortez", None, NameForm.PERSONAL),
    ("  Ada   Q.  Marsh ", "Ada Q. Marsh", None, NameForm.PERSONAL),
    ("MARSH", "MARSH", None, NameForm.SURNAME),
]


@pytest.mark.parametrize(("text", "lead", "mate", "form"), FORMS)
def test_parse_forms(text: str, lead: str, mate: str | None, form: NameForm) -> None:
    name = parse_name(text)
    assert name.candidate.display == lead and name.form is form
    assert lead.endswith(name.candidate.surname + (f" {name.candidate.suffix}" if name.candidate.suffix
                                                   else ""))
    assert (name.running_mate.display if name.running_mate else None) == mate


def test_the_two_ambiguous_forms_carry_their_ticket_reading() -> None:
    comma = parse_name("BIDEN, HARRIS")
    assert comma.form is NameForm.LAST_FIRST and comma.candidate.given == ("HARRIS",)
    assert comma.alternative is not None and comma.alternative.running_mate is not None
    assert comma.alternative.running_mate.surname == "HARRIS"
    hyphen = parse_name("MARSH-ORTIZ")
    assert hyphen.candidate.surname == "MARSH-ORTIZ" and hyphen.alternative is not None
    assert parse_name("Marsh, A.").alternative is None  # an initial is a given name
    assert parse_name("MARSH, ADA Q.").alternative is None


def test_issue_spellings_are_one_ticket() -> None:
    """The issue's example: every Biden form is one candidate, and "BIDEN, HARRIS" is the ticket
    (Harris is the running mate's surname in the contest), while "BIDEN, JOE" is one person."""
    dem = ["Joseph R. Biden", "BIDEN, JOE", "Biden/Harris", "Joseph R. Biden w/ Kamala D. Harris",
           "BIDEN, HARRIS"]
    rep = ["Donald J. TrumpMicheal R. Pence", "TRUMP, DONALD J.", "Trump/Pence"]
    merge = merge_spellings([(s, "democratic") for s in dem] + [(s, "republican") for s in rep])
    assert [(g.name, g.running_mate, len(g.spellings)) for g in merge.groups] == [
        ("Joseph R. Biden", "Kamala D. Harris", 5), ("Donald J. Trump", "Micheal R. Pence", 3)]
    assert not merge.undecided


def _case_02(shared: Path) -> list[tuple[int, str, str | None, int]]:
    rows = csv.DictReader((shared / CASE_02 / "20201103__nh__general__county.csv").read_text()
                          .splitlines())
    out = []
    for line, row in enumerate(rows, start=2):
        party = canonical_party(row["party"])
        out.append((line, row["candidate"], party.id if party else None, int(row["votes"])))
    return out


def test_case_02_grouping(shared: Path) -> None:
    """The README's grouping on the file's exact spellings: four candidates, every spelling listed,
    "MARSH" (no party) undecided between the two Marshes."""
    rows = _case_02(shared)
    expected = json.loads((shared / CASE_02 / "expected.json").read_text())["runs"][0]
    merge = merge_spellings((name, party) for _, name, party, _ in rows)
    got = {(party_code(g.party), g.surname.lower()): sorted(s for s, _ in g.spellings)
           for g in merge.groups}
    want = {(m["party"], m["candidate"].split()[-1].lower()): sorted(m["spellings"])
            for m in expected["merged"]}
    assert got == want
    (undecided,) = merge.undecided
    assert undecided.spelling == ("MARSH", None)
    assert [re.sub(r" \(.*", "", c).split()[-1] for c in undecided.could_be] == ["Marsh", "Marsh"]
    votes: Counter[str] = Counter()
    for _, name, party, n in rows:
        group = merge.group_of((name, party))
        votes[f"{party_code(group.party)}" if group else f"undecided {name}"] += n
    assert votes == {"DEM": 17_000, "REP": 16_600, "LIB": 705, "IND": 91, "undecided MARSH": 600}
    # display names are personal-name forms, never reversed or ticket forms
    assert {g.name for g in merge.groups} == {"Ada Q. Marsh", "Cole R. Dunmore", "Dara J. Finch",
                                              "Hugo E. Marsh"}


def test_case_02_with_the_users_aliases(shared: Path) -> None:
    aliases = read_aliases((shared / CASE_02 / "aliases.csv").read_text().splitlines())
    assert aliases == {"MARSH": "Ada Q. Marsh"}
    rows = _case_02(shared)
    merge = merge_spellings(((name, party) for _, name, party, _ in rows), aliases)
    assert not merge.undecided
    marsh = merge.group_of(("MARSH", None))
    assert marsh is not None and marsh.name == "Ada Q. Marsh" and marsh.party == "democratic"
    assert sum(n for _, name, party, n in rows if merge.group_of((name, party)) == marsh) == 17_600


def test_aliases_file_problems_are_located() -> None:
    with pytest.raises(ValidationError) as error:
        read_aliases(["spelling,candidate", "MARSH,Ada Q. Marsh", "MARSH,Hugo Marsh", ",x"], "a.csv")
    assert [(p.code, p.line) for p in error.value.problems] == [("aliases-conflict", 3),
                                                                ("aliases-empty", 4)]
    with pytest.raises(ValidationError, match="spelling,candidate"):
        read_aliases(["who,what", "a,b"])


def test_an_alias_to_a_name_not_in_the_contest_is_its_own_group() -> None:
    merge = merge_spellings([("Ada Marsh", "democratic"), ("A. M.", None)], {"a. m.": "Ann Moss"})
    assert {(g.name, g.spellings) for g in merge.groups} == {
        ("Ada Marsh", (("Ada Marsh", "democratic"),)), ("Ann Moss", (("A. M.", None),))}


def test_partyless_spellings() -> None:
    """A partyless spelling joins the one candidate it fits; with two it is undecided; a partyless
    write-in is its own candidate."""
    merge = merge_spellings([("Ada Q. Marsh", "democratic"), ("Marsh", None), ("Jonah P. Lark", None),
                             ("LARK, JONAH", None), ("Hugo Marsh", None)])
    assert {(g.name, len(g.spellings)) for g in merge.groups} == {
        ("Ada Q. Marsh", 1), ("Hugo Marsh", 1), ("Jonah P. Lark", 2)}
    assert [u.could_be for u in merge.undecided] == [("Ada Q. Marsh (democratic)", "Hugo Marsh")]
    one = merge_spellings([("Ada Q. Marsh", "democratic"), ("MARSH", None)])
    assert [len(g.spellings) for g in one.groups] == [2] and not one.undecided


def test_last_first_is_never_two_people() -> None:
    merge = merge_spellings([("MARSH, HUGO", "independent"), ("Hugo Marsh", "independent")])
    (group,) = merge.groups
    assert group.name == "Hugo Marsh" and group.running_mate is None


def test_case_13_name_columns(shared: Path) -> None:
    path = shared / "cases/returns/13-name-variant-last-first/20201103__de__general_county.csv"
    names = {name_from_parts(r["first"], r["middle"], r["last"], r["suffix"])
             for r in csv.DictReader(path.read_text().splitlines())}
    assert names == {"Ada Q. Marsh", "Cole R. Dunmore Jr.", "Dara J. Finch"}


def test_case_04_clarity_marks(shared: Path) -> None:
    text = (shared / "cases/returns/04-clarity-party-in-name/detail.xml").read_text()
    choices = re.findall(r'<Choice key="\d+" text="([^"]+)" party="([^"]*)"', text)
    got = {split_marks(t)[0]: (party_code(canonical_party(split_marks(t)[1])), split_marks(t)[2],
                               canonical_party(p)) for t, p in choices}
    assert got == {"Cole R. Dunmore": ("REP", True, None), "Ada Q. Marsh": ("DEM", False, None),
                   "Dara J. Finch": ("LIB", False, None)}
    assert split_marks("Write-in (Write-In)") == ("Write-in", "(Write-In)", False)
    assert split_marks("(I)") == ("(I)", None, False)


SPELLINGS = st.lists(st.sampled_from([
    ("Ada Q. Marsh", "democratic"), ("MARSH, ADA Q.", "democratic"), ("MARSH, ORTIZ", "democratic"),
    ("Ada Q. MarshBen T. Ortiz", "democratic"), ("MARSH-ORTIZ", "democratic"),
    ("Marsh/Ortiz", "democratic"), ("Hugo Marsh", "independent"), ("Marsh, Hugo", "independent"),
    ("MARSH", None), ("Cole R. Dunmore w/ Vera L. Pryce", "republican"), ("DUNMORE, PRYCE", "republican"),
    ("Dunmore, Cole", "republican"), ("Jonah P. Lark", None), ("LARK", None), ("Hugo E. Marsh", None),
]), min_size=1, max_size=12)


@given(SPELLINGS, st.randoms())
def test_merge_is_order_independent(spellings: list[tuple[str, str | None]], rnd: object) -> None:
    shuffled = list(spellings)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge_spellings(shuffled) == merge_spellings(spellings)


@given(SPELLINGS)
def test_merge_is_idempotent(spellings: list[tuple[str, str | None]]) -> None:
    """Adding each group's display name (with its party) changes no grouping, and every spelling
    is either in exactly one group or undecided."""
    first = merge_spellings(spellings)
    again = merge_spellings([*spellings, *((g.name, g.party) for g in first.groups)])
    for group in first.groups:
        assert {s for s in again.group_of(group.spellings[0]).spellings  # type: ignore[union-attr]
                if s in set(spellings)} == set(group.spellings)
    placed = [s for g in first.groups for s in g.spellings] + [u.spelling for u in first.undecided]
    assert sorted(placed, key=str) == sorted(set(spellings), key=str)


def test_one_party_two_first_names_are_two_candidates() -> None:
    """Maryland's 2024 MEDSL file files a write-in "SHARON E HARRIS" under DEMOCRATIC beside
    "KAMALA D HARRIS": same party and surname, two people; a bare "HARRIS" fits both."""
    merge = merge_spellings([("KAMALA D HARRIS", "democratic"), ("SHARON E HARRIS", "democratic"),
                             ("HARRIS", "democratic"), ("Kamala Harris", "democratic")])
    assert {(g.name, len(g.spellings)) for g in merge.groups} == {("Kamala D Harris", 2),
                                                                 ("Sharon E Harris", 1)}
    assert [u.spelling for u in merge.undecided] == [("HARRIS", "democratic")]
    nick = merge_spellings([("Joseph R. Biden", "democratic"), ("BIDEN, JOE", "democratic"),
                            ("William J. Clinton", "democratic"), ("Bill Clinton", "democratic")])
    assert [len(g.spellings) for g in nick.groups] == [2, 2]


@given(SPELLINGS, st.sampled_from([" ", "  ", "\t", " \n "]))
def test_respacing_never_changes_the_grouping(spellings: list[tuple[str, str | None]], gap: str) -> None:
    def partition(pairs: list[tuple[str, str | None]]) -> set[frozenset[tuple[str, str | None]]]:
        merge = merge_spellings(pairs)
        return {frozenset((" ".join(s.split()), p) for s, p in g.spellings) for g in merge.groups}

    respaced = [(gap + gap.join(s.split()) + gap, p) for s, p in spellings]
    assert partition(respaced) == partition(spellings)
