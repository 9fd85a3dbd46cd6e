"""The bundled-sample format: one election's raw counts and published figures as JSON.

``scripts/derive_samples.py`` runs the article reader over the seed articles and writes one
``*.sample.json`` per election into the package, so the demo and the checks work without the
articles: what ships is figures (numbers as stated, labels), never the articles' prose.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any, TextIO

from electoral.errors import Problem, ValidationError
from electoral.io import Format, ReadOptions, register
from electoral.io.article import parse_figure
from electoral.io.limits import load_json
from electoral.io.stage import validate
from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.published import Article, PublishedRow, PublishedTable, TableKind

VERSION = "electoral-sample/1"


def write_sample(article: Article) -> str:
    returns = article.returns
    e = returns.election
    document = {
        "format": VERSION,
        "source": article.source,
        "election": {"year": e.year, "state": e.state, "office": e.office, "name": e.name,
                     "date": e.date.isoformat() if e.date else None},
        "parties": [{"id": p.id, "name": p.name} for p in returns.parties],
        "candidates": [_candidate(c) for c in returns.candidates],
        "units": [{"id": u.id, "name": u.name, "kind": str(u.kind), "parent": u.parent,
                   "groups": list(u.groups), "fips": u.fips} for u in returns.units],
        "counts": [[c.unit, c.candidate, c.votes] for c in returns.counts],
        "electors": list(article.electors),
        "tables": [_table(t) for t in article.tables],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _candidate(c: Candidate) -> dict[str, Any]:
    fields = {"id": c.id, "name": c.name, "party": c.party, "running_mate": c.running_mate,
              "home_state": c.home_state, "incumbent": c.incumbent, "write_in": c.write_in,
              "aggregate": c.aggregate}
    return {k: v for k, v in fields.items() if v not in (None, False)} | {"id": c.id, "name": c.name}


def _table(t: PublishedTable) -> dict[str, Any]:
    return {"kind": str(t.kind), "title": t.title, "line": t.line, "columns": list(t.columns),
            "level": t.level, "candidates": list(t.candidates),
            "rows": [{"label": r.label, "line": r.line, "note": r.note,
                      "cells": [c.text if c else None for c in r.cells]} for r in t.rows]}


def read_sample(stream: TextIO, source: str) -> Article:
    """A bundled sample (``*.sample.json``): the article it was written from, returns and
    published tables.

    Raises:
        ValidationError: not a sample of this version, or its returns break a rule of
            ``io.stage``.
    """
    try:
        document = load_json(stream.read(), source)
        if not isinstance(document, dict) or document.get("format") != VERSION:
            raise KeyError("format")
        return _article(document)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError,
            IndexError) as exc:
        raise ValidationError([Problem("malformed-file", f"not an electoral sample ({exc})",
                                       source, getattr(exc, "lineno", None), str(exc))]) from exc


def _article(d: dict[str, Any]) -> Article:
    e = d["election"]
    election = Election(e["year"], e["state"], e["office"],
                        dt.date.fromisoformat(e["date"]) if e.get("date") else None, e["name"])
    returns = Returns(
        election=election,
        parties=tuple(Party(p["id"], p["name"]) for p in d["parties"]),
        candidates=tuple(Candidate(**c) for c in d["candidates"]),
        units=tuple(Unit(u["id"], u["name"], UnitKind(u["kind"]), u["parent"],
                         tuple(u["groups"]), u["fips"]) for u in d["units"]),
        counts=tuple(Count(unit, candidate, votes) for unit, candidate, votes in d["counts"]),
        source=d["source"],
        electors=tuple(d["electors"]),
    )
    validate(returns)  # a sample is also read for ``check``, which stores nothing
    tables = tuple(
        PublishedTable(TableKind(t["kind"]), t["title"], t["line"], tuple(t["columns"]),
                       tuple(PublishedRow(r["label"], r["line"],
                                          tuple(parse_figure(c) if c else None for c in r["cells"]),
                                          r["note"]) for r in t["rows"]),
                       t["level"], tuple(t["candidates"]))
        for t in d["tables"])
    return Article(returns, tables, tuple(d["electors"]), d["source"])


@register(Format.SAMPLE)
def read_sample_returns(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    return [read_sample(stream, source).returns]


def bundled_samples() -> list[tuple[str, str]]:
    """(file name, text) of every sample election shipped with the package."""
    folder = resources.files("electoral").joinpath("data/samples")
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir()
                  if f.name.endswith(".sample.json"))
