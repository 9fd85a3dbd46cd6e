"""The demo: load the bundled sample elections and show each capability on them."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from electoral import api
from electoral.api import ResultsStore
from electoral.model import UnitKind
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
    console.print(f"Loaded {len(articles)} bundled elections into {store.path}")
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
        console.print(f"[bold]{article.returns.election.id}[/]")
        console.print(api.render_check(api.check_article(article)), markup=False, soft_wrap=True)
    _pages(store, console, out, articles)


def _pages(store: ResultsStore, console: Console, out: Path, articles: list[Article]) -> None:
    """Write the results page of each election (maps, tables, the article's rounds)."""
    console.print(Rule("Results pages"))
    for article in articles:
        election = article.returns.election.id
        path = api.write_page(store, election, out / election, article=article)
        console.print(f"{election}: {path.resolve()}")
