"""``electoral rla …``: risk-limiting audits on the command line, a thin layer over
``electoral.rla`` (tallies, seeds) and ``electoral.api`` (stored elections, files).

Every command parses its options, makes one library call, prints the document in the format
asked, and turns a library error into exit code 1 (usage mistakes, such as a risk limit outside
(0, 1), exit 2). The keys of ``--format json`` are those of ``shared/cases/audit/README.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from electoral.errors import ElectoralError, ValidationError
from electoral.formats import AuditFormat
from electoral.formats import AuditMethod as Method

if TYPE_CHECKING:
    from electoral.rla.contest import Contest

class RaireAudit(StrEnum):
    """``--audit`` of ``rla raire``: the names of ``electoral.rla.raire.AuditType`` (kept here so
    that ``--help`` does not load numpy)."""

    ONE_ON_MARGIN = "oneonmargin"
    ONE_ON_MARGIN_SQ = "oneonmarginsq"
    BRAVO = "bravo"
    MACRO = "macro"


rla_app = typer.Typer(
    name="rla", no_args_is_help=True, rich_markup_mode=None,
    help="Risk-limiting audits: plan sample sizes, draw a reproducible sample, measure the risk, "
         "prove an IRV winner with RAIRE assertions, verify an audit record.")


@contextmanager
def handled() -> Iterator[None]:
    """A library error printed as ``error: …`` with its located problems, and exit code 1."""
    from electoral.io.escaping import on_screen

    try:
        yield
    except ElectoralError as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else []
        typer.echo(on_screen(f"error: {exc if not problems else f'{len(problems)} problem(s)'}"),
                   err=True)
        for problem in problems[:50]:
            typer.echo(on_screen(f"  {problem}"), err=True)
        raise typer.Exit(1) from None


def _write(document: Mapping[str, object], fmt: AuditFormat) -> None:
    from electoral.rla.render import render

    text = render(document, fmt.value)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _risk_limit(value: float) -> float:
    if not 0 < value < 1:
        raise typer.BadParameter(f"{value} is not a fraction between 0 and 1 (0.1 is a 10 % risk "
                                 "limit)")
    return value


RiskLimit = Annotated[float, typer.Option(
    "--risk-limit", callback=_risk_limit, help="The risk limit as a fraction: 0.1 is 10 %.")]
MethodOption = Annotated[Method, typer.Option(
    help="bravo or minerva (ballot polling), supersimple (ballot comparison, Kaplan–Markov) or "
         "macro (batch comparison).")]
TallyOption = Annotated[str | None, typer.Option(
    help="Reported votes, NAME=VOTES,...", show_default=False)]
BallotsOption = Annotated[int | None, typer.Option(
    min=1, help="Ballots cast in the contest, undervotes and overvotes included.",
    show_default=False)]
WinnersOption = Annotated[int, typer.Option(min=1, help="How many candidates win.")]
ElectionOption = Annotated[str | None, typer.Option(
    help="A stored election to audit instead of --tally (its statewide votes).", show_default=False)]
DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Results database file (default: $ELECTORAL_DB, else ./electoral.duckdb).",
    show_default=False)]
SampleOption = Annotated[list[str] | None, typer.Option(
    "--sample", help="Votes seen in an audited round, NAME=COUNT,... (repeat once per round, in "
    "order).", show_default=False)]
GammaOption = Annotated[float, typer.Option(help="SuperSimple's error inflation factor γ.")]
DiscrepanciesOption = Annotated[str | None, typer.Option(
    help="Discrepancies counted, o1,o2,u1,u2 (1- and 2-vote over- then understatements).",
    show_default=False)]
BatchesOption = Annotated[Path | None, typer.Option(
    help="macro: the batch file, batch,contest,candidate,votes,ballots.", show_default=False)]
ContestOption = Annotated[str | None, typer.Option(
    help="macro: the contest, when the batch file holds several.", show_default=False)]
AuditedOption = Annotated[Path | None, typer.Option(
    help="macro: hand counts of the audited batches, batch,contest,candidate,votes.",
    show_default=False)]
RatesOption = Annotated[str | None, typer.Option(
    help="SuperSimple's expected discrepancy rates per ballot, r1,r2,s1,s2 (default "
         "0.001,0.0001,0.001,0.0001).", show_default=False)]
FormatOption = Annotated[AuditFormat, typer.Option("--format", "-f", help="text, md, csv or json.")]


def _contest(tally: str | None, ballots: int | None, winners: int, election: str | None,
             db: Path | None) -> Contest:
    from electoral.rla.contest import make_contest, parse_counts

    if (tally is None) == (election is None):
        raise typer.BadParameter("give --tally or --election (one of them)", param_hint="--tally")
    if election is not None:
        from electoral import api

        with handled(), api.open_store(db) as store:
            votes, stored = api.rla_stored_contest(store, election)
        ballots = ballots or stored
        if ballots is None:
            raise typer.BadParameter(f"{election} does not store its ballots cast: give --ballots",
                                     param_hint="--ballots")
        name = election
    else:
        if ballots is None:
            raise typer.BadParameter("give the contest's ballots", param_hint="--ballots")
        with handled():
            votes = parse_counts(tally or "")
        name = "contest"
    with handled():
        return make_contest(votes, ballots, winners, name)


def _macro(risk_limit: float, batches: Path | None, contest: str | None, winners: int,
           audited: Path | None, fmt: AuditFormat) -> None:
    from electoral import api
    from electoral.rla import audit

    if batches is None:
        raise typer.BadParameter("macro needs the batch file", param_hint="--batches")
    with handled():
        hand = api.rla_batches(audited, with_ballots=False) if audited is not None else None
        document = audit.batches(api.rla_batches(batches), risk_limit, contest=contest,
                                 winners=winners, audited=hand,
                                 audited_source=str(audited) if audited else None)
    _write(document, fmt)


def _rounds(samples: list[str] | None) -> list[dict[str, int]]:
    from electoral.rla.contest import parse_counts

    with handled():
        return [parse_counts(text, "sample") for text in samples or []]


@rla_app.command()
def plan(
    method: MethodOption, risk_limit: RiskLimit, tally: TallyOption = None,
    ballots: BallotsOption = None, winners: WinnersOption = 1, election: ElectionOption = None,
    sample: SampleOption = None, gamma: GammaOption = 1.03905,
    rates: RatesOption = None,
    discrepancies: DiscrepanciesOption = None, batches: BatchesOption = None,
    contest: ContestOption = None, audited: AuditedOption = None,
    fmt: FormatOption = AuditFormat.TEXT, db: DbOption = None,
) -> None:
    """Sample sizes before a round: BRAVO's ASN and round-one sizes (70/80/90 %), Minerva's
    round sizes (70/80/90 %; later rounds with --sample per round), SuperSimple's
    size, or MACRO's batches; "full hand count" when no sample can confirm the outcome."""
    from electoral.rla import audit, comparison

    if method is Method.MACRO:
        _macro(risk_limit, batches, contest, winners, audited, fmt)
        return
    reported = _contest(tally, ballots, winners, election, db)
    seen = _rounds(sample)
    with handled():
        found = comparison.parse_discrepancies(discrepancies) if discrepancies else None
        expected = comparison.parse_rates(rates) if rates else comparison.DEFAULT_RATES
        document = audit.plan(method, reported, risk_limit, seen=seen, gamma=gamma, rates=expected,
                              found=found)
    _write(document, fmt)


@rla_app.command()
def compare(
    risk_limit: RiskLimit, election: ElectionOption = None, tally: TallyOption = None,
    ballots: Annotated[int | None, typer.Option(
        min=1, help="Ballots cast in the --tally contest, or statewide with --election (default: "
        "the stored ballots cast, else the votes counted).", show_default=False)] = None,
    winners: WinnersOption = 1, batches: Annotated[Path | None, typer.Option(
        help="A MACRO batch file (batch,contest,candidate,votes,ballots): every contest in it.",
        show_default=False)] = None,
    counties: Annotated[bool, typer.Option(
        "--counties/--no-counties", help="With --election: each county's own result as a contest "
        "too.")] = True,
    gamma: GammaOption = 1.03905, rates: RatesOption = None,
    chart: Annotated[Path | None, typer.Option(
        help="Also draw ballots to audit against margin for the three methods, with the contests "
             "marked, as SVG.", show_default=False)] = None,
    fmt: FormatOption = AuditFormat.TEXT, db: DbOption = None,
) -> None:
    """Ballot polling (BRAVO ASN and 90 % round one, Minerva 90 %), ballot comparison
    (SuperSimple) and batch comparison (MACRO, where there are batches) side by side for every
    contest: a stored election's statewide contest and each county's (counties, or their
    precincts, as batches), a batch file's contests, or one --tally; "full hand count" where no
    sample can confirm the outcome."""
    from electoral import api
    from electoral.rla import comparison
    from electoral.rla.compare import Planned, from_batch_file
    from electoral.rla.compare import compare as compare_contests
    from electoral.rla.render import render_comparison

    if [election, tally, batches].count(None) != 2:
        raise typer.BadParameter("give one of --election, --tally and --batches",
                                 param_hint="--election")
    with handled():
        expected = comparison.parse_rates(rates) if rates else comparison.DEFAULT_RATES
    if election is not None:
        with handled(), api.open_store(db) as store:
            found = api.rla_compare(store, election, risk_limit, ballots=ballots, winners=winners,
                                    counties=counties, gamma=gamma, rates=expected)
    else:
        with handled():
            if batches is not None:
                planned = from_batch_file(api.rla_batches(batches), winners)
            else:
                planned = [Planned(_contest(tally, ballots, winners, None, None), "contest",
                                   "given")]
            found = compare_contests(planned, risk_limit, gamma=gamma, rates=expected,
                                     source=str(batches) if batches else "tally")
    if chart is not None:
        with handled():
            api.rla_compare_chart(found, chart)
    text = render_comparison(found, fmt.value)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@rla_app.command()
def risk(
    method: MethodOption, risk_limit: RiskLimit, tally: TallyOption = None,
    ballots: BallotsOption = None, winners: WinnersOption = 1, election: ElectionOption = None,
    sample: SampleOption = None,
    sample_size: Annotated[int, typer.Option(
        min=0, help="SuperSimple: ballots audited so far.")] = 0,
    discrepancies: DiscrepanciesOption = None, gamma: GammaOption = 1.03905,
    batches: BatchesOption = None, contest: ContestOption = None, audited: AuditedOption = None,
    fmt: FormatOption = AuditFormat.TEXT, db: DbOption = None,
) -> None:
    """The measured risk after the rounds audited so far, and the decision: confirmed (stop) or
    escalate (with the further ballots, or batches, to draw)."""
    from electoral.rla import audit, comparison

    if method is Method.MACRO:
        if audited is None:
            raise typer.BadParameter("macro measures the hand counts", param_hint="--audited")
        _macro(risk_limit, batches, contest, winners, audited, fmt)
        return
    reported = _contest(tally, ballots, winners, election, db)
    seen = _rounds(sample)
    with handled():
        found = comparison.parse_discrepancies(discrepancies) if discrepancies else None
        document = audit.measure(method, reported, risk_limit, seen=seen, sampled=sample_size,
                                 found=found, gamma=gamma)
    _write(document, fmt)


@rla_app.command("sample")
def sample_(
    seed: Annotated[str, typer.Option(help="The seed, as text exactly as published (never a "
                                      "number: leading zeros and every digit count).")],
    size: Annotated[int, typer.Option(min=0, help="How many ballots to draw.")],
    ballots: BallotsOption = None,
    manifest: Annotated[Path | None, typer.Option(
        help="A ballot manifest CSV: container,batch,ballots (ballots numbered in file order).",
        show_default=False)] = None,
    with_replacement: Annotated[bool, typer.Option(
        "--with-replacement", help="Keep repeated draws (else a repeat is skipped).")] = False,
    batches: Annotated[Path | None, typer.Option(
        help="Draw batches of a MACRO batch file instead, with probability proportional to their "
             "error bounds (PPEB).", show_default=False)] = None,
    contest: ContestOption = None, winners: WinnersOption = 1,
    fmt: FormatOption = AuditFormat.TEXT,
) -> None:
    """A reproducible sample from a seed (Rivest's SHA-256 sampler): ballot numbers in draw order,
    located in their container and batch with --manifest; with --batches, PPEB batches."""
    from electoral import api
    from electoral.rla import audit

    if [ballots, manifest, batches].count(None) != 2:
        raise typer.BadParameter("give one of --ballots, --manifest and --batches",
                                 param_hint="--ballots")
    if batches is not None:
        with handled():
            document = audit.sample_batches(seed, size, api.rla_batches(batches), contest=contest,
                                            winners=winners)
        _write(document, fmt)
        return
    with handled():
        read = api.rla_manifest(manifest) if manifest is not None else None
        document = audit.sample(seed, size, ballots=ballots, manifest=read,
                                with_replacement=with_replacement)
    _write(document, fmt)


@rla_app.command()
def record(
    draft: Annotated[Path, typer.Argument(help="An audit record whose seed, risk limit, contests, "
                                          "round sizes and observations are filled in.")],
) -> None:
    """Fill in an audit record's derived fields (samples, p-values, decisions, manifest SHA-256)
    and print it as JSON."""
    import json

    from electoral import api

    with handled():
        document = api.rla_record(draft, check=False)
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


@rla_app.command()
def verify(
    path: Annotated[Path, typer.Argument(metavar="RECORD", help="The audit record (JSON).")],
) -> None:
    """Recompute everything in an audit record from its seed, manifest and observations; exit 1
    naming the first field that disagrees."""
    from electoral import api

    with handled():
        checked = api.rla_record(path, check=True)
    typer.echo(f"verified: {len(checked)} derived fields of {path} agree")


def _optional_risk_limit(value: float | None) -> float | None:
    return None if value is None else _risk_limit(value)


@rla_app.command()
def raire(
    inputs: Annotated[list[Path], typer.Argument(
        metavar="INPUT...", help="RAIRE problem files (JSON, one contest each), or the CVR files "
        "of one contest in any format `electoral rcv` reads.")],
    audit: Annotated[RaireAudit | None, typer.Option(
        help="The audit whose expected sample is an assertion's difficulty (default: the "
             "problem's, else oneonmargin).", show_default=False)] = None,
    risk_limit: Annotated[float | None, typer.Option(
        "--risk-limit", callback=_optional_risk_limit,
        help="The risk limit as a fraction (bravo, macro; default: the problem's, else 0.05).",
        show_default=False)] = None,
    gamma: Annotated[float | None, typer.Option(
        help="MACRO's error inflation factor γ (default: the problem's, else 1.03905).",
        show_default=False)] = None,
    total_auditable: Annotated[int | None, typer.Option(
        "--total-auditable", min=1,
        help="Total auditable ballots N (default: the problem's, else the ballots read).",
        show_default=False)] = None,
    winner: Annotated[str | None, typer.Option(
        help="The declared winner; an error when the count elects someone else.",
        show_default=False)] = None,
    # a name, checked by the reader (an enum here would load electoral.api on every --help)
    provider: Annotated[str | None, typer.Option(
        help="The CVR format when the file names do not tell: ess, dominion, hart, "
             "clearBallot, cdf, genericCsv, ranks or blt.", show_default=False)] = None,
    fmt: FormatOption = AuditFormat.TEXT,
) -> None:
    """RAIRE assertions (NEB, NEN) that prove an IRV winner, with each one's margin and
    difficulty and the audit's (the least any assertion set achieves; Blom, Stuckey and Teague
    2019)."""
    from electoral import api

    with handled():
        document = api.rla_raire(inputs, audit=audit.value if audit else None,
                                 risk_limit=risk_limit, gamma=gamma, total=total_auditable,
                                 winner=winner, provider=provider)
    _write(document, fmt)
