"""Published figures recomputed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.errors import Problem, ValidationError

if TYPE_CHECKING:
    from electoral.check import Discrepancy
    from electoral.io import Format
    from electoral.published import Article
    from electoral.store_night import NightStore as NightStore


# ---- checking published figures ----------------------------------------------------------------


def read_published(path: Path | str) -> Article:
    """An article (or a bundled sample) with every figure it states.

    Raises:
        NotFoundError: the file does not exist.
        ValidationError: the file is not an article or sample, or cannot be read (located).
    """
    from electoral.io import detect_format, open_source

    source = open_source(path)
    return published_from_text(source.name, source.text, detect_format(source))


def published_from_text(name: str, text: str, fmt: Format) -> Article:
    """The article or sample in ``text`` (named ``name`` in problems).

    Raises:
        ValidationError: ``fmt`` states no figures, or the text cannot be read (located).
    """
    import io

    from electoral.io import Format
    from electoral.io.article import read_article
    from electoral.io.sample import read_sample
    readers = {Format.ARTICLE: read_article, Format.SAMPLE: read_sample}
    if fmt not in readers:
        raise ValidationError([Problem("not-checkable", f"{fmt} files state no figures to check; "
                                       "check takes articles and samples", source=name)])
    try:
        return readers[fmt](io.StringIO(text), name)
    except ValidationError as exc:
        raise exc.located(name) from None


def check_article(article: Article) -> list[Discrepancy]:
    """Every figure of ``article`` that disagrees with the figures recomputed from its returns."""
    from electoral.check import check_article as check
    return check(article)


def check_paths(paths: Iterable[Path | str]) -> list[Discrepancy]:
    """Every disagreement in every file, in file order.

    Raises:
        NotFoundError: a file does not exist.
        ValidationError: a file cannot be read as an article or sample.
    """
    found: list[Discrepancy] = []
    for path in paths:
        found.extend(check_article(read_published(path)))
    return found


def list_checks(fmt: str = "text") -> str:
    """Every check ``electoral check`` runs, by the table kind it reads, with its rule: as text
    (one line a check) or json (a list of {name, table, rule})."""
    import json

    from electoral.check import list_checks as registered

    checks = registered()
    if fmt == "json":
        return json.dumps([{"name": c.name, "table": str(c.table), "rule": " ".join(c.rule.split())}
                           for c in checks], indent=2) + "\n"
    width = max(len(c.name) for c in checks)
    return "".join(f"{c.table:<10} {c.name:<{width}}  {' '.join(c.rule.split())}\n" for c in checks)


def render_check(found: Sequence[Discrepancy], fmt: str = "text") -> str:
    """The discrepancies as text or json."""
    from electoral.report.checks import render_check as render
    return render(found, fmt)


def has_errors(found: Sequence[Discrepancy]) -> bool:
    """Whether any discrepancy is worse than a rounding slip (the CLI then exits 1)."""
    from electoral.check import has_errors as worse
    return worse(found)


