"""The demo: load the bundled sample elections and show each capability on them; with
``--live``, replay one of them as an election night into a public folder (``replay_night``)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from electoral import api
from electoral.api import ResultsStore
from electoral.errors import NotFoundError
from electoral.io.escaping import on_screen
from electoral.model import Returns, UnitKind
from electoral.published import Article

FLIPS = ("2024-CT-president", "2004-CT-president")


def run_demo(store: ResultsStore, console: Console, out: Path) -> None:
    """Store the bundled samples in ``store`` and print their tables, flips and checks to
    ``console``; write each one's results page under ``out``.

    Raises:
        StoreError: the store could not write.
        OSError: ``out`` cannot be written.
    """
    articles = api.load_samples(store)
    console.print(Text(on_screen(f"Loaded {len(articles)} bundled elections into {store.path}")))
    for article in articles:
        election = article.returns.election.id
        console.print(Rule(election))
        console.print(api.report(store, election, UnitKind.STATE), markup=False, soft_wrap=True)
        levels = [UnitKind.COUNTY, UnitKind.COG]
        for level in levels:
            if any(u.kind == level for u in article.returns.units):
                console.print(api.report(store, election, level), markup=False, soft_wrap=True)
    later, earlier = FLIPS
    console.print(Rule(f"{earlier} → {later}: counties that flipped"))
    console.print(api.report(store, later, UnitKind.COUNTY, earlier), markup=False, soft_wrap=True)
    console.print(Rule("What `electoral check` finds in the articles"))
    for article in articles:
        console.print(Text(article.returns.election.id, style="bold"))
        console.print(api.render_check(api.check_article(article)), markup=False, soft_wrap=True)
    _pages(store, console, out, articles)


def _pages(store: ResultsStore, console: Console, out: Path, articles: list[Article]) -> None:
    """Write the results page of each election (maps, tables, the article's rounds)."""
    console.print(Rule("Results pages"))
    for article in articles:
        election = article.returns.election.id
        path = api.write_page(store, election, out / election, article=article)
        console.print(Text(on_screen(f"{election}: {path.resolve()}")), soft_wrap=True)


# ---- election night: `electoral demo --live` ---------------------------------------------------

NIGHT = "2004-MO-president"  # 115 counties: enough to watch a map fill in


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch of a replayed night: its number, the units in it, and the version published."""

    number: int
    of: int
    reporting: int
    expected: int
    version: str


def replay_night(store: ResultsStore, public: Path, *, election: str = NIGHT, batches: int = 10,
                 interval: float = 3.0, seed: int = 2004, told: Callable[[Batch], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> list[Batch]:
    """Replay a bundled election as an election night: its counties report in ``batches``
    batches (a shuffled order, fixed by ``seed``), each stored in ``store`` (replacing the
    election) and published as a new version under ``public`` (``api.publish``), ``interval``
    seconds apart; the last batch is the whole bundled election. ``told`` hears each batch.

    Raises:
        NotFoundError: ``election`` is not a bundled sample.
        ValueError: ``batches`` below 1 or ``interval`` negative.
        StoreError: the store could not write.
        OutputError: the public folder cannot be written.
    """
    if interval < 0:
        raise ValueError("replay at a non-negative interval")
    done: list[Batch] = []
    for number, (reported, counties, partial) in enumerate(
            night_batches(election, batches, seed), start=1):
        digest = hashlib.sha256("\n".join(sorted(reported)).encode()).hexdigest()
        store.save(partial, source=f"demo night batch {number}", sha256=digest, format="sample")
        version = api.publish(store, public)
        done.append(Batch(number, batches, len(reported), counties, version))
        if told is not None:
            told(done[-1])
        if number < batches:
            sleep(interval)
    return done


def night_batches(election: str = NIGHT, batches: int = 10,
                  seed: int = 2004) -> Iterator[tuple[frozenset[str], int, Returns]]:
    """A bundled election as a night brings it, batch after batch: the county ids reporting so
    far (a shuffled order, fixed by ``seed``), how many counties there are, and the returns as
    then reported; the last batch is the whole bundled election.

    Raises:
        NotFoundError: ``election`` is not a bundled sample.
        ValueError: ``batches`` below 1.
    """
    if batches < 1:
        raise ValueError("replay at least one batch")
    full = _bundled(election)
    counties = [u.id for u in full.units if u.kind == UnitKind.COUNTY]
    random.Random(seed).shuffle(counties)
    for number in range(1, batches + 1):
        reported = frozenset(counties[: len(counties) * number // batches])
        yield reported, len(counties), full if number == batches else _reporting(full, reported)


def _bundled(election: str) -> Returns:
    from electoral.io import Format
    from electoral.io.sample import bundled_samples

    for name, text in bundled_samples():
        if name.startswith(f"{election}."):
            return api.published_from_text(name, text, Format.SAMPLE).returns
    raise NotFoundError(f"no bundled election {election!r}; the bundled ones are "
                        f"{', '.join(n.split('.')[0] for n, _ in bundled_samples())}")


def _reporting(full: Returns, reported: frozenset[str]) -> Returns:
    """``full`` with only the ``reported`` counties (and the units inside them) and their counts,
    as a night's files bring them: a county that has not reported is absent, not a row of
    zeros (coverage still names it missing, from the state's list of counties)."""
    parent = {u.id: u.parent for u in full.units}
    absent = {u.id for u in full.units if u.kind == UnitKind.COUNTY and u.id not in reported}

    def within(unit: str | None, among: AbstractSet[str]) -> bool:
        seen: set[str] = set()
        while unit is not None and unit not in seen:
            if unit in among:
                return True
            seen.add(unit)
            unit = parent.get(unit)
        return False

    counts = tuple(c for c in full.counts if within(c.unit, reported))
    used = {c.candidate for c in counts}
    return replace(full, units=tuple(u for u in full.units if not within(u.id, absent)),
                   counts=counts, candidates=tuple(c for c in full.candidates if c.id in used),
                   facts=tuple(f for f in full.facts if within(f.unit, reported)))
