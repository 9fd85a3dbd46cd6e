"""Every run of every case in ../shared/cases/returns, through the CLI, against its expected.json.

The figures are read from `import --format json`, `audit-import --format json` and
`report --format json` as docs/import-json.md defines them. Every key of a run is either checked
below or listed in PROSE with the reason it is not, so a key added to a case cannot go unchecked.

XFAIL lists each run that fails today, with what is missing. Implementers remove an entry when
their feature lands; strict=True makes a run that starts passing while still listed fail.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.cases.returns_cli import (
    Json,
    Session,
    cell_value,
    counted,
    find_candidate,
    find_row,
    invoke,
    lines_of,
    place,
    same_path,
    signed_margin,
    stored_elections,
    surname,
    unit_name,
    vote_type_key,
)
from tests.conftest import SHARED

CASES = SHARED / "cases" / "returns"

XFAIL: dict[str, str] = {
}

# Keys of a run that are prose for a reader, or checked through another key.
PROSE = {
    "name", "commands", "exit", "audit_exit", "why", "never", "note", "must_not_say", "fault",
    "names_note", "vote_type_names", "election_id_from", "aliases", "display_names",
    "contest_used", "contest_not_used", "stored_after", "electors", "precinct_sums_before_adjustments",
    "ballots",  # checked with the rounds
}


def _runs() -> list[Any]:
    if not CASES.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason=f"{CASES} is absent: the returns cases live in ../shared"))]
    params = []
    for folder in sorted(p for p in CASES.iterdir() if (p / "expected.json").is_file()):
        case = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        runs = list(case["runs"])
        if "after_first_file_only" in case:
            runs.append({"name": "after the first file only", "exit": 0,
                         **case["after_first_file_only"]})
        for index, run in enumerate(runs):
            key = f"{folder.name}/{run['name']}"
            marks = [pytest.mark.xfail(strict=True, reason=XFAIL[key])] if key in XFAIL else []
            params.append(pytest.param(folder.name, index, id=key, marks=marks))
    return params


def _load(case: str, index: int) -> tuple[Json, Json]:
    expected = json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))
    runs = list(expected["runs"])
    if "after_first_file_only" in expected:
        runs.append({"name": "after the first file only", "exit": 0,
                     **expected["after_first_file_only"]})
    return expected, runs[index]


@pytest.mark.parametrize(("case", "index"), _runs())
def test_returns_case(case: str, index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, run = _load(case, index)
    folder = tmp_path / case
    shutil.copytree(CASES / case, folder)
    monkeypatch.chdir(folder)
    session = Session(tmp_path / "store.duckdb")
    exits = run["exit"] if isinstance(run["exit"], list) else [run["exit"]] * len(run["commands"])
    for command, code in zip(run["commands"], exits, strict=True):
        session.execute(command, code, run.get("audit_exit"))
    unchecked = set(run) - PROSE - set(CHECKS)
    assert not unchecked, f"keys with no check: {unchecked}"
    context = Context(case, expected["election"], run, session, folder)
    for key in run:
        if key in CHECKS:
            CHECKS[key](context, run[key])


class Context:
    def __init__(self, case: str, election: str | None, run: Json, session: Session, folder: Path):
        self.case, self.election, self.run, self.session, self.folder = case, election, run, session, folder
        assumed = any("--assume-complete" in c for c in run["commands"])
        self.options = ("--assume-complete",) if assumed else ()
        self._reports: dict[tuple[str, str], Json] = {}

    def report(self, level: str = "state", election: str | None = None) -> Json:
        election = election or self.election
        assert election is not None
        if (election, level) not in self._reports:
            self._reports[election, level] = self.session.report(
                election, "--by", level, *self.options)
        return self._reports[election, level]

    @property
    def earlier(self) -> str:
        assert self.election is not None
        return re.sub(r"^\d{4}", "2016", self.election)


# ---- checks, one per expected.json key ----------------------------------------------------------

def check_totals(ctx: Context, totals: list[Json], election: str | None = None) -> None:
    candidates = ctx.report(election=election)["total"]["candidates"]
    assert len(counted(candidates)) == len(totals), [c["name"] for c in counted(candidates)]
    for want in totals:
        cell = find_candidate(candidates, want["candidate"], want["party"])
        if "votes_known" in want:  # suppressed: a lower bound, never shown as exact
            assert cell["votes"] is None and cell["exact"] is False, cell
            assert (cell["at_least"], cell["suppressed"]) == (want["votes_known"], want["suppressed_cells"])
            assert cell.get("percent") is None
        else:
            assert cell["votes"] == want["votes"], (want, cell)
            assert cell.get("exact", True) is True and "at_least" not in cell


def check_total_votes(ctx: Context, total: int, election: str | None = None) -> None:
    row = ctx.report(election=election)["total"]
    assert row["total"] == total
    assert sum(c["votes"] for c in row["candidates"]) + row["other"]["votes"] == total


def check_units(level: str, election: Callable[[Context], str | None] = lambda ctx: None
                ) -> Callable[..., None]:
    def check(ctx: Context, units: dict[str, dict[str, object]]) -> None:
        document = ctx.report(level, election(ctx))
        assert len(document["rows"]) == len(units), [r["unit"] for r in document["rows"]]
        for unit, figures in units.items():
            row = find_row(document, unit)
            assert {key: cell_value(row, key) for key in figures} == figures, unit
    return check


def check_coverage(ctx: Context, coverage: Json) -> None:
    def same(actual: Json) -> None:
        assert {k: actual[k] for k in ("level", "reporting", "expected")} == {
            k: coverage[k] for k in ("level", "reporting", "expected")}
        assert sorted(actual["missing"]) == sorted(coverage["missing"])
    same(ctx.report()["coverage"])
    last = last_stored(ctx)
    if last is not None:  # an import says what the election covers once it is stored
        same(last["coverage"])


def last_stored(ctx: Context) -> Json | None:
    """The election entry of the last import that stored it (earlier ones of a run that imports
    files one after another said what was stored then)."""
    stored = [e for e in ctx.session.elections(ctx.election) if e["stored"]]
    return stored[-1] if stored else None


def check_complete(ctx: Context, complete: bool) -> None:
    assert ctx.report()["complete"] is complete
    last = last_stored(ctx)
    assert last is None or last["complete"] is complete


def check_winner(ctx: Context, winner: Json | None) -> None:
    document = ctx.report()
    assert "winner" in document
    if winner is None:
        assert document["winner"] is None, document["winner"]
        return
    assert document["winner"] is not None
    assert surname(document["winner"]["candidate"]) == surname(winner["candidate"])
    assert document["winner"]["electors"] == winner["electors"]


def check_left_out(ctx: Context, left_out: list[Json]) -> None:
    actual = ctx.session.listed("left_out", ctx.election)
    assert len(actual) == len(left_out), actual
    for want in left_out:
        found = [a for a in actual if same_path(a["file"], want["file"]) and a["line"] == want["line"]]
        assert len(found) == 1, want
        got = found[0]
        assert got["kind"] == left_out_kind(want["kind"]), (want, got)
        assert got["votes"] == want["votes"] and unit_name(got) == place(want["county"])
        if "precinct" in want:
            assert unit_name(got, "precinct") == place(want["precinct"])


def left_out_kind(wording: str) -> str:
    """The stable kind key (docs/import-json.md) that a case's wording of a kind stands for."""
    prefixes = [("registered voters", "registered_voters"), ("ballots cast", "ballots_cast"),
                ("blank", "blank"), ("overvotes", "overvotes"), ("undervotes", "undervotes"),
                ("spoiled", "spoiled"), ("unresolved write-in", "unresolved_write_ins"),
                ("unassigned write-in", "unassigned_write_ins"), ("write-in total", "write_in_total"),
                ("county total", "county_total"), ("total row", "total")]
    return next(key for prefix, key in prefixes if wording.startswith(prefix))


def check_must_count(ctx: Context, rows: list[Json]) -> None:
    lines = {(a["file"], a["line"]) for a in ctx.session.listed("left_out")}
    for want in rows:
        assert not any(same_path(f, want["file"]) and n == want["line"] for f, n in lines), want


PROBLEM_KINDS = {"total disagrees": "total_mismatch", "ballots cast below votes": "ballots_below_votes"}
CASE_PROBLEM_KIND = {"10-vote-types": "vote_types_mismatch", "11-county-total-rows": "county_total_mismatch",
                     "12-duplicate-vs-split": "duplicate_row"}


def check_problems(ctx: Context, problems: list[Json]) -> None:
    actual = ctx.session.listed("problems")
    assert len(actual) == len(problems), actual
    for want in problems:
        found = [a for a in actual if same_path(a["file"], want["file"]) and lines_of(a) == lines_of(want)]
        assert len(found) == 1, (want, actual)
        kind = PROBLEM_KINDS.get(want.get("kind", ""), CASE_PROBLEM_KIND.get(ctx.case))
        assert found[0]["kind"] == kind, found[0]


def check_not_problems(ctx: Context, fine: list[Json]) -> None:
    for want in fine:
        assert not any(same_path(a["file"], want["file"]) and want["line"] in lines_of(a)
                       for a in ctx.session.listed("problems")), want


def check_stored(ctx: Context, stored: bool) -> None:
    assert stored is False
    assert stored_elections(ctx.session.db) == []
    assert all(doc["stored"] is False for doc in ctx.session.imports)


def check_warnings(ctx: Context, warnings: list[Json]) -> None:
    actual = ctx.session.listed("warnings", ctx.election)
    for want in warnings:
        name = re.search(r"'([^']+)'", want["detail"])
        found = [a for a in actual if same_path(a["file"], want["file"]) and lines_of(a) == lines_of(want)
                 and (name is None or name.group(1) in a["detail"])]
        assert len(found) == 1, (want, actual)
        assert found[0]["kind"] == "unknown_unit"


def check_merged(ctx: Context, merged: list[Json]) -> None:
    actual = ctx.session.listed("merged", ctx.election)
    assert len(actual) == len(merged), actual
    for want in merged:
        found = [a for a in actual if a["party"] == want["party"] and surname(a["candidate"]) == surname(
            want["candidate"])]
        assert len(found) == 1, want
        assert sorted(found[0]["spellings"]) == sorted(want["spellings"])


def check_undecided(ctx: Context, undecided: list[Json]) -> None:
    actual = ctx.session.listed("undecided", ctx.election)
    assert len(actual) == len(undecided), actual
    for want in undecided:
        found = [a for a in actual if a["spelling"] == want["spelling"] and a["line"] == want["line"]]
        assert len(found) == 1, want
        got = found[0]
        assert same_path(got["file"], want["file"]) and got["votes"] == want["votes"]
        assert unit_name(got) == place(want["county"])
        could = {(surname(c.rsplit(" (", 1)[0]), c.rsplit("(", 1)[1].rstrip(")")) for c in want["could_be"]}
        assert {(surname(c["candidate"]), c["party"]) for c in got["candidates"]} == could


def check_notes(ctx: Context, notes: list[Json]) -> None:
    actual = [n for n in ctx.session.listed("notes", ctx.election) if n["kind"] == "split_precinct"]
    assert len(actual) == len(notes), actual
    for want in notes:
        assert any(same_path(a["file"], want["file"]) and lines_of(a) == lines_of(want) for a in actual), want


def check_adjustments(ctx: Context, adjustments: list[Json]) -> None:
    actual = ctx.session.listed("adjustments", ctx.election)
    assert sorted((a["line"], a["votes"], unit_name(a)) for a in actual) == sorted(
        (w["line"], w["votes"], place(w["county"])) for w in adjustments)
    assert all(any(same_path(a["file"], w["file"]) for w in adjustments) for a in actual)
    shown = ctx.report().get("adjustments")
    assert shown is not None and sorted(a["votes"] for a in shown) == sorted(w["votes"] for w in adjustments)


def check_suppressed(ctx: Context, suppressed: list[Json]) -> None:
    actual = ctx.session.listed("suppressed", ctx.election)
    assert sorted(a["line"] for a in actual) == sorted(w["line"] for w in suppressed)
    for want in suppressed:
        got = next(a for a in actual if a["line"] == want["line"])
        assert same_path(got["file"], want["file"]) and unit_name(got) == place(want["county"])


def check_total_known(ctx: Context, known: int) -> None:
    row = ctx.report()["total"]
    assert row["total"] is None and row["total_at_least"] == known and row["exact"] is False


def check_total_exact(ctx: Context, exact: bool) -> None:
    assert ctx.report()["total"].get("exact", True) is exact


def check_unknown_parties(ctx: Context, labels: list[str]) -> None:
    assert sorted(ctx.session.listed("unknown_parties", ctx.election)) == sorted(labels)  # type: ignore[type-var]


def check_compare(ctx: Context, compare: Json) -> None:
    document = ctx.session.report(ctx.election or "", "--by", "county", "--compare", ctx.earlier)
    display = {"DEM": "Democratic", "REP": "Republican"}
    assert [(place(f["unit"]), f["from"], f["to"]) for f in document["flips"]] == [
        (place(f["county"]), display[f["from"]], display[f["to"]]) for f in compare["flips"]]
    swings = {place(s["unit"]): s for s in document["swing"]}
    for unit, want in compare["by_county"].items():
        got = swings[place(unit)]
        margins = [signed_margin(got[k], got["toward"]) for k in ("earlier_margin", "later_margin", "swing")]
        assert margins == [Decimal(str(want[k])).quantize(Decimal("0.01"))
                           for k in ("margin_2016", "margin_2020", "swing")], unit
    for year, key in (("2016", "state_margin_2016"), (None, "state_margin_2020")):
        if key in compare:
            total = ctx.report(election=ctx.earlier if year else None)["total"]
            assert abs(Decimal(total["margin"]["percent"])) == abs(Decimal(str(compare[key])))


def check_vote_types(ctx: Context, types: dict[str, dict[str, int]]) -> None:
    candidates = ctx.report()["total"]["candidates"]
    for name, figures in types.items():
        found = [c for c in candidates if surname(c["name"]) == surname(name)]
        assert len(found) == 1, name
        assert found[0]["vote_types"] == {vote_type_key(k): v for k, v in figures.items()}


def check_names(ctx: Context, names: dict[str, object]) -> None:
    shown = {c["name"]: c.get("party_id") for c in ctx.report()["total"]["candidates"]}
    for display in names.values():
        name, party = display if isinstance(display, list) else (display, None)
        assert name in shown, (name, shown)
        assert party is None or shown[name] == party


def check_sources(ctx: Context, sources: dict[str, str]) -> None:
    actual = {place(unit): file for unit, file in ctx.report("county")["sources"].items()}
    assert sorted(actual) == sorted(place(u) for u in sources)
    assert all(same_path(actual[place(u)], f) for u, f in sources.items())


def check_precincts(ctx: Context, count: int) -> None:
    assert len(ctx.report("precinct")["rows"]) == count


def check_message_names(ctx: Context, names: list[str]) -> None:
    said = ctx.session.outputs[-1].casefold()
    assert all(n.casefold() in said for n in names), (names, said)


def check_message(ctx: Context, message: str) -> None:
    assert "--election" in message and "--election" in ctx.session.outputs[-1]


def check_title(ctx: Context, title: str) -> None:
    assert ctx.session.texts, "no text report in this run"
    assert all("Kent County" in t and "Statewide" not in t for t in ctx.session.texts)
    assert ctx.report()["total"]["unit"] == "Kent County"


def check_precinct_coverage(ctx: Context, coverage: Json) -> None:
    found = [c for e in ctx.session.elections(ctx.election) for c in e["precinct_coverage"]
             if place(c["county"]) == place(coverage["county"])]
    assert len(found) == 1
    keys = [k for k in coverage if k != "county"]
    assert {k: found[0][k] for k in keys} == {k: coverage[k] for k in keys}


def check_json(ctx: Context, want: Json) -> None:
    document = ctx.report()
    assert document["complete"] is want["complete"] and document["total"]["total"] == want["total"]
    check_coverage(ctx, want["coverage"])


def check_must_say(ctx: Context, text: str) -> None:
    """The coverage line in the text report, the page, the state's history and the map."""
    coverage = ctx.run["coverage"]
    said = f"{coverage['reporting']} of {coverage['expected']} counties"
    pages = [p.read_text(encoding="utf-8") for p in (ctx.folder / "page").rglob("*.html")]
    assert pages and ctx.session.texts
    state = (ctx.election or "").split("-")[1]
    history = invoke("history", state, "--db", ctx.session.db)
    assert history.exit_code == 0, history.output
    for shown in (*ctx.session.texts, *pages, history.stdout, _map(ctx)):
        assert said in shown and all(m in shown for m in coverage["missing"])


def check_map(ctx: Context, colours: dict[str, str]) -> None:
    """Each county's shape carries its winner's party; as many fills as parties that won."""
    svg = _map(ctx)
    shapes: dict[str, str] = {}
    for tag in re.findall(r'<path[^>]*class="unit"[^>]*>', svg):
        name = re.search(r'data-name="([^"]*)"', tag)
        if name:
            shapes[place(name.group(1))] = tag
    display = {"DEM": "Democratic", "REP": "Republican"}
    winners = {unit: party for unit, party in colours.items() if unit != "note"}
    fills = set()
    for unit, party in winners.items():
        tag = shapes[place(unit)]
        assert f'data-winner-party="{display[party]}"' in tag, tag
        fills.add(re.search(r'fill="([^"]*)"', tag).group(1))  # type: ignore[union-attr]
    assert len(fills) == len(set(winners.values())), fills


def _map(ctx: Context) -> str:
    out = ctx.folder / "map.svg"
    if not out.exists():
        result = invoke("map", ctx.election, "--out", out, "--db", ctx.session.db)
        assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def check_candidates(ctx: Context, candidates: dict[str, str]) -> None:
    tally = _rcv(ctx)["results"][0]["tally"]
    assert sorted(_rcv_name(n) for n in tally) == sorted(_rcv_name(n) for n in candidates.values())


def check_rcv_title(ctx: Context, title: str) -> None:
    if ctx.case.startswith("15-"):
        assert _rcv(ctx)["config"]["contest"] == title
    else:
        check_title(ctx, title)


def check_rounds(ctx: Context, rounds: list[Json]) -> None:
    results = _rcv(ctx)["results"]
    assert len(results) == len(rounds)
    first = results[0]
    assert sum(int(v) for v in first["tally"].values()) == ctx.run["ballots"]
    for want, got in zip(rounds, results, strict=True):
        assert {_rcv_name(k): int(v) for k, v in got["tally"].items()} == want["votes"]
        assert sum(int(v) for v in got["inactiveBallots"].values()) == want["exhausted"]
        outcome = got["tallyResults"][0]
        if "eliminated" in want:
            assert _rcv_name(outcome["eliminated"]) == want["eliminated"]
            assert {_rcv_name(k): int(v) for k, v in outcome["transfers"].items()} == want["transfers"]
        else:
            assert _rcv_name(outcome["elected"]) == want["elected"]


def check_winner_any(ctx: Context, winner: object) -> None:
    if isinstance(winner, str):
        elected = [r["elected"] for r in _rcv(ctx)["results"] for r in r["tallyResults"] if "elected" in r]
        assert [_rcv_name(e) for e in elected] == [_rcv_name(winner)]
    else:
        check_winner(ctx, winner)  # type: ignore[arg-type]


def _rcv(ctx: Context) -> Json:
    document: Json = json.loads(ctx.session.outputs[-1])
    return document


def _rcv_name(name: str) -> str:
    """A BLT name line with runs of spaces collapsed; a party in brackets may be split off."""
    return re.sub(r"\s*\([^)]*\)$", "", " ".join(name.split()))


CHECKS: dict[str, Callable[[Context, Any], None]] = {
    "totals": check_totals, "total_votes": check_total_votes,
    "totals_2016": lambda ctx, t: check_totals(ctx, t, ctx.earlier),
    "total_votes_2016": lambda ctx, t: check_total_votes(ctx, t, ctx.earlier),
    "by_county": check_units("county"), "by_precinct": check_units("precinct"),
    "by_county_2016": check_units("county", lambda ctx: ctx.earlier),
    "coverage": check_coverage, "complete": check_complete, "winner": check_winner_any,
    "left_out": check_left_out, "must_count": check_must_count, "problems": check_problems,
    "not_problems": check_not_problems, "stored": check_stored, "warnings": check_warnings,
    "merged": check_merged, "undecided": check_undecided, "notes": check_notes,
    "adjustments": check_adjustments, "suppressed": check_suppressed,
    "total_votes_known": check_total_known, "total_exact": check_total_exact,
    "unknown_labels_listed": check_unknown_parties, "compare": check_compare,
    "vote_types": check_vote_types, "names": check_names, "sources": check_sources,
    "precincts": check_precincts, "message_names": check_message_names, "message": check_message,
    "title": check_rcv_title, "precinct_coverage": check_precinct_coverage, "json": check_json,
    "must_say": check_must_say, "map": check_map, "candidates": check_candidates, "rounds": check_rounds,
}
