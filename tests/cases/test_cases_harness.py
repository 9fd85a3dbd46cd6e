"""The case harness against an ideal CLI: a stand-in that prints, for each command, exactly what
docs/import-json.md says a correct `electoral` prints for that case (built from expected.json).

Every run must pass here. So a case that is xfail in test_returns_cases.py fails for want of the
feature, not because the harness reads the contract wrongly; and when expected.json gains a key
or a case, the harness is checked before any implementation is.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import tests.cases.returns_cli as cli
import tests.cases.test_returns_cases as cases

Json = dict[str, Any]
DISPLAY = {"DEM": "Democratic", "REP": "Republican"}


def _cell(name: str, party: str | None, value: int | str) -> Json:
    if isinstance(value, int):
        return {"name": name, "party": DISPLAY.get(party or "", party or ""), "party_id": party,
                "votes": value, "percent": "0.00"}
    known = 0 if value == "unknown" else int(value.removeprefix("at least "))
    return {"name": name, "party": "", "party_id": party, "votes": None, "at_least": known,
            "exact": False, "suppressed": 1, "percent": None}


def _total_row(run: Json, earlier: bool) -> Json:
    totals = run.get("totals_2016" if earlier else "totals", [])
    cells = [_cell(w["candidate"], w["party"], w["votes"]) if "votes" in w else
             {"name": w["candidate"], "party_id": w["party"], "votes": None, "at_least": w["votes_known"],
              "exact": False, "suppressed": w["suppressed_cells"], "percent": None} for w in totals]
    row = {"unit": "Kent County", "total": run.get("total_votes_2016" if earlier else "total_votes"),
           "candidates": cells, "other": {"votes": 0}, "margin": {"percent": "0"}}
    if "total_votes_known" in run:
        row.update(total=None, total_at_least=run["total_votes_known"], exact=False)
    margin = run.get("compare", {}).get("state_margin_2016" if earlier else "state_margin_2020")
    if margin is not None:
        row["margin"]["percent"] = str(-margin)
    for name, types in run.get("vote_types", {}).items():
        for cell in cells:
            if cli.surname(cell["name"]) == cli.surname(name):
                cell["vote_types"] = {cli.vote_type_key(k): v for k, v in types.items()}
    for shown in run.get("names", {}).values():
        name = shown[0] if isinstance(shown, list) else shown
        for cell in cells:
            if cli.surname(cell["name"]) == cli.surname(name):
                cell["name"] = name
    return row


def _rows(case: str, figures: dict[str, dict[str, Any]]) -> list[Json]:
    rows = []
    for unit, by_party in figures.items():
        cells = [_cell(key.removeprefix("undecided "), None, value) if key.startswith("undecided ")
                 else _cell(f"Someone {key}", key, value)
                 for key, value in by_party.items() if key != "total"]
        shown = unit.upper() if case.startswith("09") else unit  # MEDSL's capitals
        rows.append({"unit": shown, "total": by_party.get("total", 0), "candidates": cells})
    return rows


def _report(case: str, run: Json, args: list[str]) -> Json:
    earlier = args[1].startswith("2016")
    level = args[args.index("--by") + 1] if "--by" in args else "state"
    winner = run.get("winner")
    document: Json = {"election": args[1], "level": level, "coverage": run.get("coverage"),
                      "complete": run.get("complete"), "sources": run.get("sources", {}),
                      "winner": winner if isinstance(winner, dict) else None,
                      "total": _total_row(run, earlier), "rows": []}
    if "adjustments" in run:
        document["adjustments"] = [{"unit": a["county"], "votes": a["votes"]} for a in run["adjustments"]]
    if level == "county":
        document["rows"] = _rows(case, run.get("by_county_2016" if earlier else "by_county", {}))
    elif level == "precinct":
        document["rows"] = (_rows(case, run["by_precinct"]) if "by_precinct" in run
                            else [{"unit": str(n)} for n in range(run.get("precincts", 0))])
    if "--compare" in args:
        compare = run["compare"]
        document["flips"] = [{"unit": f["county"], "from": DISPLAY[f["from"]], "to": DISPLAY[f["to"]]}
                             for f in compare["flips"]]
        document["swing"] = [{"unit": u, "toward": "Democratic", "earlier_margin": str(-m["margin_2016"]),
                              "later_margin": str(-m["margin_2020"]), "swing": str(-m["swing"])}
                             for u, m in compare["by_county"].items()]
    return document


def _import(case: str, election: str, run: Json, stored: bool) -> Json:
    def unit(w: Json) -> Json:
        return {"county": w.get("county"), "precinct": w.get("precinct")}

    kind = cases.CASE_PROBLEM_KIND.get(case)
    entry = {
        "id": election, "stored": stored, "sources": [],
        "left_out": [{"file": w["file"], "line": w["line"], "unit": unit(w), "votes": w["votes"],
                      "kind": cases.left_out_kind(w["kind"])} for w in run.get("left_out", [])],
        "merged": run.get("merged", []),
        "undecided": [{"file": w["file"], "line": w["line"], "unit": unit(w), "spelling": w["spelling"],
                       "votes": w["votes"],
                       "candidates": [{"candidate": c.rsplit(" (", 1)[0], "party": c.rsplit("(", 1)[1][:-1]}
                                      for c in w["could_be"]]} for w in run.get("undecided", [])],
        "problems": [{**p, "lines": list(cli.lines_of(p)),
                      "kind": cases.PROBLEM_KINDS.get(p.get("kind", ""), kind)}
                     for p in run.get("problems", [])],
        "warnings": [{**w, "kind": "unknown_unit"} for w in run.get("warnings", [])],
        "notes": [{**n, "kind": "split_precinct"} for n in run.get("notes", [])],
        "adjustments": [{**a, "unit": unit(a)} for a in run.get("adjustments", [])],
        "suppressed": [{**a, "unit": unit(a)} for a in run.get("suppressed", [])],
        "unknown_parties": run.get("unknown_labels_listed", []),
        "coverage": run.get("coverage"), "complete": run.get("complete"),
        "precinct_coverage": [run["precinct_coverage"]] if "precinct_coverage" in run else []}
    return {"stored": stored, "elections": [] if "message" in run else [entry], "problems": []}


class IdealCli:
    """Answers the harness's CLI calls for one run as a correct implementation would."""

    def __init__(self, case: str, election: str, run: Json):
        self.case, self.election, self.run, self.stored = case, election, run, False

    def invoke(self, *raw: object) -> SimpleNamespace:
        args = [str(a) for a in raw]
        run = self.run
        if args[0] in ("import", "audit-import"):
            index = next(i for i, c in enumerate(run["commands"]) if shlex.split(c)[2] == args[1])
            exits = run["exit"] if isinstance(run["exit"], list) else [run["exit"]] * len(run["commands"])
            audit = args[0] == "audit-import"
            ok = exits[index] == 0 and not audit
            self.stored = self.stored or (ok and run.get("stored", True))
            out = json.dumps(_import(self.case, self.election, run, ok))
            said = " ".join(run.get("message_names", [])) + (" --election" if "message" in run else "")
            return SimpleNamespace(exit_code=run.get("audit_exit") if audit else exits[index],
                                   stdout=out, output=out + said)
        if args[0] == "report" and "--format" in args and "html" in args:
            page = Path(args[args.index("--out") + 1])
            page.mkdir(exist_ok=True)
            (page / "index.html").write_text(self.coverage_line(), encoding="utf-8")
            return SimpleNamespace(exit_code=0, stdout="", output="")
        if args[0] == "report":
            text = json.dumps(_report(self.case, run, args)) if "--format" in args else self.coverage_line()
            return SimpleNamespace(exit_code=0, stdout=text, output=text)
        if args[0] == "map":
            out = Path(args[args.index("--out") + 1])
            out.write_text(self.svg() + self.coverage_line(), encoding="utf-8")
        if args[0] == "history":
            return SimpleNamespace(exit_code=0, stdout=self.coverage_line(), output="")
        if args[0] == "rcv":
            text = json.dumps(self.rcv())
            return SimpleNamespace(exit_code=0, stdout=text, output=text)
        return SimpleNamespace(exit_code=0, stdout="", output="")

    def coverage_line(self) -> str:
        c = self.run.get("coverage") or {}
        return (f"Kent County: {c.get('reporting')} of {c.get('expected')} counties reporting; "
                f"missing: {', '.join(c.get('missing', []))}")

    def svg(self) -> str:
        fills = {"DEM": "#1f5fae", "REP": "#c4272f"}
        return "".join(f'<path class="unit" fill="{fills[p]}" data-name="{u}" '
                       f'data-winner-party="{DISPLAY[p]}"/>'
                       for u, p in self.run.get("map", {}).items() if u != "note")

    def rcv(self) -> Json:
        results = []
        for r in self.run["rounds"]:
            outcome = ({"eliminated": r["eliminated"], "transfers": r["transfers"]} if "eliminated" in r
                       else {"elected": self.run["winner"]})
            results.append({"tally": {f"{name}  (X)": str(v) for name, v in r["votes"].items()},
                            "inactiveBallots": {"exhaustedChoices": str(r["exhausted"])},
                            "tallyResults": [outcome]})
        return {"config": {"contest": self.run["title"]}, "results": results}


# The same runs, less their xfail marks: the ideal CLI has every feature.
RUNS = [pytest.param(*p.values, id=p.id, marks=[m for m in p.marks if m.name == "skip"])
        for p in cases._runs()]


@pytest.mark.parametrize(("case", "index"), RUNS)
def test_harness_accepts_an_ideal_cli(case: str, index: int, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected, run = cases._load(case, index)
    ideal = IdealCli(case, expected["election"], run)
    monkeypatch.setattr(cli, "invoke", ideal.invoke)
    monkeypatch.setattr(cases, "invoke", ideal.invoke)
    for module in (cli, cases):
        monkeypatch.setattr(module, "stored_elections", lambda db: [("stored",)] if ideal.stored else [])
    cases.test_returns_case(case, index, tmp_path, monkeypatch)
