"""Map and page speed (issue #6, part 4), printed as Markdown for BENCHMARKS.md.

    python benchmarks/maps_bench.py

The target: the national county map (3,142 counties of the bundled atlas) renders in under a
second. Returns are synthetic and seeded (three candidates in every county), since no stored file is
a national county-level election; the drawing does not depend on the numbers. "Cold" is a fresh
child process: the atlas is decoded and projected for the first time (imports timed apart).
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import MISSED  # benchmarks/ is on the path of a bench run as a script

COMMAND = "python benchmarks/maps_bench.py"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RUNS = 5


def national_returns(seed: int = 2026):
    from electoral import Candidate, Count, Election, Party, Returns, Unit, UnitKind, load_atlas

    rnd = random.Random(seed)
    candidates = (Candidate("d", "Democratic nominee", "democratic"),
                  Candidate("r", "Republican nominee", "republican"),
                  Candidate("o", "Other nominee", "other"))
    parties = (Party("democratic", "Democratic"), Party("republican", "Republican"),
               Party("other", "Other"))
    units = [Unit("US", "United States", UnitKind.NATION)]
    counts = []
    for feature in load_atlas().counties.values():
        units.append(Unit(feature.id, feature.name, UnitKind.COUNTY, "US", fips=feature.id))
        counts += [Count(feature.id, c.id, rnd.randint(50, 50_000)) for c in candidates]
    return Returns(Election(2020, "US"), candidates, tuple(units), tuple(counts), parties)


def child() -> None:
    """One cold render, timed in this fresh process: print the figures as JSON."""
    start = time.perf_counter()
    from electoral import draw_map, roll_up
    imported = time.perf_counter()
    table = roll_up(national_returns(), "county")
    ready = time.perf_counter()
    svg = draw_map(table, "margin")
    done = time.perf_counter()
    print(json.dumps({"import": imported - start, "roll_up": ready - imported,
                      "render": done - ready, "bytes": len(svg.encode()),
                      "units": svg.count('class="unit"')}))


def warm() -> dict[str, float]:
    from electoral import draw_map, roll_up, svg_to_png

    table = roll_up(national_returns(), "county")
    draw_map(table)
    times = {}
    for kind in ("winner", "margin"):
        runs = []
        for _ in range(RUNS):
            start = time.perf_counter()
            svg = draw_map(table, kind)
            runs.append(time.perf_counter() - start)
        times[kind] = statistics.median(runs)
    start = time.perf_counter()
    png = svg_to_png(svg)
    times["png"] = time.perf_counter() - start
    times["png_bytes"] = len(png)
    return times


def real_national() -> tuple[float, int] | None:
    """The 2020 county map of the whole nation from the MEDSL county returns, when present."""
    from electoral import draw_map, national_table, read_path

    path = SHARED / "county_presidential" / "countypres_2000-2020.csv.gz"
    if not path.is_file():
        return None
    states = [r for r in read_path(path) if r.election.year == 2020]
    table = national_table(states, "county")
    start = time.perf_counter()
    svg = draw_map(table, "margin")
    return time.perf_counter() - start, svg.count('class="unit"')


def page() -> float:
    from electoral import Store, api

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "b.duckdb") as store:
        articles = {a.returns.election.id: a for a in api.load_samples(store)}
        start = time.perf_counter()
        api.write_page(store, "2004-MO-president", Path(folder) / "mo",
                   article=articles["2004-MO-president"])
        return time.perf_counter() - start


def main() -> int:
    done = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True,
                          check=True)
    cold = json.loads(done.stdout)
    hot = warm()
    page_time = page()
    real = real_national()
    verdict = "met" if cold["render"] < 1.0 else "NOT met"
    rows = [
        (f"national county margin map, {cold['units']:,} counties, cold process: atlas decode + "
         "projection + SVG", cold["render"]),
        ("(the same process: importing electoral's map modules)", cold["import"]),
        (f"national county winner map, warm (median of {RUNS})", hot["winner"]),
        (f"national county margin map, warm (median of {RUNS})", hot["margin"]),
        (f"PNG of the national county map at 2x (cairosvg, {hot['png_bytes'] / 1e6:.1f} MB)",
         hot["png"]),
        ("results page for 2004-MO-president (115 counties: margin map in 2 palettes, tables, "
         "downloads)", page_time),
    ]
    if real is not None:
        rows.insert(4, (f"2020 national county margin map from the MEDSL county returns "
                        f"({real[1]:,} counties drawn; Alaska's districts listed), warm", real[0]))
    table = "\n".join(f"| {what} | {seconds:.3f} s |" for what, seconds in rows)
    print(f"""## Maps and pages (issue #6)

Command: `{COMMAND}` (run by `make bench`). Machine: {platform.machine()}, Python
{platform.python_version()}, {platform.system()}. National county returns are synthetic and seeded.

| measurement | time |
|---|---:|
{table}

Target: the national county map renders in under a second: **{verdict}**
(cold {cold['render']:.2f} s; SVG {cold['bytes'] / 1e6:.1f} MB).""")
    return 0 if cold["render"] < 1.0 else MISSED


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.exit(main())
