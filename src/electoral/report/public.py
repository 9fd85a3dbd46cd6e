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
    PUBLIC/{ver}/.elections.json                 per election the digest its files were made
                                                 from, its summary entry and its file names
                                                 (hidden: never served)

A version is written whole into a hidden temporary folder, renamed into place, and only then named
by the pointer: a reader following the pointer never sees a half-written version. Version folders
are never changed once named, so a server may cache them forever; the last ``keep`` stay, so a
reader that fetched the pointer just before a publish still finds its version.

An election given as ``Stored`` whose digest is the one the current version's ``.elections.json``
records is not rendered again: its files are hard-linked from the current version into the new
one (copied where the file system cannot link), and only its ``summary.json`` entry is written
anew, from the one recorded. With two elections of 60,000 precincts stored, every change used to
render both (issue 12: 4 minutes an ingest); now it renders the one that changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path, PurePosixPath

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
MANIFEST = ".elections.json"  # hidden: server.public and the nginx config never serve a dot-file
_MANIFEST_FORMAT = 1  # raised when what a manifest records changes: an older one is not reused
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


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored election to publish without loading it first: ``digest`` (any text) stands for
    everything its files depend on, so that files made from an equal digest are equal; ``load``
    gives its ``Publication`` (whose ``extra`` is not used: this ``extra`` is) when the current
    version holds no files made from ``digest``."""

    id: str
    digest: str
    load: Callable[[], Publication]
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Made:
    """What a version's manifest records of one election."""

    digest: str
    entry: dict[str, object]
    files: list[str]


def publish_version(public: Path | str, elections: Sequence[Publication | Stored], *,
                    keep: int = KEEP, now: dt.datetime | None = None) -> str:
    """Write a new version of ``elections`` under ``public``, point ``current_ver.txt`` at it,
    refresh the live page's files, and prune all but the newest ``keep`` versions; return the
    version id. Ids are decimal milliseconds since 1970 (UTC), always above every id already in
    the folder, so an id is never reused even after the folder is emptied (a browser may cache
    a version's files for a year). A ``Stored`` election the current version holds from the same
    digest keeps its files (hard links) and is not loaded; the folder written is byte for byte
    the one rendering every election would write.

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
        previous = current_version(root)
        try:
            _write_version(folder, elections, version, stamp,
                           root / previous if previous is not None else None)
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


def _write_version(folder: Path, elections: Sequence[Publication | Stored], version: str,
                   stamp: dt.datetime, previous: Path | None) -> None:
    """Write every file of a version into ``folder``, taking unchanged elections' files from
    the ``previous`` version folder (see ``publish_version``)."""
    known = _manifest(previous) if previous is not None else {}
    entries: list[dict[str, object]] = []
    made: dict[str, dict[str, object]] = {}
    for one in elections:
        kept = _reuse(one, previous, known.get(one.id), folder) if isinstance(one, Stored) \
            else None
        if kept is None:
            entry, written = _election_files(one.load() if isinstance(one, Stored) else one,
                                             stamp)
            kept = _Made("", entry, _write_texts(folder, written))
        if isinstance(one, Stored):
            made[one.id] = {"digest": one.digest, "entry": kept.entry, "files": kept.files}
        entries.append(kept.entry | dict(one.extra))
    summary = {"version": version, "published": _iso(stamp), "elections": entries}
    _write_texts(folder, {"summary.json": json.dumps(summary, indent=1, ensure_ascii=False) + "\n"})
    write_file(folder / MANIFEST, json.dumps({"format": _MANIFEST_FORMAT, "elections": made},
                                             indent=1, ensure_ascii=False) + "\n", within=folder)


def _write_texts(folder: Path, texts: Mapping[str, str]) -> list[str]:
    """Write each text (relative name → text) and, from ``GZIP_FROM`` bytes, its ``.gz``;
    return the names written."""
    names = []
    for name, text in texts.items():
        data = text.encode("utf-8")
        write_file(folder / name, data, within=folder)
        names.append(name)
        if len(data) >= GZIP_FROM:
            # mtime 0: the same file compresses to the same bytes (a stable ETag)
            write_file(folder / f"{name}.gz", gzip.compress(data, 6, mtime=0), within=folder)
            names.append(f"{name}.gz")
    return names


def _reuse(one: Stored, previous: Path | None, made: _Made | None, folder: Path) -> _Made | None:
    """Link the election's files from ``previous`` into ``folder`` when ``previous`` made them
    from the same digest; ``None`` (nothing left in ``folder``) when it did not, or a file of
    it is gone.

    Raises:
        OutputError: a file cannot be linked or copied into ``folder``.
    """
    if previous is None or made is None or made.digest != one.digest:
        return None
    try:
        for name in made.files:
            if (previous / name).is_symlink():  # put there by hand: never followed, rendered
                raise FileNotFoundError(name)
            _link(previous / name, folder / name)
    except FileNotFoundError:  # a file removed by hand: render the election again
        shutil.rmtree(folder / one.id, ignore_errors=True)
        return None
    return made


def _link(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target`` (version files never change, so two versions may share
    one); copy it where the file system cannot link (no hard links, another device, too many).

    Raises:
        FileNotFoundError: ``source`` is gone.
        OutputError: ``target`` cannot be written.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target, follow_symlinks=False)
    except FileNotFoundError:
        raise
    except OSError:
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _manifest(folder: Path) -> dict[str, _Made]:
    """What ``folder``'s manifest records, by election id; nothing from a version without one
    (published before manifests), of another format, or unreadable: its elections are
    rendered again."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if recorded.get("format") != _MANIFEST_FORMAT:
            return {}
        return {eid: _Made(str(m["digest"]), dict(m["entry"]),
                           [n for n in m["files"] if _inside(str(n), eid)])
                for eid, m in recorded["elections"].items()}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def _inside(name: str, election: str) -> bool:
    """Whether a recorded file name lies in the election's own folder (a manifest edited by
    hand cannot make a publish link files from elsewhere)."""
    parts = PurePosixPath(name).parts
    return len(parts) > 1 and parts[0] == election and ".." not in parts


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
    # generated when its figures last changed, not at this publish: a later version that keeps
    # the file (``_reuse``) then says the same as one rendering it again
    written[f"{eid}/nist-1500-100.json"] = export(returns, "nist-json",
                                                   _utc(one.updated) if one.updated else stamp)
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
    return _utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; one without a zone is taken as UTC (as the store keeps times)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


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

