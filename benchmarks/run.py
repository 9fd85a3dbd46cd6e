"""Run every benchmarks/*_bench.py and put each one's report in its own section of BENCHMARKS.md.

A bench script prints Markdown on stdout (its figures and the command that produced them); this
runner replaces the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` with it,
adding the section at the end the first time. Other sections are left exactly as they are, so
each area owns its section. ``python benchmarks/run.py rcv`` runs only ``rcv_bench.py``. A script
that exits non-zero (a missed target) still has its report written, and the runner exits 1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "BENCHMARKS.md"
HEADER = ("# Benchmarks\n\nWritten by `make bench` (`python benchmarks/run.py`); each section "
          "comes from one `benchmarks/*_bench.py` and is rewritten only by it.\n")


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        return before + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main(only: list[str]) -> int:
    failed = 0
    for script in sorted(HERE.glob("*_bench.py")):
        name = script.stem.removesuffix("_bench")
        if only and name not in only:
            continue
        print(f"running {script.name} ...", flush=True)
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        if done.returncode != 0:
            # A bench exits 1 when it misses a target: its figures still go in the report.
            failed += 1
            print(f"{script.name} failed (exit {done.returncode}):\n{done.stderr}", file=sys.stderr)
            if not done.stdout.strip():
                continue
        text = REPORT.read_text() if REPORT.exists() else HEADER
        REPORT.write_text(replace_section(text, name, done.stdout))
        print(done.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
