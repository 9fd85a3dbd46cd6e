"""Issue 10's new user's files (their notes F1-F5, F21, F23, F32): each fault's whole kind, with the
right value as the test. The files are the shapes they tried (OpenElections NV, GA, NY 2020;
a precinct file with a TOTAL precinct), cut to a few rows; the figures are the files' own."""

from __future__ import annotations

import io

import pytest

from electoral.columns import ReturnsTable
from electoral.errors import ValidationError
from electoral.io import ReadOptions
from electoral.io.names import merge_spellings
from electoral.io.offices import is_presidency
from electoral.io.openelections import read_openelections, vote_type
from electoral.io.pseudo import is_total_unit, left_out_kind
from electoral.io.stage import stage
from electoral.model import Note, Returns, UnitKind, VoteType
from electoral.tabulate.rollup import roll_up

HEAD = "county,precinct,office,district,party,candidate,votes\n"
KENT = "20201103__de__general__kent__precinct.csv"


def staged(text: str, name: str = KENT, contest: str | None = None) -> Returns:
    tables = [ReturnsTable.of(r) for r in read_openelections(io.StringIO(text), name,
                                                             ReadOptions(contest=contest))]
    (table,) = stage(tables)
    return table.materialized()


def totals(returns: Returns, level: UnitKind = UnitKind.STATE) -> dict[str, int]:
    row = roll_up(returns, level).total
    return {returns.candidate(c).name: v for c, v in row.votes.items()}


# ---- F23: rows that are not votes for a candidate ----------------------------------------------

PSEUDO = [("Total Ballots", 2000, "ballots_cast"), ("Total Registration", 3500, "registered_voters"),
          ("Voters", 2000, "voters"), ("Ballots Counted", 2000, "ballots_cast"),
          ("Precincts Reporting", 1, "precincts"), ("No Vote", 40, "undervotes"),
          ("Rejected write-in votes", 5, "rejected_write_ins"), ("BALLOTS CAST - BLANK", 40, "blank"),
          ("Overvotes/Undervotes", 40, "over_and_undervotes"),
          ("Provisional Ballots", 20, "ballots_of_type"), ("Absentee Ballots", 300, "ballots_of_type"),
          ("Turnout", 2000, "ballots_cast"), ("Ballots Issued", 2010, "ballots_issued"),
          ("Number of Precincts", 1, "precincts"), ("Straight Party", 400, "straight_party"),
          ("Write-In Totals", 0, "write_in_total")]


@pytest.mark.parametrize("label,votes,kind", PSEUDO)
def test_each_pseudo_label_is_left_out_with_its_kind(label: str, votes: int, kind: str) -> None:
    # Write-In Totals beside its parts (one write-in with 0 votes): left out, as the others
    write_in = "Kent,P1,President,,,Write-in: Zed,0\n" if kind == "write_in_total" else ""
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,1000\n"
                     f"Kent,P1,President,,REP,Cole Dunmore,900\n{write_in}"
                     f"Kent,P1,President,,,{label},{votes}\n")
    assert totals(returns) == {"Ada Marsh": 1000, "Cole Dunmore": 900,
                               **({"Write-in: Zed": 0} if write_in else {})}
    assert [(e.label, e.kind, e.votes) for e in returns.exclusions] == [(label, kind, votes)]
    assert left_out_kind(label) == kind


def test_total_registration_never_wins() -> None:
    """The user's file: registration, ballots and 'No Vote' beside two candidates."""
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,1000\n"
                     "Kent,P1,President,,REP,Cole Dunmore,900\n"
                     "Kent,P1,President,,,Total Registration,3500\n"
                     "Kent,P1,President,,,Total Ballots,2000\n"
                     "Kent,P1,President,,,No Vote,40\n")
    assert totals(returns) == {"Ada Marsh": 1000, "Cole Dunmore": 900}
    assert {f.unit: (f.registered, f.ballots_cast) for f in returns.facts} == {
        "10001/p1": (3500, 2000)}


def test_a_label_no_vocabulary_has_is_left_out_by_its_shape_with_a_warning() -> None:
    """A partyless row above all the party candidates together in every unit is turnout; a
    partyless candidate below them is counted."""
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,1000\n"
                     "Kent,P1,President,,REP,Cole Dunmore,900\n"
                     "Kent,P1,President,,,Voters Checked In,2100\n"
                     "Kent,P1,President,,,Joe Smith,5\n"
                     "Kent,P2,President,,DEM,Ada Marsh,100\n"
                     "Kent,P2,President,,REP,Cole Dunmore,90\n"
                     "Kent,P2,President,,,Voters Checked In,200\n")
    assert totals(returns) == {"Ada Marsh": 1100, "Cole Dunmore": 990, "Joe Smith": 5}
    assert [(e.line, e.kind) for e in returns.exclusions] == [(4, "voters"), (8, "voters")]
    (warning,) = returns.warnings
    assert warning.kind == "left_out_by_shape" and warning.lines == (4, 8)
    assert "Voters Checked In" in warning.detail


def test_without_parties_no_row_is_judged_by_being_above_the_others() -> None:
    """A file with no party column: a landslide is a landslide, never turnout."""
    returns = staged("county,precinct,office,candidate,votes\nKent,P1,President,Ada Marsh,900\n"
                     "Kent,P1,President,Cole Dunmore,100\nKent,P1,President,Jo Jones,50\n")
    assert totals(returns) == {"Ada Marsh": 900, "Cole Dunmore": 100, "Jo Jones": 50}
    assert not returns.exclusions and not returns.warnings


# ---- F2: a unit column that says Total is a total row -----------------------------------------


@pytest.mark.parametrize("word", ["Total", "TOTAL", "County Total", "Total Votes", "Totals",
                                  "Kent County Totals"])
def test_a_total_precinct_is_the_county_total_checked_and_left_out(word: str) -> None:
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\n"
                     "Kent,P1,President,,REP,Cole Dunmore,90\n"
                     "Kent,P2,President,,DEM,Ada Marsh,50\n"
                     "Kent,P2,President,,REP,Cole Dunmore,60\n"
                     f"Kent,{word},President,,DEM,Ada Marsh,150\n"
                     f"Kent,{word},President,,REP,Cole Dunmore,150\n",
                     "20201103__de__general__precinct.csv")
    assert totals(returns) == {"Ada Marsh": 150, "Cole Dunmore": 150}
    assert len(list(returns.units_of(UnitKind.PRECINCT))) == 2
    assert [(e.line, e.kind) for e in returns.exclusions] == [(6, "county_total"),
                                                            (7, "county_total")]


def test_a_total_precinct_that_disagrees_is_a_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\nKent,P2,President,,DEM,Ada Marsh,50\n"
               "Kent,TOTAL,President,,DEM,Ada Marsh,160\n", "20201103__de__general__precinct.csv")
    assert [(p.code, p.line) for p in caught.value.problems] == [("county_total_mismatch", 4)]


def test_a_total_county_is_the_state_total_checked() -> None:
    text = (f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\nKent,P1,President,,REP,Cole Dunmore,90\n"
            "Sussex,P9,President,,DEM,Ada Marsh,5\n"
            "Total,,President,,DEM,Ada Marsh,105\n")
    returns = staged(text + "Total,,President,,REP,Cole Dunmore,90\n"
                     "Total,,President,,LIB,Jo Jones,7\n", "20201103__de__general__precinct.csv")
    # Jo Jones is in no unit: her statewide row is votes in no unit, listed, never dropped unsaid
    assert totals(returns) == {"Ada Marsh": 105, "Cole Dunmore": 90}
    assert [(e.line, e.kind) for e in returns.exclusions] == [(5, "total"), (6, "total"),
                                                            (7, "no_unit")]
    with pytest.raises(ValidationError) as caught:
        staged(text + "Total,,President,,REP,Cole Dunmore,91\n",
               "20201103__de__general__precinct.csv")
    assert [(p.code, p.line) for p in caught.value.problems] == [("county_total_mismatch", 6)]


def test_total_unit_names() -> None:
    assert all(is_total_unit(n, ("Kent",)) for n in ("Total", "TOTALS", "County Total",
                                                     "Kent Total", "Total Votes", "Grand Total"))
    assert not any(is_total_unit(n, ("Kent",)) for n in ("Total Absentee", "Totten 2", "P1",
                                                         "Countywide", ""))
    # without a "total" word (the second trial): the whole of the county by their names
    assert all(is_total_unit(n, ("Kent",)) for n in ("Kent Co. Totals", "ALL PRECINCTS", "Sum",
                                                     "Cumulative", "Kent Cumulative"))
    assert not is_total_unit("Kent", ("Kent",))


@pytest.mark.parametrize(("label", "kind"), [
    ("Rejected Ballots", "spoiled"), ("Uncounted", "spoiled"), ("Early Voting", "ballots_of_type"),
    ("Election Day", "ballots_of_type"), ("Absentee", "ballots_of_type"),
    ("Challenged Ballots", "ballots_of_type"), ("Federal Only Ballots", "ballots_of_type"),
    ("Polling Places", "precincts")])
def test_more_rows_that_are_not_votes(label: str, kind: str) -> None:
    # the second trial: each was counted as a candidate beside Marsh and Dunmore
    text = (HEAD + "Kent,P1,President,,DEM,Ada Marsh,1000\nKent,P1,President,,REP,Cole Dunmore,900\n"
            f"Kent,P1,President,,,{label},4\n")
    returns = staged(text)
    assert totals(returns) == {"Ada Marsh": 1000, "Cole Dunmore": 900}
    assert [e.kind for e in returns.exclusions] == [kind]
    assert left_out_kind(label) == kind


def test_a_suffix_between_surname_and_given_names_is_one_candidate() -> None:
    # "Biden, Jr., Joseph R." in one county, "Joseph R. Biden" in another: one Biden, who leads
    text = (HEAD.replace(",precinct", "") + "Kent,President,,DEM,Joseph R. Biden,1000\n"
            "Sussex,President,,DEM,\"Biden, Jr., Joseph R.\",500\n"
            "Kent,President,,REP,Donald J. Trump,900\nSussex,President,,REP,Donald J. Trump,700\n")
    returns = staged(text, "20201103__de__general__county.csv")
    assert totals(returns) == {"Joseph R. Biden Jr.": 1500, "Donald J. Trump": 1600}


# ---- F3: vote-type columns as OpenElections files name them -----------------------------------

GA = ("county,precinct,office,district,party,candidate,{columns},votes\n"
      "Appling,1B,President of the United States,,REP,Donald J. Trump (I) (Rep),400,120,800,1,1321\n"
      "Appling,1B,President of the United States,,DEM,Joseph R. Biden (Dem),100,150,200,0,450\n")


@pytest.mark.parametrize("columns", [
    "election_day,absentee_by_mail,advance_voting,provisional",
    "election_day_votes,absentee_by_mail_votes,advance_voting_votes,provisional_votes"])
def test_georgia_vote_type_columns_are_read(columns: str) -> None:
    returns = staged(GA.format(columns=columns), "20201103__ga__general__precinct.csv")
    by_type = {(returns.candidate(c.candidate).name, c.vote_type): c.votes for c in returns.counts}
    assert by_type[("Donald J. Trump", VoteType.ADVANCE_VOTING)] == 800
    assert by_type[("Joseph R. Biden", VoteType.ABSENTEE_BY_MAIL)] == 150
    assert totals(returns) == {"Donald J. Trump": 1321, "Joseph R. Biden": 450}
    assert not any("not read" in n for n in returns.notes)


GA_2016 = ("county,precinct,office,district,party,candidate,votes,absentee_by_mail,"
           "advance_in_person_1,advance_in_person_3,election_day,advance_in_person_2,provisional\n"
           "Fulton,01A,President of the United States,,,HILLARY CLINTON,105,3,20,*,60,{second},4\n"
           "Fulton,01B,President of the United States,,,HILLARY CLINTON,50,5,10,5,20,10,0\n")


def test_numbered_vote_type_columns_add_up_to_their_vote_type() -> None:
    # Georgia's 2016 precinct files: one advance_in_person column per early voting period
    returns = staged(GA_2016.format(second=18), "20161108__ga__general__fulton__precinct.csv")
    by_unit = {(returns.unit(c.unit).name, c.vote_type): c.votes for c in returns.counts
               if c.vote_type is VoteType.ADVANCE_IN_PERSON}
    assert by_unit == {("01A", VoteType.ADVANCE_IN_PERSON): None,  # "*": withheld, not 0
                       ("01B", VoteType.ADVANCE_IN_PERSON): 25}
    assert totals(returns) == {"HILLARY CLINTON": 155}
    assert not any("not read" in n for n in returns.notes)
    with pytest.raises(ValidationError, match="vote types add up to"):  # the parts still checked
        staged(GA_2016.format(second=18).replace(",*,", ",1,"),
               "20161108__ga__general__fulton__precinct.csv")


def test_vote_type_columns() -> None:
    assert vote_type("advance_in_person_2") is VoteType.ADVANCE_IN_PERSON
    assert vote_type("early_voting_10") is VoteType.EARLY
    assert vote_type("precinct_2") is None and vote_type("votes_2") is None
    assert vote_type("one_stop") is VoteType.EARLY
    assert vote_type("mail_votes") is VoteType.MAIL
    assert vote_type("early_voting") is VoteType.EARLY
    assert vote_type("winner") is None and vote_type("total_votes") is None


# ---- F1, F4, F5: one candidate, many spellings -----------------------------------------------

NV = ("county,office,district,party,candidate,votes\n"
      'Carson City,President,,DEM,"Biden, Joseph R.",12735\n'
      'Carson City,President,,REP,"Trump, Donald J.",18273\n'
      'Carson City,President,,LPN,"Jorgensen, Jo",502\n'
      "Carson City,President,,,Total,31510\n"
      "Churchill,President,,DEM,Joseph R. Biden,3734\n"
      "Churchill,President,,REP,Donald J. Trump,10273\n"
      "Churchill,President,,LPN,Jo Jorgensen,183\n"
      "Clark,President,,DEM,BIDEN JOSEPH R,521852\n"
      "Clark,President,,REP,TRUMP DONALD J,430930\n"
      "Clark,President,,LPN,JORGENSEN JO,8858\n"
      "Clark,President,,,TOTAL VOTES,961640\n")


def test_nevada_last_first_capitals_are_one_candidate() -> None:
    returns = staged(NV, "20201103__nv__general__county.csv")
    assert totals(returns) == {"Joseph R. Biden": 12735 + 3734 + 521852,
                               "Donald J. Trump": 18273 + 10273 + 430930,
                               "Jo Jorgensen": 502 + 183 + 8858}
    carson = roll_up(returns, UnitKind.COUNTY).rows[0]
    assert carson.unit.name == "Carson City"
    assert {returns.candidate(c).name: v for c, v in carson.votes.items()}["Joseph R. Biden"] == 12735
    assert {returns.party_name(c.party) for c in returns.candidates} == {"Democratic", "Republican",
                                                                         "Libertarian"}


def test_surname_first_is_read_only_where_it_can_be_meant() -> None:
    groups = merge_spellings([("BIDEN JOSEPH R", "DEM"), ("Joseph R. Biden", "DEM"),
                              ("JO JORGENSEN", "LIB"), ("JORGENSEN JO", "LIB"),
                              ("Jo Jorgensen", "LIB"),
                              ("ADA MARSH", "GRN")]).groups
    assert {g.name: len(g.spellings) for g in groups} == {
        "Joseph R. Biden": 2, "Jo Jorgensen": 3, "Ada Marsh": 1}


def test_clarity_marks_in_openelections_names_are_stripped() -> None:
    """"Donald J. Trump (I) (Rep)" is Donald J. Trump of REP; the incumbent mark is no party."""
    returns = staged("county,precinct,office,district,party,candidate,votes\n"
                     "Appling,1B,President,,,Donald J. Trump (I) (Rep),1321\n"
                     "Appling,1B,President,,DEM,Joseph R. Biden (Dem),450\n"
                     "Atkinson,Pearson City,President,,Republican,Donald Trump,1200\n"
                     "Atkinson,Pearson City,President,,Democrat,Joe Biden,380\n",
                     "20201103__ga__general__precinct.csv")
    assert totals(returns) == {"Donald J. Trump": 2521, "Joseph R. Biden": 830}
    assert {c.name: returns.party_name(c.party) for c in returns.candidates} == {
        "Donald J. Trump": "Republican", "Joseph R. Biden": "Democratic"}


# ---- F21: fusion party lines -------------------------------------------------------------------

NY = ("county,office,district,party,candidate,votes\n"
      "Albany,President,,DEM,Joseph R. Biden,91373\nAlbany,President,,WOR,Joseph R. Biden,5240\n"
      "Albany,President,,REP,Donald J. Trump,49386\nAlbany,President,,CON,Donald J. Trump,3006\n"
      "Allegany,President,,DEM,Joseph R. Biden,235\nAllegany,President,,WOR,Joseph R. Biden,235\n")


def test_fusion_lines_are_summed_and_described_as_party_lines() -> None:
    returns = staged(NY, "20201103__ny__general__county.csv")
    assert totals(returns) == {"Joseph R. Biden": 91373 + 5240 + 470, "Donald J. Trump": 52392}
    notes = [n for n in returns.notes if isinstance(n, Note) and n.kind == "fusion_party_line"]
    assert [(n.lines, n.parts) for n in notes] == [
        ((2, 3), ((2, "DEM", 91373), (3, "WOR", 5240))),
        ((4, 5), ((4, "REP", 49386), (5, "CON", 3006))),
        ((6, 7), ((6, "DEM", 235), (7, "WOR", 235)))]  # equal lines: two parties, no repeat
    assert str(notes[0]) == "Albany, Joseph R. Biden: party lines DEM 91373 + WOR 5240 = 96613"
    assert not any(getattr(n, "kind", "") == "split_precinct" for n in returns.notes)


# ---- F32: office titles --------------------------------------------------------------------------


@pytest.mark.parametrize("title,presidency", [
    ("PRESIDENT AND VICE PRESIDENT OF THE UNITED STATES", True), ("President/Vice-President", True),
    ("Electors for President and Vice President", True), ("US President", True),
    ("President (Primary)", False), ("President - DEM Primary", False),
    ("Presidential Preference Primary", False), ("President (Democratic)", False),
    ("President Pro Tem", False)])
def test_office_titles(title: str, presidency: bool) -> None:
    assert is_presidency(title) is presidency


def test_two_presidential_titles_in_one_unit_are_refused_and_contest_chooses() -> None:
    text = (f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\nKent,P1,President,,REP,Cole Dunmore,90\n"
            "Kent,P1,US President,,DEM,Ada Marsh,100\nKent,P1,US President,,REP,Cole Dunmore,90\n"
            "Kent,P1,President (Primary),,DEM,Ada Marsh,10\n")
    with pytest.raises(ValidationError) as caught:
        staged(text)
    (problem,) = caught.value.problems
    assert problem.code == "ambiguous_contest" and "'US President'" in problem.message
    assert totals(staged(text, contest="us president")) == {"Ada Marsh": 100, "Cole Dunmore": 90}


def test_titles_of_different_units_are_one_contest() -> None:
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\n"
                     "Kent,P2,PRESIDENT AND VICE PRESIDENT,,DEM,Ada Marsh,7\n")
    assert totals(returns) == {"Ada Marsh": 107}


def test_a_write_in_total_alone_is_the_write_ins_counted_as_an_aggregate_and_said() -> None:
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\n"
                     "Kent,P1,President,,REP,Cole Dunmore,90\n"
                     "Kent,P1,President,,,Total Write-In,4\n")
    assert totals(returns) == {"Ada Marsh": 100, "Cole Dunmore": 90, "Total Write-In": 4}
    (write_in,) = [c for c in returns.candidates if c.name == "Total Write-In"]
    assert write_in.aggregate  # never a candidate who could be declared the winner
    assert any("counted as the write-in votes" in n for n in returns.notes)


def test_a_total_precinct_with_no_county_is_the_state_total() -> None:
    returns = staged("precinct,office,party,candidate,votes\nP1,President,DEM,Ada Marsh,100\n"
                     "P2,President,DEM,Ada Marsh,50\nTotal,President,DEM,Ada Marsh,150\n",
                     "20201103__de__general__precinct.csv")
    assert totals(returns) == {"Ada Marsh": 150}
    assert [(e.line, e.kind) for e in returns.exclusions] == [(4, "total")]


def test_contest_names_another_office_its_own_election() -> None:
    text = f"{HEAD}Kent,P1,President,,DEM,Ada Marsh,100\nKent,P1,U.S. Senate,,DEM,Tom Hill,80\n"
    returns = staged(text, contest="U.S. Senate")
    assert returns.election.id == "2020-DE-u-s-senate"
    assert totals(returns) == {"Tom Hill": 80}
    assert staged(text, contest="President").election.id == "2020-DE-president"


def test_a_mark_that_names_no_party_stays_in_the_name() -> None:
    returns = staged(f"{HEAD}Kent,P1,President,,DEM,Ada Marsh (I),100\n"
                     "Kent,P1,President,,,Zed Doe (Write-In),3\n")
    assert totals(returns) == {"Ada Marsh": 100, "Zed Doe (Write-In)": 3}


def test_a_named_subtotal_precinct_is_checked_against_the_precincts_it_names() -> None:
    text = (f"{HEAD}Kent,Dover 1,President,,DEM,Ada Marsh,100\n"
            "Kent,Dover 2,President,,DEM,Ada Marsh,50\n"
            "Kent,Felton,President,,DEM,Ada Marsh,7\n"
            "Kent,Dover Total,President,,DEM,Ada Marsh,{}\n")
    returns = staged(text.format(150), "20201103__de__general__precinct.csv")
    assert totals(returns) == {"Ada Marsh": 157}
    assert [(e.line, e.kind) for e in returns.exclusions] == [(5, "total")]
    assert {u.name for u in returns.units_of(UnitKind.PRECINCT)} == {"Dover 1", "Dover 2", "Felton"}
    with pytest.raises(ValidationError) as caught:
        staged(text.format(151), "20201103__de__general__precinct.csv")
    assert [(p.code, p.line) for p in caught.value.problems] == [("county_total_mismatch", 5)]
    # a total word with no precincts it could total: a precinct like any other
    alone = staged(f"{HEAD}Kent,Totten,President,,DEM,Ada Marsh,4\n"
                   "Kent,Felton Total,President,,DEM,Ada Marsh,3\n")
    assert totals(alone) == {"Ada Marsh": 7}


@pytest.mark.parametrize("content", [b"", b"\n  \r\n\t\n"])
def test_an_empty_file_is_said_to_be_empty_not_of_an_unknown_format(tmp_path, content) -> None:
    from electoral.io import detect_format, open_source

    path = tmp_path / "20201103__wi__general__ward.csv"  # a download that came back empty
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        detect_format(open_source(path))
    [problem] = caught.value.problems
    assert (problem.code, problem.source, problem.line) == ("empty-file", path.name, 1)
    assert problem.message == ("the file is empty" + (" (only white space)" if content else ""))
