"""The named choices the library's functions take: output formats, map kinds, palettes, levels.

They live here, below every layer and importing nothing heavy, so the CLI can use them as option
types without loading DuckDB, pyarrow or numpy just to show its help. Each owner module re-exports
its own (``electoral.report.tables.OutputFormat`` is ``OutputFormat``), so there is one definition.
"""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """A results table's format (``electoral.report.tables.render``)."""

    TEXT = "text"
    MD = "md"
    WIKI = "wiki"
    HTML = "html"
    CSV = "csv"
    JSON = "json"


class RcvFormat(StrEnum):
    """A ranked-choice round table's format (``electoral.rcv.tables.render_rcv``); ``json`` is
    RCTab's detailed-report JSON."""

    TEXT = "text"
    MD = "md"
    WIKI = "wiki"
    HTML = "html"
    CSV = "csv"
    JSON = "json"
    SVG = "svg"


class TextOrJson(StrEnum):
    """For reports that print either a readable table or JSON (checks, history, flips)."""

    TEXT = "text"
    JSON = "json"


class ElectorsFormat(StrEnum):
    """An apportionment's or Electoral College's format (``electoral.report.electors``)."""

    TEXT = "text"
    MD = "md"
    WIKI = "wiki"
    JSON = "json"


class ExportFormat(StrEnum):
    """An export's format: NIST SP 1500-100 v2 JSON or XML, or electoral's own CSV."""

    NIST_JSON = "nist-json"
    NIST_XML = "nist-xml"
    CSV = "csv"


class MapKind(StrEnum):
    WINNER = "winner"
    MARGIN = "margin"
    FLIPS = "flips"
    SWING = "swing"
    COLLEGE = "college"


class Palette(StrEnum):
    """``standard``: the usual blue and red. ``colorblind``: blue and vermillion with distinct
    other hues (Okabe & Ito's set), readable with every common colour-vision deficiency."""

    STANDARD = "standard"
    COLORBLIND = "colorblind"


class ReportLevel(StrEnum):
    """The unit kinds a results table can be rolled up to: every ``electoral.model.UnitKind`` but
    the nation, by value (written out: importing the model would cost every ``--help`` 10 ms;
    tests/test_startup.py checks they are UnitKind's)."""

    STATE = "state"
    COUNTY = "county"
    COG = "cog"
    DISTRICT = "district"
    TOWN = "town"
    PRECINCT = "precinct"


class MapLevel(StrEnum):
    """The unit kinds a map can shade (the atlas has state and county shapes only), by
    ``UnitKind`` value."""

    COUNTY = "county"
    STATE = "state"


class PollsFormat(StrEnum):
    """Poll averages' and poll lists' format (``electoral.report.polls``)."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MD = "md"


class ForecastFormat(StrEnum):
    """A forecast's or back-test's format (``electoral.report.forecast``)."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MD = "md"


class AuditMethod(StrEnum):
    """The audit methods ``electoral rla`` plans and measures (``electoral.rla.audit.Method``)."""

    BRAVO = "bravo"
    MINERVA = "minerva"
    SUPERSIMPLE = "supersimple"
    MACRO = "macro"


class AuditFormat(StrEnum):
    """The formats of ``electoral rla`` output."""

    TEXT = "text"
    MD = "md"
    CSV = "csv"
    JSON = "json"
