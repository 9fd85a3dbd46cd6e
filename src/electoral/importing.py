"""What one `electoral import` command did, or would do: the typed report behind its text and
its ``--format json`` document (docs/import-json.md §2), and the rule that decides what a file
may add to an election already stored.

Many files, one election (issue 10, item 4): files whose counted units do not overlap add up to
one election, together or one after another. A unit *overlaps* another when it is that unit, or
lies above or below it (a Kent precinct overlaps a stored Kent county row). A file that overlaps
stored units of the same election, or brings an election stored from a source of another format,
would replace figures someone stored: that is a problem (``stored_units`` / ``other_source``)
unless the user says ``--replace`` (the overlapped units go, and the report says which and from
where) or ``--skip-existing`` (the file's overlapping units are left out and listed). The same
file imported again (same name, same sha256) replaces its own units without asking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from electoral.errors import NotFoundError, Problem, ValidationError

if TYPE_CHECKING:
    from electoral.columns import ReturnsTable
    from electoral.io import Format, ReadOptions
    from electoral.io.rules_across import PartyLabels
    from electoral.model import Candidate, Returns, UndecidedSpelling
    from electoral.store import ImportRecord, StoredUnit

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Replaced:
    """Stored units that a file replaces (``--replace``) or leaves as stored (``--skip-existing``),
    and the file they came from."""

    election: str
    units: tuple[str, ...]
    source: str


@dataclass(slots=True)
class ElectionReport:
    """One election of an import command (docs/import-json.md §2, ``ELECTION``). Item lists are
    JSON-ready dicts in the contract's shapes; ``coverage``, ``precinct_coverage`` and
    ``complete`` are filled by the coverage check (``None`` until it runs)."""

    id: str
    sources: list[str] = field(default_factory=list)
    stored: bool = False
    counts: int = 0
    left_out: list[Json] = field(default_factory=list)
    merged: list[Json] = field(default_factory=list)
    undecided: list[Json] = field(default_factory=list)
    problems: list[Json] = field(default_factory=list)
    warnings: list[Json] = field(default_factory=list)
    notes: list[Json] = field(default_factory=list)
    adjustments: list[Json] = field(default_factory=list)
    suppressed: list[Json] = field(default_factory=list)
    unknown_parties: list[str] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)
    skipped: list[Replaced] = field(default_factory=list)
    coverage: Json | None = None
    precinct_coverage: list[Json] = field(default_factory=list)
    complete: bool | None = None

    def json(self) -> Json:
        out = {key: getattr(self, key) for key in self.__slots__}
        out["replaced"] = [asdict(r) | {"units": list(r.units)} for r in self.replaced]
        out["skipped"] = [asdict(r) | {"units": list(r.units)} for r in self.skipped]
        return out


@dataclass(slots=True)
class ImportReport:
    """What an import command stored, merged, left out, flagged, replaced and skipped
    (``stored`` false throughout for ``audit-import`` / ``--dry-run``, or when any problem
    refused the command). ``problems`` holds those of no one election (an unreadable file)."""

    elections: list[ElectionReport] = field(default_factory=list)
    problems: list[Json] = field(default_factory=list)
    dry_run: bool = False
    records: list[ImportRecord] = field(default_factory=list)  # one per file and election stored

    @property
    def stored(self) -> bool:
        return any(e.stored for e in self.elections)

    @property
    def failed(self) -> bool:
        """A problem anywhere: the command exits 1."""
        return bool(self.problems) or any(e.problems for e in self.elections)

    def election(self, election_id: str) -> ElectionReport:
        for one in self.elections:
            if one.id == election_id:
                return one
        self.elections.append(ElectionReport(election_id))
        return self.elections[-1]

    def json(self) -> Json:
        return {"stored": self.stored, "elections": [e.json() for e in self.elections],
                "problems": self.problems}

    def text(self) -> list[str]:
        """The lines `electoral import` prints: per election what was (or would be) stored,
        then what was left out, merged, replaced, skipped, noted and found wrong."""
        lines = []
        for e in self.elections:
            if e.stored:
                lines.append(f"imported {e.id} from {', '.join(e.sources)} ({e.counts:,} counts)")
            else:
                verb = "would import" if self.dry_run and not e.problems else "did not import"
                lines.append(f"{verb} {e.id} from {', '.join(e.sources)}")
            lines += [f"  left out {n:,} row(s): {what}" for what, n in _left_out_lines(e.left_out)]
            lines += [f"  merged {m['candidate']} ({m['party'] or 'no party'}): "
                      f"{', '.join(m['spellings'])}" for m in e.merged]
            lines += [f"  replaced {r.election} {', '.join(r.units)} from {r.source}" for r in e.replaced]
            lines += [f"  skipped {r.election} {', '.join(r.units)}: stored from {r.source}"
                      for r in e.skipped]
            lines += [f"  note: {line}" for line in _note_lines(e.notes)]
            lines += [f"  warning: {_where(w)}{w['detail']}" for w in e.warnings]
            lines += [f"  problem: {_where(p)}{p['detail']}" for p in e.problems]
        lines += [f"problem: {_where(p)}{p['detail']}" for p in self.problems]
        return lines


def _note_lines(notes: Sequence[Json], shown: int = 3) -> list[str]:
    """The notes as text, a kind with many (a file's hundreds of split precincts) said once with
    its first few; the JSON keeps every one."""
    by_kind: dict[str, list[str]] = {}
    for note in notes:
        by_kind.setdefault(str(note.get("kind") or "note"), []).append(str(note["detail"]))
    lines: list[str] = []
    for kind, details in by_kind.items():
        if kind == "note" or len(details) <= shown:
            lines += details
        else:
            lines.append(f"{len(details):,} {kind.replace('_', ' ')}s, e.g. "
                         f"{'; '.join(details[:shown])} (all in --format json)")
    return lines


def _where(item: Json) -> str:
    where = ":".join(str(p) for p in (item.get("file"), item.get("line")) if p)
    where += f" [{item['field']}]" if item.get("field") else ""
    return f"{where}: " if where else ""


def _left_out_lines(items: Sequence[Json]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for item in items:
        what = item.get("reason") or item.get("kind") or "left out"
        counts[what] = counts.get(what, 0) + int(item.get("rows") or 1)
    return sorted(counts.items(), key=lambda kv: -kv[1])


def problem_json(problem: Problem, file: str, **extra: object) -> Json:
    """A located problem in the contract's shape; its code is the kind, ``-`` written ``_``."""
    lines = list(getattr(problem, "lines", None) or ([problem.line] if problem.line else []))
    return {"file": file, "line": lines[0] if lines else None, "lines": lines,
            "kind": problem.code.replace("-", "_"), "detail": problem.message,
            **({"field": problem.field} if problem.field else {}), **extra}


def items(value: object) -> list[Json]:
    """Report items from what the stage attached to the returns (dataclasses or dicts)."""
    out = []
    for item in value if isinstance(value, Iterable) else ():
        out.append(asdict(item) if is_dataclass(item) and not isinstance(item, type) else dict(item))
    return out


def row_sources(returns: Returns, files: Mapping[str, str], level: str) -> dict[str, str]:
    """The file(s) each unit of ``level`` got its figures from, by unit name (``report``'s
    ``sources``); at the state level one entry when one file gave it all, else one per county.
    ``files``: the stored file of each unit id."""
    parents = {u.id: u.parent for u in returns.units}
    below: dict[str, set[str]] = {}
    for unit in {c.unit for c in returns.counts}:
        up: str | None = unit
        walked: set[str] = set()
        while up is not None and up not in walked:
            walked.add(up)
            below.setdefault(up, set()).add(files.get(unit, ""))
            up = parents.get(up)
    shown = [u for u in returns.units if u.kind == level and u.id in below]
    if level == "state" and any(len(below[u.id] - {""}) > 1 for u in shown):
        shown = [u for u in returns.units if u.kind == "county" and u.id in below]
    return {u.name: ", ".join(sorted(below[u.id] - {""})) for u in shown}


# ---- what a file may add to a stored election -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one file's election: the stored unit ids it replaces (``drop``), whether
    it replaces the election whole, the file's unit ids left out as already stored (``skip``),
    and the problems that refuse it."""

    drop: tuple[str, ...] = ()
    whole: bool = False
    skip: tuple[str, ...] = ()
    problems: tuple[Json, ...] = ()
    replaced: tuple[Replaced, ...] = ()
    skipped: tuple[Replaced, ...] = ()
    again: bool = False  # the same file (name and sha256) is stored: its units are replaced


def counted_units(table: ReturnsTable) -> set[str]:
    """The units a file gives counts for."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    return {str(u) for u in pc.unique(table.counts.table.column("unit")).to_pylist()}


def overlapping(mine: Iterable[str], theirs: Iterable[str], parents: Mapping[str, str | None]
                ) -> set[str]:
    """The units of ``theirs`` that are a unit of ``mine``, or above or below one."""
    def line(unit: str) -> set[str]:
        seen = {unit}
        while (up := parents.get(unit)) and up not in seen:
            seen.add(up)
            unit = up
        return seen

    mine = set(mine)
    above = set().union(*(line(u) for u in mine)) if mine else set()
    return {t for t in theirs if t in above or line(t) & mine}


def decide(one: Staged, stored: Sequence[StoredUnit], *, replace: bool, skip_existing: bool,
           sha_of: Mapping[int, str]) -> Decision:
    """Whether one file's election (already staged) may join what is stored of its election,
    and how (see the module docstring). ``sha_of``: the sha256 of each stored import."""
    table, file, source, sha256, fmt = one.table, one.file, one.source, one.sha256, one.format
    eid = table.election_id
    if not stored:
        return Decision()
    names = {u.id: u.name for u in table.returns.units} | {u.id: u.name for u in stored}
    others = [u for u in stored if u.format != fmt]
    if others:
        gone = tuple(sorted({u.id for u in stored if u.counted}))
        by_source = _by_source(eid, [u for u in stored if u.counted], names)
        if replace:
            return Decision(whole=True, replaced=by_source)
        if skip_existing:
            return Decision(skip=tuple(counted_units(table)), skipped=by_source)
        sources = ", ".join(sorted({u.source for u in others}))
        return Decision(problems=({
            "file": file, "line": None, "lines": [], "kind": "other_source", "election": eid,
            "units": [names[u] for u in gone], "stored_source": sources,
            "detail": f"{eid} is stored from {sources} ({others[0].format}); this file "
                      f"({fmt}) is another source of it. --replace replaces the stored figures "
                      "with this file's, --skip-existing leaves them as they are"},))
    parents = {u.id: u.parent for u in stored} | {u.id: u.parent for u in table.returns.units}
    same_file = {u.id for u in stored if u.source == source and sha_of.get(u.import_id) == sha256}
    hit = overlapping(counted_units(table), {u.id for u in stored if u.counted}, parents)
    again = tuple(sorted(hit & same_file))
    hit -= same_file
    if not hit:
        return Decision(drop=again, again=bool(again))
    hit_units = [u for u in stored if u.id in hit]
    by_source = _by_source(eid, hit_units, names)
    if replace:
        return Decision(drop=again + tuple(sorted(hit)), replaced=by_source)
    if skip_existing:
        mine = overlapping(hit, counted_units(table), parents)
        return Decision(drop=again, skip=tuple(sorted(mine)), skipped=by_source)
    sources = ", ".join(r.source for r in by_source)
    shown = sorted(names[u] for u in hit)
    return Decision(problems=({
        "file": file, "line": None, "lines": [], "kind": "stored_units", "election": eid,
        "units": shown, "stored_source": sources,
        "detail": f"{eid} already has {', '.join(shown[:10])}"
                  f"{f' and {len(shown) - 10} more' if len(shown) > 10 else ''} stored from "
                  f"{sources}; this file would replace them. --replace replaces them, "
                  "--skip-existing leaves them as they are"},))


def _by_source(eid: str, units: Sequence[StoredUnit], names: Mapping[str, str]) -> tuple[Replaced, ...]:
    grouped: dict[str, list[str]] = {}
    for u in units:
        grouped.setdefault(u.source, []).append(names[u.id])
    return tuple(Replaced(eid, tuple(sorted(us)), source) for source, us in grouped.items())


def between_files(tables: Sequence[tuple[str, ReturnsTable]]) -> list[Json]:
    """Problems where two files of one command give counts for the same units of an election
    (neither can be told to win): kind ``overlapping_files``."""
    problems = []
    parents: dict[str, str | None] = {}
    for _, table in tables:
        parents.update({u.id: u.parent for u in table.returns.units})
    for i, (file, table) in enumerate(tables):
        names = {u.id: u.name for u in table.returns.units}
        for earlier, other in tables[:i]:
            hit = overlapping(counted_units(table), counted_units(other), parents)
            if hit:
                shown = sorted({names.get(u, u) for u in hit} | {
                    u.name for u in other.returns.units if u.id in hit})
                problems.append({
                    "file": file, "line": None, "lines": [], "kind": "overlapping_files",
                    "election": table.election_id, "units": shown, "stored_source": earlier,
                    "detail": f"{table.election_id}: this file and {earlier} both give "
                              f"{', '.join(shown[:10])}; import one of them"})
    return problems


# ---- reading the files of one command ----------------------------------------------------------


def read_staged(path: Path | str, fmt: Format | None, options: ReadOptions,
                report: ImportReport) -> list[Staged]:
    """One file's elections after the stage's rules, each with what the report says of it; a
    file that cannot be read is a problem of the report's own."""
    from electoral.io import detect_format, open_source, read_tables
    from electoral.io.stage import stage

    file = str(path)
    try:
        source = open_source(path, options.encoding)
        chosen = fmt or detect_format(source)
        tables = read_tables(source, chosen, options)
    except (ValidationError, NotFoundError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [
            Problem("not_found", str(exc), source=file)]
        report.problems += [problem_json(p, file if p.source in (None, Path(file).name) else
                                         str(p.source)) for p in problems]
        return []
    out = []
    ids = [t.election_id for t in tables]
    for eid in sorted({e for e in ids if ids.count(e) > 1}):
        entry = report.election(eid)
        entry.sources.append(file)
        entry.problems.append({
            "file": file, "line": None, "lines": [], "kind": "ambiguous_contest",
            "detail": f"{ids.count(eid)} contests of this file would all be {eid}: "
                      "--contest TITLE chooses one"})
    tables = [t for t in tables if ids.count(t.election_id) == 1]
    for table in tables:
        entry = report.election(table.election_id)
        entry.sources.append(file)
        try:
            (staged,) = stage([table], source.name, aliases=options.aliases)
        except ValidationError as exc:
            entry.problems += [problem_json(p, file) for p in exc.problems]
            staged = table
        describe(entry, staged, file)
        if not len(staged.counts):
            entry.problems.append(no_votes(staged, file, options.contest))
            continue
        out.append(Staged(file, source.name, source.sha256, str(chosen), staged))
    return out


def no_votes(table: ReturnsTable, file: str, contest: str | None) -> Json:
    """The problem of a file's election that carries no count at all (a Clarity contest with no
    choices): stored, it would replace what is stored of the election with nothing. Kind
    ``no_votes``; ``contest`` is the contest title asked for, else the election's office."""
    eid = table.election_id
    title = contest or table.returns.election.office
    return {"file": file, "line": None, "lines": [], "kind": "no_votes", "election": eid,
            "contest": title,
            "detail": f"{eid}: the file gives no count for any candidate of {title!r}; nothing "
                      "of it is stored, and what is stored of the election stays as it is"}


def reading_options(election: str | None, aliases: Path | str | None,
                    contest: str | None, encoding: str | None = None) -> ReadOptions:
    """The ``ReadOptions`` of an import: the election, the contest title, the files' declared
    text encoding, and the user's spelling → candidate statements from the aliases file
    (``io.names.read_aliases``).

    Raises:
        NotFoundError: the aliases file does not exist.
        ValidationError: the aliases file is malformed (located by file and line).
    """
    from electoral.io import ReadOptions, open_source
    from electoral.io.names import read_aliases

    stated: dict[str, str] = {}
    if aliases is not None:
        source = open_source(aliases)
        stated = read_aliases(source.stream(), source.name)
    return ReadOptions(election=election, contest=contest, aliases=stated, encoding=encoding)


def describe(entry: ElectionReport, table: ReturnsTable, file: str) -> None:
    """What the stage said of one file's election, into its report entry, in the shapes of
    docs/import-json.md §2 (``file`` as given on the command line)."""
    from electoral.io.rules_numbers import adjustment_items, suppressed_items

    returns = table.returns
    for exclusion in returns.exclusions:
        entry.left_out.append({
            "file": file, "line": exclusion.line or None, "unit": _unit(exclusion.unit),
            "label": exclusion.label, "candidate": exclusion.candidate, "votes": exclusion.votes,
            "kind": exclusion.kind or "other_contest", "reason": exclusion.reason,
            "detail": exclusion.detail or exclusion.reason, "rows": exclusion.rows})
    code = _party_codes(returns)
    # A merge and an undecided spelling are listed as such below; their notes (kept with the
    # stored election) would say the same again.
    for note in returns.notes:
        kind = getattr(note, "kind", "note")
        if kind not in ("merged", "undecided_spelling"):
            entry.notes.append({"file": file, "lines": list(getattr(note, "lines", ())),
                                "kind": kind, "detail": str(note)})
            parts = getattr(note, "parts", ())
            if parts:  # a fusion candidate's party lines, one by one
                entry.notes[-1]["parts"] = [{"line": line, "party": party, "votes": votes}
                                            for line, party, votes in parts]
    entry.merged += [{"candidate": m.candidate, "party": code(m.party),
                      "spellings": list(m.spellings)} for m in returns.merged]
    for u in returns.undecided:
        _add_undecided(entry, u, file, code)
    entry.warnings += [{"file": file, "line": w.line, "lines": list(w.lines), "kind": w.kind,
                        "detail": w.detail} for w in returns.warnings]
    entry.adjustments += [item | {"file": file} for item in adjustment_items(table)]
    entry.suppressed += [item | {"file": file} for item in suppressed_items(table)]
    entry.unknown_parties += [p for p in returns.unknown_parties if p not in entry.unknown_parties]


def _add_undecided(entry: ElectionReport, u: UndecidedSpelling, file: str,
                   code: Callable[[str | None], str | None]) -> None:
    """An undecided spelling's row in ``undecided``, and its ``undecided_spelling`` warning."""
    could = [{"candidate": c, "party": code(p)} for c, p in u.candidates]
    entry.undecided.append({"file": file, "line": u.line, "unit": _unit(u.unit),
                            "spelling": u.spelling, "votes": u.votes, "candidates": could})
    entry.warnings.append({
        "file": file, "line": u.line, "lines": [u.line] if u.line else [],
        "kind": "undecided_spelling",
        "detail": f"{u.spelling!r} ({u.votes:,} votes) could be "
                  f"{' or '.join(c for c, _ in u.candidates)}: kept as its own candidate; "
                  "--aliases FILE says which"})


def _party_codes(returns: Returns) -> Callable[[str | None], str | None]:
    """Party id → the contract's party id (``DEM``; an unknown party's label as written)."""
    from electoral.parties import party_code

    parties = {p.id: p for p in returns.parties}
    return lambda party_id: party_code(parties.get(party_id or "", party_id))


def _unit(names: Iterable[tuple[str, str]]) -> Json | None:
    """A unit's names from the largest down as the contract's ``{"county": …, "precinct": …}``."""
    return dict(names) or None


@dataclass(frozen=True, slots=True)
class Staged:
    """One file's election after the stage: where it came from and its table."""

    file: str  # as given on the command line
    source: str  # the file's name, as stored
    sha256: str
    format: str
    table: ReturnsTable


def without(table: ReturnsTable, units: set[str]) -> ReturnsTable:
    """``table`` less the units given, the units below them and their counts (``--skip-existing``)."""
    import dataclasses

    import pyarrow as pa
    import pyarrow.compute as pc

    from electoral.columns import CountTable, ReturnsTable

    parents = {u.id: u.parent for u in table.returns.units}
    gone = set(units)
    while below := {u for u, p in parents.items() if p in gone and u not in gone}:
        gone |= below
    counts = table.counts.table
    kept = counts.filter(pc.invert(pc.is_in(counts.column("unit"),
                                            value_set=pa.array(sorted(gone), pa.string()))))
    returns = dataclasses.replace(table.returns,
                                  units=tuple(u for u in table.returns.units if u.id not in gone))
    return ReturnsTable(returns, CountTable(kept))


def lost_levels(stored: Sequence[StoredUnit], decision: Decision, one: Staged) -> list[Json]:
    """A replacement that drops levels the new file lacks (a state file over a county file)
    says so, since their detail is gone."""
    table, file = one.table, one.file
    if not decision.replaced:
        return []
    gone = {u.id for u in stored} if decision.whole else set(decision.drop)
    kinds = {u.kind for u in stored if u.id in gone} - {str(u.kind) for u in table.returns.units}
    if not kinds:
        return []
    sources = ", ".join(sorted({r.source for r in decision.replaced}))
    return [{"file": file, "lines": [], "kind": "note",
             "detail": f"{table.election_id} replaced the import from {sources}, whose "
                       f"{', '.join(sorted(kinds))} units this file does not have; import that "
                       "file again to get them back"}]


# ---- coverage of what the command stores, or would --------------------------------------------


def fill_coverage(entry: ElectionReport, tables: Sequence[ReturnsTable],
                  stored: Sequence[StoredUnit], dropped: Iterable[str] = ()) -> None:
    """``entry``'s ``coverage``, ``precinct_coverage`` and ``complete`` (docs/import-json.md §2)
    for the election as it stands after this command: the units stored before (less those it
    replaces, ``dropped``) and the units of its files (``tables``)."""
    import dataclasses

    import pyarrow as pa

    from electoral.columns import SCHEMA, CountTable
    from electoral.model import Unit, UnitKind
    from electoral.tabulate.coverage import coverage, precinct_coverage

    if not tables:
        return
    gone = set(dropped)
    units: dict[str, Unit] = {u.id: Unit(u.id, u.name, UnitKind(u.kind), u.parent)
                              for u in stored if u.id not in gone}
    for table in tables:
        units.update({u.id: u for u in table.returns.units})
    # A stored unit reports as it did when stored; its figures are not needed to say so.
    kept = [u.id for u in stored if u.counted and u.id not in gone]
    counts = [t.counts.table for t in tables]
    if kept:
        counts.append(pa.table({"unit": pa.array(kept, pa.string()),
                                "candidate": pa.array([""] * len(kept), pa.string()),
                                "vote_type": pa.array(["total"] * len(kept), pa.string()),
                                "votes": pa.array([1] * len(kept), pa.int64()),
                                "line": pa.nulls(len(kept), pa.int64())}, schema=SCHEMA))
    together = CountTable(pa.concat_tables(counts))
    returns = dataclasses.replace(tables[0].returns, units=tuple(units.values()), counts=())
    found = coverage(returns, together)
    entry.coverage = found.as_json()
    entry.complete = not found.missing
    entry.precinct_coverage = [c.as_json() | {"county": county}
                               for county, c in precinct_coverage(returns, together).items()]


# ---- one candidate across the files of one election -------------------------------------------


def merge_across(entry: ElectionReport, files: Sequence[Staged], stored: Sequence[Candidate],
                 aliases: Mapping[str, str]
                 ) -> tuple[list[Staged], tuple[tuple[str, str, str | None], ...]]:
    """The files of one election with each candidate one candidate across them and the stored
    election (``io.rules_across``), and the stored candidates to rename as (id, display name,
    running mate). ``entry`` gains the merges across files (each candidate's spellings listed
    once, whichever files they came from) and the spellings left undecided."""
    import dataclasses

    from electoral.io.rules_across import one_candidate_per_person

    across = one_candidate_per_person([one.table for one in files], stored, aliases)
    out = [dataclasses.replace(one, table=table) for one, table in zip(files, across.tables,
                                                                       strict=True)]
    code = _party_codes(out[0].table.returns) if out else (lambda p: p)
    spellings: dict[tuple[str, str | None], set[str]] = {}
    for item in entry.merged:
        spellings.setdefault((item["candidate"], item["party"]), set()).update(item["spellings"])
    for m in across.merged:
        spellings.setdefault((m.candidate, code(m.party)), set()).update(m.spellings)
    entry.merged = [{"candidate": c, "party": p, "spellings": sorted(s)}
                    for (c, p), s in spellings.items()]
    for labels in across.labels:
        _party_labels(entry, labels, files, code)
    by_source = {one.source: one.file for one in files}
    for u in across.undecided:
        _add_undecided(entry, u, by_source.get(u.file, u.file), code)
    renames = tuple((cid, name, mate) for cid, (name, mate) in sorted(across.renames.items()))
    return out, renames


def _party_labels(entry: ElectionReport, labels: PartyLabels, files: Sequence[Staged],
                  code: Callable[[str | None], str | None]) -> None:
    """A candidate the files give several party labels: a warning when one label is a canonical
    party (every file takes it), else a ``party_conflict`` problem (docs/import-json.md)."""
    def where(indexes: Sequence[int]) -> str:
        named = ["the stored election" if i < 0 else files[i].file for i in indexes]
        return ", ".join(named[:3]) + (f" and {len(named) - 3} more files" if len(named) > 3 else "")

    said = "; ".join(f"{code(p) or 'no party'} in {where(f)}" for p, f in labels.parties)
    first = next((files[i].file for _, f in labels.parties for i in f if i >= 0), None)
    if labels.chosen is not None:
        entry.warnings.append({
            "file": first, "line": None, "lines": [], "kind": "party_labels",
            "detail": f"candidate {labels.name!r} has the party labels {said}: counted as "
                      f"one candidate of {code(labels.chosen)}"})
    else:
        entry.problems.append({
            "file": first, "line": None, "lines": [], "kind": "party_conflict",
            "detail": f"candidate {labels.name!r} is {said}: which is right cannot be told; "
                      "correct the file, or --aliases FILE to name them apart"})
