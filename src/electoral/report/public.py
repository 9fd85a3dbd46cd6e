"""The public read path of election night, Clarity-style (issue 12): immutable version folders
behind a tiny never-cached pointer.

    PUBLIC/current_ver.txt                       the version readers should load (replaced atomically)
    PUBLIC/index.html, live.js, live.css         the live page (not versioned; it reads the pointer)
    PUBLIC/{ver}/summary.json                    every election: status, coverage, totals, winner
    PUBLIC/{ver}/{election}/{level}.json         the report JSON (docs/import-json.md §3) per level
    PUBLIC/{ver}/{election}/{level}.csv          the same table as CSV
    PUBLIC/{ver}/{election}/nist-1500-100.json   NIST SP 1500-100 v2 election report
    PUBLIC/{ver}/{election}/map.svg              the margin map of the county-level table
    PUBLIC/{ver}/…/NAME.gz                       each file of 1 KB or more, gzip-compressed once
                                                 (nginx's gzip_static and ``server.public``
                                                 send it to a client accepting gzip)

A version is written whole into a hidden temporary folder, renamed into place, and only then named
by the pointer: a reader following the pointer never sees a half-written version. Version folders
are never changed once named, so a server may cache them forever; the last ``keep`` stay, so a
reader that fetched the pointer just before a publish still finds its version.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from electoral.io.export import export
from electoral.io.outfile import OutputError, write_file
from electoral.model import Returns, UnitKind
from electoral.report.maps import MapKind, draw_map, election_title
from electoral.report.tables import render_csv, results_json, results_view
from electoral.tabulate.coverage import Coverage
from electoral.tabulate.rollup import DEPTH, available_levels, roll_up

try:  # one publisher at a time; the lock is advisory and POSIX-only (a single writer elsewhere)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

POINTER = "current_ver.txt"
KEEP = 20  # versions kept: 40 s of history at one publish every 2 s (issue 12)
LIVE_ASSETS = {"index.html": "live.html", "live.js": "live.js", "live.css": "live.css"}
MAPPED = (UnitKind.COUNTY, UnitKind.COG)  # the levels a live map is drawn at, first found
_VERSION = re.compile(r"^[0-9]{1,20}$")
# A version's files never change, so each is compressed once at publish rather than by the
# server on every request. 1 KB: below it gzip's header and a round trip save nothing (nginx's
# own gzip_min_length default is 20 bytes; 1 KB is the figure its docs' examples use).
GZIP_FROM = 1024
_NOUNS = {"county": "counties", "cog": "planning regions", "precinct": "precincts",
          "state": "states"}


@dataclass(frozen=True, slots=True)
class Publication:
    """One election as a version carries it.

    ``updated``: when its figures last changed (the last import, UTC); ``sources``: per level the
    ``{unit name: file}`` of the report JSON's ``sources`` key; ``extra``: keys the ingest side
    adds to the election's entry in ``summary.json`` (a ``call`` object, a ``status`` such as
    ``"certified"``, which then wins over the one derived from coverage)."""

    returns: Returns
    updated: dt.datetime | None = None
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)


def publish_version(public: Path | str, elections: Sequence[Publication], *, keep: int = KEEP,
                    now: dt.datetime | None = None) -> str:
    """Write a new version of ``elections`` under ``public``, point ``current_ver.txt`` at it,
    refresh the live page's files, and prune all but the newest ``keep`` versions; return the
    version id. Ids are decimal milliseconds since 1970 (UTC), always above every id already in
    the folder, so an id is never reused even after the folder is emptied (a browser may cache
    a version's files for a year).

    Raises:
        OutputError: a file or folder cannot be written (the message names it); the pointer
            still names the previous version, which is whole.
        ValueError: ``keep`` is below 1.
    """
    if keep < 1:
        raise ValueError("keep at least one version")
    root = Path(public)
    stamp = now or dt.datetime.now(dt.UTC)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {root}: {exc.strerror or exc}") from None
    with _locked(root):
        version = _next_version(root, stamp)
        folder = root / f".{version}.tmp-{os.getpid()}"
        try:
            for name, text in version_files(elections, version, stamp).items():
                data = text.encode("utf-8")
                write_file(folder / name, data, within=folder)
                if len(data) >= GZIP_FROM:
                    # mtime 0: the same file compresses to the same bytes (a stable ETag)
                    write_file(folder / f"{name}.gz", gzip.compress(data, 6, mtime=0),
                               within=folder)
            os.rename(folder, root / version)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _sync_folder(root)
        write_live_page(root)
        write_file(root / POINTER, version + "\n", within=root)
        _prune(root, version, keep)
    return version


def write_live_page(public: Path | str) -> None:
    """Write the live page's files (``index.html``, ``live.js``, ``live.css``) into ``public``
    where they differ from the package's (a reader's cached copy stays valid otherwise).

    Raises:
        OutputError: a file cannot be written.
    """
    root = Path(public)
    for name, asset in LIVE_ASSETS.items():
        text = files("electoral.report").joinpath("templates", asset).read_text(encoding="utf-8")
        _refresh(root / name, text, root)


def current_version(public: Path | str) -> str | None:
    """The version ``current_ver.txt`` names, or ``None`` before the first publish."""
    try:
        text = (Path(public) / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text if _VERSION.match(text) else None


def versions(public: Path | str) -> list[str]:
    """The complete version folders under ``public``, oldest first."""
    root = Path(public)
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name)), key=int)


def version_files(elections: Sequence[Publication], version: str,
                  stamp: dt.datetime) -> dict[str, str]:
    """Every file of a version folder (relative name → text); nothing is written here."""
    out: dict[str, str] = {}
    entries = []
    for one in elections:
        entry, written = _election_files(one, stamp)
        entries.append(entry | dict(one.extra))
        out.update(written)
    summary = {"version": version, "published": _iso(stamp), "elections": entries}
    out["summary.json"] = json.dumps(summary, indent=1, ensure_ascii=False) + "\n"
    return out


def _election_files(one: Publication, stamp: dt.datetime) -> tuple[dict[str, object], dict[str, str]]:
    """The election's ``summary.json`` entry and its files."""
    returns = one.returns
    eid = returns.election.id
    levels = _levels(returns)
    written: dict[str, str] = {}
    statewide: dict[str, object] = {}
    found: Coverage | None = None
    for level in levels:
        view = results_view(roll_up(returns, level), columns="all")
        document = results_json(view)
        if level in one.sources:
            document["sources"] = dict(one.sources[level])
        written[f"{eid}/{level}.json"] = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        written[f"{eid}/{level}.csv"] = render_csv(view)
        if level == UnitKind.STATE:
            statewide, found = document, view.coverage
    written[f"{eid}/nist-1500-100.json"] = export(returns, "nist-json", stamp)
    mapped = next((k for k in MAPPED if k in levels), None)
    if mapped is not None:
        written[f"{eid}/map.svg"] = draw_map(roll_up(returns, mapped), MapKind.MARGIN)
    total = statewide.get("total", {})
    entry: dict[str, object] = {
        "id": eid, "title": election_title(returns), "year": returns.election.year,
        "state": returns.election.state, "office": returns.election.office,
        "status": status(found, total), "reporting": reporting_line(found),
        "coverage": statewide.get("coverage"), "complete": statewide.get("complete", True),
        "total": total, "columns": statewide.get("columns", []), "winner": statewide.get("winner"),
        "updated": _iso(one.updated) if one.updated else None,
        "levels": [str(k) for k in levels], "map": f"{eid}/map.svg" if mapped else None,
        "call": None}
    return entry, written


def _levels(returns: Returns) -> list[UnitKind]:
    """The levels with votes, widest first (the nation's own table is the state's here)."""
    have = [UnitKind(k) for k in available_levels(returns) if k != UnitKind.NATION]
    return sorted(have, key=lambda k: (DEPTH[k], list(UnitKind).index(k)))


def status(found: Coverage | None, total: object) -> str:
    """The race status of issue 12 that coverage alone decides: ``"not started"`` (no unit
    has counts), ``"partial"`` or ``"all units reporting"`` (certification is the ingest
    side's, through ``Publication.extra``)."""
    votes = total.get("total") if isinstance(total, dict) else None
    if votes == 0 or (found is not None and found.expected is not None and found.reporting == 0):
        return "not started"
    return "all units reporting" if found is None or found.complete else "partial"


def reporting_line(found: Coverage | None) -> str:
    """``"13 of 67 counties reporting"`` (every time, complete or not); ``""`` where the state's
    units are not known."""
    if found is None or found.expected is None:
        return ""
    noun = _NOUNS.get(found.level, f"{found.level} units")
    return f"{found.reporting} of {found.expected} {noun} reporting"


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _next_version(root: Path, stamp: dt.datetime) -> str:
    """Milliseconds of ``stamp``, or one above the highest id in the folder if that is higher
    (two publishes in one millisecond, a clock set back)."""
    known = [int(v) for v in versions(root)]
    pointed = current_version(root)
    if pointed is not None:
        known.append(int(pointed))
    return str(max(int(stamp.timestamp() * 1000), max(known, default=0) + 1))


def _refresh(path: Path, text: str, root: Path) -> None:
    """Write ``path`` only when its text changed (a reader's cached copy stays valid)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    write_file(path, text, within=root)


def _prune(root: Path, current: str, keep: int) -> None:
    """Remove the versions older than the newest ``keep`` (never the current one), and the
    temporary folders of publishes that died half-way (the lock is held: none is live)."""
    for old in versions(root)[:-keep]:
        if old != current:
            shutil.rmtree(root / old, ignore_errors=True)
    for stale in root.glob(".*.tmp-*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _sync_folder(root: Path) -> None:
    """Flush the rename to the disk before the pointer names it (a crash then cannot leave the
    pointer naming a folder the file system lost)."""
    with contextlib.suppress(OSError):
        handle = os.open(root, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One publisher at a time in ``root`` (two would otherwise pick the same id)."""
    if fcntl is None:
        yield
        return
    handle = os.open(root / ".publish.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)

