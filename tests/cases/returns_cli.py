"""Running an expected.json scenario through the CLI, and reading its figures back out of the JSON
that docs/import-json.md defines. Shared by the case tests and the property tests."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from electoral.cli import app
from electoral.store import Store

runner = CliRunner()

Json = dict[str, Any]

# Generational suffixes end a name but are not the surname ("Cole R. Dunmore Jr.").
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def invoke(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def surname(name: str) -> str:
    """The last word of a personal-name-order name, so that a display name such as
    "MARSH, ADA Q." or "Ortiz Marsh" does not match Marsh: the contract pins that order."""
    words = re.sub(r"\([^)]*\)", " ", name).split()
    while len(words) > 1 and words[-1].casefold() in SUFFIXES:
        words.pop()
    return words[-1].strip(".,").casefold() if words else ""


def same_path(actual: str, expected: str) -> bool:
    return Path(actual).as_posix().endswith(expected)


def lines_of(item: Json) -> tuple[int, ...]:
    lines = item.get("lines") or [item.get("line")]
    return tuple(sorted(int(n) for n in lines))


def place(name: str) -> str:
    """A unit name as the contract compares it: case ignored, and a county-equivalent's kind word
    ("Kent County", MEDSL's "KENT" and OpenElections' "Kent" are one county)."""
    return re.sub(r"\s+(county|parish|borough|census area)$", "", " ".join(name.split()).casefold())


def unit_name(item: Json, level: str = "county") -> str:
    unit = item.get("unit") or {}
    return place(str(unit.get(level) or "")) if isinstance(unit, dict) else ""


def stored_elections(db: Path) -> list[tuple[object, ...]]:
    with Store(db) as store:
        return [dataclasses.astuple(e) for e in store.elections()]


@dataclass
class Session:
    """One scenario: a fresh store, commands run in order, the import documents kept."""

    db: Path
    imports: list[Json] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def execute(self, command: str, exit_code: int, audit_exit: int | None) -> None:
        args = shlex.split(command)
        assert args[0] == "electoral", command
        args = args[1:]
        if args[0] == "import":
            self._import(args, exit_code, audit_exit)
            return
        if args[0] == "rcv":
            args = [*args, "--format", "json"]
        result = invoke(*args, "--db", self.db) if args[0] != "rcv" else invoke(*args)
        assert result.exit_code == exit_code, f"{command}: exit {result.exit_code}\n{result.output}"
        self.outputs.append(result.output)
        if args[0] == "report" and "--format" not in args:
            self.texts.append(result.stdout)

    def _import(self, args: list[str], exit_code: int, audit_exit: int | None) -> None:
        if audit_exit is not None:
            before = stored_elections(self.db)
            audit = invoke("audit-import", *args[1:], "--format", "json", "--db", self.db)
            assert audit.exit_code == audit_exit, f"audit-import exit {audit.exit_code}\n{audit.output}"
            assert stored_elections(self.db) == before, "audit-import changed the store"
            document = json.loads(audit.stdout)
            assert document["stored"] is False
            assert all(e["stored"] is False for e in document["elections"])
        result = invoke(*args, "--format", "json", "--db", self.db)
        assert result.exit_code == exit_code, f"{' '.join(args)}: exit {result.exit_code}\n{result.output}"
        self.outputs.append(result.output)
        self.imports.append(json.loads(result.stdout))

    def report(self, election: str, *options: str) -> Json:
        result = invoke("report", election, *options, "--format", "json", "--db", self.db)
        assert result.exit_code == 0, f"report {election} {options}: {result.output}"
        document: Json = json.loads(result.stdout)
        return document

    def elections(self, election: str | None = None) -> list[Json]:
        """Every election entry of every import document (of one election when given)."""
        found = [e for doc in self.imports for e in doc["elections"]]
        return [e for e in found if election is None or e["id"] == election]

    def listed(self, key: str, election: str | None = None) -> list[Json]:
        items = [item for e in self.elections(election) for item in e[key]]
        if key == "problems":
            items += [p for doc in self.imports for p in doc.get("problems", [])]
        return items


# ---- reading figures out of report JSON -------------------------------------------------------

def party_matches(candidate: Json, party: str | None) -> bool:
    return (candidate.get("party_id") or None) == party


def find_candidate(candidates: list[Json], name: str, party: str | None) -> Json:
    found = [c for c in candidates if party_matches(c, party) and surname(c["name"]) == surname(name)]
    assert len(found) == 1, f"{name} ({party}): {len(found)} matches in {candidates}"
    return found[0]


def counted(candidates: list[Json]) -> list[Json]:
    """The candidates a table lists with votes (a suppressed cell has votes null but counts)."""
    return [c for c in candidates if c.get("votes") != 0]


def find_row(document: Json, unit: str) -> Json:
    rows = [r for r in document["rows"] if place(r["unit"]) == place(unit)]
    assert len(rows) == 1, f"{unit}: {len(rows)} rows in {[r['unit'] for r in document['rows']]}"
    return rows[0]


def cell_value(row: Json, key: str) -> object:
    """The expected.json way of writing a unit's figure: an int, "unknown" or "at least N"."""
    if key == "total":
        return row["total"] if row.get("total") is not None else f"at least {row['total_at_least']}"
    if key.startswith("undecided "):
        cells = [c for c in row["candidates"] if party_matches(c, None)
                 and surname(c["name"]) == surname(key.removeprefix("undecided "))]
    else:
        cells = [c for c in row["candidates"] if party_matches(c, key)]
    assert len(cells) <= 1, f"{key}: {cells}"
    if not cells:
        return 0
    cell = cells[0]
    if cell.get("votes") is not None:
        assert cell.get("exact", True) is True, cell
        return int(cell["votes"])
    assert cell.get("exact") is False and cell.get("suppressed", 0) > 0, cell
    return "unknown" if not cell.get("at_least") else f"at least {cell['at_least']}"


def vote_type_key(name: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")
    return key.removesuffix("_votes")


def signed_margin(value: str, toward: str) -> Decimal:
    """Margins here are REP − DEM (the README's convention); a project that reports DEM − REP
    gives the same figures with the sign reversed."""
    sign = {"Republican": 1, "REP": 1, "Democratic": -1, "DEM": -1}[toward]
    return Decimal(value) * sign
