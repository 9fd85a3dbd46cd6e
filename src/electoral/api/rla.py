"""Risk-limiting audits: electoral.rla takes values; these read files and the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.api.core import ResultsStore, _choice, _read_bytes
from electoral.api.rcv import rcv_rankings
from electoral.api.returns import tabulate
from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import Election, Returns, Unit, UnitKind
from electoral.rcv.cvr.provider import Provider

if TYPE_CHECKING:
    from electoral.model import Unit
    from electoral.rla.compare import Comparison as AuditComparison
    from electoral.rla.compare import Planned
    from electoral.rla.macro import BatchCount, Batches
    from electoral.rla.sampler import Manifest
    from electoral.store_night import NightStore as NightStore
    from electoral.tabulate.rollup import Tabulation


# ---- risk-limiting audits: rla (electoral.rla takes values; these read files and the store) ----

def rla_stored_contest(store: ResultsStore, election: str) -> tuple[dict[str, int], int | None]:
    """The statewide votes of a stored election for an audit (candidate name → votes) and the
    ballots cast in the state when its returns say (else None: the caller must be told them, as
    an audit's margins are diluted over every ballot, undervotes included).

    Raises:
        ValidationError: the election id is malformed, or a count is withheld (an audit needs
            exact votes).
        NotFoundError: the election is not stored.
    """
    return _statewide(tabulate(store, election, UnitKind.STATE), election)


def _statewide(table: Tabulation, election: str) -> tuple[dict[str, int], int | None]:
    if not table.total.exact:
        raise ValidationError([Problem("withheld_counts", f"{election}: some counts are withheld; "
                                       "an audit needs every vote", field="election")])
    names = {c.id: c.name or c.id for c in table.columns}
    states = {u.id for u in table.returns.units if u.kind is UnitKind.STATE}
    cast = [f.ballots_cast for f in table.returns.facts if f.unit in states and f.ballots_cast]
    return {names[cid]: table.total.of(cid) for cid in names}, (cast[0] if len(cast) == 1 else None)


# The geographic levels that can serve as MACRO batches, finest first.
_BATCH_LEVELS = (UnitKind.PRECINCT, UnitKind.TOWN, UnitKind.COUNTY)


def rla_election_contests(store: ResultsStore, election: str, *, ballots: int | None = None,
                          winners: int = 1, counties: bool = True
                          ) -> tuple[list[Planned], list[tuple[str, str]]]:
    """A stored election's contests for the planner comparison, and those left out with why.

    The statewide contest first, then with ``counties`` each county's own result as a contest.
    Batches for MACRO are the finest stored geographic units (precinct, town, county) whose
    counts are exact and that hold no adjustment row, within the contest; a batch's ballots are
    its ballots cast when every batch's are stored (and cover its votes), else its votes counted.
    A county with no votes is skipped; one without finer units has no batches. A contest's
    ballots (``ballots_from``): ``ballots`` when given (statewide), else the unit's stored ballots
    cast, else the sum of its batches' ballots cast, else its votes counted (an audit then
    understates the undervotes, and says so).

    Raises:
        ValidationError: a malformed election id, a withheld statewide count, or bad ``winners``.
        NotFoundError: the election is not stored.
    """
    from electoral.rla.compare import Planned
    from electoral.rla.contest import make_contest
    from electoral.tabulate.rollup import roll_up

    Election.from_id(election)
    returns = store.load(election)
    state = roll_up(returns, UnitKind.STATE)
    votes, cast = _statewide(state, election)
    names = {c.id: c.name or c.id for c in state.columns}
    tables = {}
    for kind in _BATCH_LEVELS:
        try:
            tables[kind] = roll_up(returns, kind)
        except NotFoundError:
            continue
    finest = next((k for k in _BATCH_LEVELS if k in tables and all(
        r.exact and not r.unit.adjustment and min(r.votes.values(), default=0) >= 0
        for r in tables[k].rows)), None)
    batches, batch_cast = _batches(tables[finest], names) if finest else ({}, False)
    by_county = _by_county(returns, tables[finest], batches) if finest else {}

    def cast_in(stored: int | None, held: Mapping[str, BatchCount], total: int) -> tuple[int, str]:
        if stored:
            return stored, "ballots cast"
        if held and batch_cast:
            return sum(c.ballots or 0 for c in held.values()), f"ballots cast ({finest} sum)"
        return total, "votes counted"

    counted, source = (ballots, "given") if ballots else cast_in(cast, batches,
                                                                  sum(votes.values()))
    planned = [Planned(make_contest(votes, counted, winners, state.total.unit.name), "state",
                       source, batches or None, finest.value if finest else None)]
    skipped: list[tuple[str, str]] = []
    if counties and UnitKind.COUNTY in tables:
        facts = {f.unit: f.ballots_cast for f in returns.facts if f.ballots_cast}
        for row in tables[UnitKind.COUNTY].rows:
            if not row.total or not row.exact:
                skipped.append((row.unit.name, "no votes" if row.exact else "withheld counts"))
                continue
            held = by_county.get(row.unit.id, {})
            counted, source = cast_in(facts.get(row.unit.id), held, row.total)
            planned.append(Planned(
                make_contest({names[c]: row.of(c) for c in names}, counted, winners,
                             row.unit.name),
                "county", source, held or None, finest.value if held and finest else None))
    return planned, skipped


def _by_county(returns: Returns, table: Tabulation, batches: Mapping[str, BatchCount]
               ) -> dict[str, dict[str, BatchCount]]:
    """County id → the batches (``table``'s rows, named as ``_batches`` names them) inside it;
    empty when the batches are the counties themselves."""
    if table.level is UnitKind.COUNTY:
        return {}
    units = {u.id: u for u in returns.units}
    level_names = [r.unit.name for r in table.rows]
    found: dict[str, dict[str, BatchCount]] = {}
    for row in table.rows:
        at: str | None = row.unit.parent
        while at is not None and at in units and units[at].kind is not UnitKind.COUNTY:
            at = units[at].parent
        if at is not None:
            name = _batch_name(row.unit, level_names)
            found.setdefault(at, {})[name] = batches[name]
    return found


def _batches(table: Tabulation, names: Mapping[str, str]) -> tuple[dict[str, BatchCount], bool]:
    """Each row of ``table`` as a batch (by name), and whether their ballots are ballots cast."""
    from electoral.rla.macro import BatchCount

    facts = {f.unit: f.ballots_cast for f in table.returns.facts if f.ballots_cast}
    cast = all((facts.get(r.unit.id) or -1) >= r.total for r in table.rows)
    seen = [r.unit.name for r in table.rows]
    return {_batch_name(r.unit, seen): BatchCount({names[c]: r.of(c) for c in names},
                                                  facts[r.unit.id] if cast else r.total, 0)
            for r in table.rows}, cast


def _batch_name(unit: Unit, names: Sequence[str]) -> str:
    """A unit's name as a batch, with its id where another unit of the level has the name."""
    return unit.name if names.count(unit.name) == 1 else f"{unit.name} ({unit.id})"


def rla_compare(store: ResultsStore, election: str, risk_limit: float, *,
                ballots: int | None = None, winners: int = 1, counties: bool = True,
                gamma: float | None = None,
                rates: Sequence[float] | None = None) -> AuditComparison:
    """The planner comparison (``electoral.rla.compare``) of every contest of a stored election
    (``rla_election_contests``) at ``risk_limit``; γ and the discrepancy rates default to
    SuperSimple's (1.03905; 0.001, 0.0001, 0.001, 0.0001).

    Raises:
        ValidationError: as ``rla_election_contests``, a risk limit outside (0, 1), or γ not
            above 1.
        NotFoundError: the election is not stored.
    """
    from electoral.rla import comparison
    from electoral.rla.compare import compare

    planned, skipped = rla_election_contests(store, election, ballots=ballots, winners=winners,
                                             counties=counties)
    return compare(planned, risk_limit, gamma=gamma or comparison.GAMMA,
                   rates=rates or comparison.DEFAULT_RATES, source=election, skipped=skipped)


def rla_compare_chart(found: AuditComparison, out: Path | str) -> Path:
    """Write the chart of ballots to audit against margin (``electoral.report.rla_chart``) for
    ``found`` to ``out`` (SVG). The curves are for a contest of the largest contest's ballots
    and, when that contest has batches, batches of its mean ballots per batch.

    Raises:
        OutputError: ``out`` cannot be written.
    """
    from electoral.io.outfile import write_file
    from electoral.report.rla_chart import sample_size_chart
    from electoral.rla.compare import curves

    largest = max(found.rows, key=lambda r: r.planned.contest.ballots)
    held = largest.planned.batches
    per_batch = None
    if held:
        per_batch = max(1, round(sum(c.ballots or 0 for c in held.values()) / len(held)))
    ballots = largest.planned.contest.ballots
    margins = [float(r.margin) for r in found.rows if r.margin > 0]
    lowest = max(min([*margins, 0.01]) / 2, 1 / ballots)
    drawn = curves(found.risk_limit, ballots, batch_ballots=per_batch, gamma=found.gamma,
                   rates=found.rates, lowest=lowest)
    path = Path(out)
    write_file(path, sample_size_chart(found, drawn, ballots=ballots, batch_ballots=per_batch))
    return path


def rla_manifest(path: Path | str) -> Manifest:
    """A ballot manifest read from ``path`` (``electoral.rla.sampler.Manifest``).

    Raises:
        ValidationError: the file cannot be read, or bad rows (file, line, field).
    """
    from electoral.rla.sampler import read_manifest

    return read_manifest(_read_bytes(Path(path)), str(path))


def rla_batches(path: Path | str, *, with_ballots: bool = True) -> Batches:
    """A MACRO batch file (``batch,contest,candidate,votes,ballots``), or with ``with_ballots``
    False the hand counts of audited batches (no ``ballots`` column).

    Raises:
        ValidationError: the file cannot be read, or bad rows (file, line, field).
    """
    from electoral.rla.macro import read_batches

    return read_batches(_read_bytes(Path(path)), str(path), with_ballots=with_ballots)


def rla_record(path: Path | str, *, check: bool) -> dict[str, object] | list[str]:
    """An audit record from ``path`` (JSON): with ``check``, verify every derived field and return
    what was checked; else return the record with its derived fields filled in. Manifests named
    in the record are read relative to the record's folder.

    Raises:
        ValidationError: the file cannot be read or is not JSON, a malformed record, or (``check``)
            the first derived field that disagrees, named by its path in the record.
    """
    import json

    from electoral.rla import record

    where = Path(path)
    try:
        document = json.loads(_read_bytes(where))
    except ValueError as exc:
        raise ValidationError([Problem("not_json", f"not JSON: {exc}", source=str(path))]) from None
    if not isinstance(document, dict):
        raise ValidationError([Problem("not_record", "an audit record is a JSON object",
                                       source=str(path))])

    def read(name: str) -> bytes:
        return _read_bytes(where.parent / name)

    return record.verify(document, read) if check else record.complete(document, read)


def rla_raire(inputs: Sequence[Path | str], *, audit: str | None = None,
              risk_limit: float | None = None, gamma: float | None = None,
              total: int | None = None, winner: str | None = None,
              provider: Provider | str | None = None) -> dict[str, object]:
    """RAIRE's assertions and difficulty (``electoral.rla.raire``; Blom, Stuckey and Teague 2019)
    for RAIRE problem files (JSON, one contest each) or the CVR files of one contest, read as
    ``electoral rcv`` reads them (format from each name unless ``provider`` says; the default
    rules: overvotes exhaust, skipped ranks are passed over). The options override what a
    problem file says; defaults OneOnMargin, α 0.05, γ 1.03905, N the ballots read. One contest
    gives its document; several problem files ``{"contests": [{"source": …, …}, …]}``.

    Raises:
        ValidationError: no input, problem files mixed with CVRs, a malformed problem (file and
            field), a CVR problem (file, ballot, field), an unknown audit type, a risk limit
            outside (0, 1), γ not above 0, or a declared winner the count does not elect (both
            named), or a winner that rests on a tie.
        NotFoundError: a CVR file is missing or unreadable.
    """
    from electoral.rla import raire

    paths = [Path(p) for p in inputs]
    if not paths:
        raise ValidationError([Problem("no_input", "name a RAIRE problem or CVR files",
                                       field="INPUT")])
    kind = _choice(audit.lower(), raire.AuditType, "audit") if audit is not None else None
    if risk_limit is not None and not 0 < risk_limit < 1:
        raise ValidationError([Problem("bad_risk_limit", f"risk limit {risk_limit} must be a "
                                       "fraction between 0 and 1", field="risk-limit")])
    if gamma is not None and not gamma > 0:
        raise ValidationError([Problem("bad_gamma", f"γ {gamma} must be above 0", field="gamma")])

    def settle(contest: raire.Contest, file: raire.RaireProblem | None,
               source: str) -> dict[str, object]:
        chosen = raire.Audit(
            kind or (file.kind if file and file.kind else raire.AuditType.ONE_ON_MARGIN),
            risk_limit or (file.risk_limit if file and file.risk_limit else raire.ALPHA),
            gamma or (file.gamma if file and file.gamma else raire.GAMMA),
            total or (file.total if file else None))
        if winner is not None:
            contest = raire.contest_of(contest.candidates, dict(zip(contest.ballots,
                                                                    contest.counts, strict=True)),
                                       winner, source)
        return raire.document(contest, raire.solve(contest, chosen, source), chosen)

    if provider is None:
        datas = [_read_bytes(p) if p.suffix.lower() == ".json" else None for p in paths]
        problems = [d for d in datas if d and raire.looks_like_problem(d)]
        if problems and len(problems) < len(paths):
            raise ValidationError([Problem("mixed_inputs", "give RAIRE problem files or the CVR "
                                           "files of one contest, not both", field="INPUT")])
        if problems:
            found = []
            for path, data in zip(paths, problems, strict=True):
                read = raire.read_problem(data, str(path))
                found.append({"source": str(path), **settle(read.contest, read, str(path))})
            if len(found) == 1:
                found[0].pop("source")
                return found[0]
            return {"contests": found}
    names, rankings = rcv_rankings(paths, provider=provider)
    source = ", ".join(p.name for p in paths)
    return settle(raire.contest_of(names, rankings, None, source), None, source)


