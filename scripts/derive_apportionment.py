"""Derive the package's apportionment tables from the official Census tables in ../shared.

    python scripts/derive_apportionment.py [--shared ../shared] [--check]

Reads the Census Bureau's "Table 1. Apportionment population and number of representatives, by
state" for 2000 and 2010 (.xls, via xlrd) and 2020 (.xlsx, via openpyxl), and writes

    src/electoral/data/apportionment.csv   census,state_po,apportionment_population,representatives
    src/electoral/data/electors.csv        census,state_po,house_seats,electors   (DC included)

It refuses to write unless each table has 50 states summing to its printed total population and
435 seats, agrees with the tidy CSV beside it, and the electors agree with
electoral_votes_2004_2024.csv. ``--check`` compares instead of writing (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import openpyxl
import xlrd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "electoral" / "data"
sys.path.insert(0, str(ROOT / "src"))

from electoral.model import STATE_BY_NAME  # noqa: E402

TABLES = {2000: "apportionment-2000-table-1.xls", 2010: "apportionment-2010-table-1.xls",
          2020: "apportionment-2020-table-1.xlsx"}
CENSUS_OF_ELECTION = {2004: 2000, 2008: 2000, 2012: 2010, 2016: 2010, 2020: 2010, 2024: 2020}


def sheet_rows(path: Path) -> list[list[object]]:
    if path.suffix == ".xls":
        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        return [sheet.row_values(r) for r in range(sheet.nrows)]
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def whole(value: object, what: str) -> int:
    number = float(value)  # xlrd gives floats, openpyxl ints
    if number != int(number):
        raise SystemExit(f"{what}: {value!r} is not a whole number")
    return int(number)


def read_table(path: Path) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """State → (population, seats), and the printed (total population, total seats)."""
    states: dict[str, tuple[int, int]] = {}
    total: tuple[int, int] | None = None
    for row in sheet_rows(path):
        cells = [c for c in row if c not in ("", None)]
        if len(cells) < 3 or not isinstance(cells[0], str):
            continue
        label = cells[0].strip()
        if label.upper().startswith("TOTAL"):
            total = (whole(cells[1], f"{path.name} total"), whole(cells[2], f"{path.name} total"))
        elif label.lower() in STATE_BY_NAME:
            states[STATE_BY_NAME[label.lower()]] = (whole(cells[1], f"{path.name} {label}"),
                                                    whole(cells[2], f"{path.name} {label}"))
    if total is None:
        raise SystemExit(f"{path.name}: no TOTAL row")
    return states, total


def verified(shared: Path) -> dict[int, dict[str, tuple[int, int]]]:
    folder = shared / "data" / "apportionment"
    tidy: dict[tuple[int, str], tuple[int, int]] = {}
    with open(folder / "apportionment_2000_2010_2020.csv", newline="") as f:
        for r in csv.DictReader(f):
            tidy[int(r["census_year"]), r["state_po"]] = (int(r["apportionment_population"]),
                                                          int(r["representatives"]))
    censuses = {}
    for census, name in TABLES.items():
        states, (population, seats) = read_table(folder / name)
        problems = []
        if len(states) != 50:
            problems.append(f"{len(states)} states, not 50")
        if sum(p for p, _ in states.values()) != population:
            problems.append("state populations do not sum to the printed total")
        if sum(s for _, s in states.values()) != seats or seats != 435:
            problems.append("seats do not sum to the printed 435")
        problems += [f"{st} differs from the tidy CSV" for st, v in states.items()
                     if tidy.get((census, st)) != v]
        if problems:
            raise SystemExit(f"{name}: " + "; ".join(problems))
        censuses[census] = states
    return censuses


def electors_rows(censuses: dict[int, dict[str, tuple[int, int]]], shared: Path) -> list[list]:
    rows = []
    for census, states in censuses.items():
        for state, (_, seats) in sorted(states.items()):
            rows.append([census, state, seats, seats + 2])
        rows.append([census, "DC", 0, 3])
    ours = {(c, s): e for c, s, _, e in rows}
    with open(shared / "data" / "apportionment" / "electoral_votes_2004_2024.csv", newline="") as f:
        for r in csv.DictReader(f):
            census = CENSUS_OF_ELECTION[int(r["election_year"])]
            if int(r["apportionment_census"]) != census:
                raise SystemExit(f"{r['election_year']}: uses census {r['apportionment_census']}")
            if ours.get((census, r["state_po"])) != int(r["electoral_votes"]):
                raise SystemExit(f"{r['election_year']} {r['state_po']}: electors differ")
    for census in censuses:
        if sum(e for (c, _), e in ours.items() if c == census) != 538:
            raise SystemExit(f"census {census}: electors do not sum to 538")
    return sorted(rows, key=lambda r: (r[0], r[1]))


def as_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    censuses = verified(args.shared)
    outputs = {
        "apportionment.csv": as_csv(
            ["census", "state_po", "apportionment_population", "representatives"],
            [[c, st, p, s] for c, states in censuses.items()
             for st, (p, s) in sorted(states.items())]),
        "electors.csv": as_csv(["census", "state_po", "house_seats", "electors"],
                               electors_rows(censuses, args.shared)),
    }
    stale = []
    for name, text in outputs.items():
        path = DATA / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run scripts/derive_apportionment.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
