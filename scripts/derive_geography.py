"""Derive src/electoral/data/units.csv (state, fips, kind, name) from the county files in ../shared.

Counties (and Connecticut's planning regions, its county-equivalents since 2022) with their FIPS and
proper names, so readers that only have a name (an article's "St. Louis City") can key units by FIPS.
Run by `make data`; the output is committed.

The District of Columbia is one county-equivalent, FIPS 11001 (as the 2020 file has it); the 2024
file gives its eight wards the pseudo-codes 11001-11008, a lower level, so its DC rows are not read.
Counties that changed since 2000 (renamed, merged, created) are the hand-kept fact table
data/unit_changes.csv, not derived here.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from electoral.model import STATE_FIPS

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "county_presidential"
OUT = ROOT / "src" / "electoral" / "data" / "units.csv"
FILES = ("tonmcg_2020_US_County_Level_Presidential_Results.csv",
         "tonmcg_2024_US_County_Level_Presidential_Results.csv")
STATE_FIPS_TO_PO = {code: po for po, code in STATE_FIPS.items()}


def main() -> int:
    units: dict[str, tuple[str, str, str, str]] = {}
    for name in FILES:
        with (SHARED / name).open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                fips = row["county_fips"].zfill(5)
                state = STATE_FIPS_TO_PO[fips[:2]]
                if state == "AK":
                    continue  # reported by State House district, not by borough
                if state == "DC" and row["county_name"].lower().startswith("ward "):
                    continue  # a ward, not the District (its pseudo-code 11001 is the District's)
                kind = "cog" if fips.startswith("091") else "county"  # CT planning regions
                units[fips] = (state, fips, kind, row["county_name"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["state", "fips", "kind", "name"])
        writer.writerows(sorted(units.values(), key=lambda u: u[1]))
    print(f"wrote {OUT} ({len(units)} units)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
