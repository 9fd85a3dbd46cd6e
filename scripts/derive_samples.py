"""Derive the bundled sample elections from the seed articles in ../shared/seeds.

Runs electoral's own article reader over each article and writes its figures (counts and published
tables, no prose) to src/electoral/data/samples/<election>.sample.json. Run by `make data`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from electoral.io import open_source
from electoral.io.article import read_article
from electoral.io.sample import write_sample

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "src" / "electoral" / "data" / "samples"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        source = open_source(path)
        article = read_article(source.stream(), source.name)
        target = OUT / f"{article.returns.election.id}.sample.json"
        target.write_text(write_sample(article), encoding="utf-8")
        print(f"{path.name} → {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
