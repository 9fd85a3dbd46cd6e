"""Polls, their averages and the forecast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.api.core import ResultsStore
from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.formats import (
    ForecastFormat,
    PollsFormat,
)
from electoral.model import Election

if TYPE_CHECKING:
    from electoral.analyze.forecast import Forecast, StateResult
    from electoral.analyze.forecast_backtest import Backtest
    from electoral.analyze.polls import PollAverages
    from electoral.importing_polls import PollFileReport
    from electoral.model import Poll
    from electoral.store_night import NightStore as NightStore


# ---- polls ---------------------------------------------------------------------------------------


def import_polls(store: ResultsStore, paths: Sequence[Path], *, replace: bool = False,
                 skip_existing: bool = False) -> list[PollFileReport]:
    """Read 538 poll files (``read_polls``) and store their polls in one transaction
    (``electoral.importing_polls`` says what a file may replace): a bad row in any file, or a poll
    id another file holds without ``replace`` or ``skip_existing``, stores nothing.

    Returns:
        One ``PollFileReport`` per file, in order: polls and answers stored, whether the file
        replaced its own earlier import, the poll ids it replaced or skipped.

    Raises:
        NotFoundError: a file that is not there.
        ValidationError: every bad row of every file, located (file, line, column); every poll id
            already held by another file (``duplicate-poll``, at the poll's line); both
            ``replace`` and ``skip_existing``.
        StoreError: the store could not write; nothing is changed.

    In a store with an audit chain the change is logged (action ``polls``, the files kept).
    """
    from electoral.importing_polls import plan_polls
    from electoral.io import open_source
    from electoral.io.polls import poll_file_format, read_poll_file
    from electoral.night_log import local_change
    from electoral.store_polls import PollFile

    read: list[tuple[str, tuple[Poll, ...], str, str]] = []
    problems: list[Problem] = []
    for path in paths:
        source = open_source(path)
        try:
            fmt = poll_file_format(source.stream().readline())
            read.append((source.name, read_poll_file(source.stream(), source.name), source.sha256,
                         fmt))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    planned = plan_polls([(name, polls) for name, polls, _sha, _fmt in read], store.poll_ids(),
                         replace=replace, skip_existing=skip_existing)
    detail = {"replace": replace, "skip_existing": skip_existing}
    with local_change(store, "polls", detail) as change:
        store.save_polls([PollFile(p.source, sha, fmt, p.polls, p.drop)
                          for p, (_n, _polls, sha, fmt) in zip(planned, read, strict=True)])
        if change is not None:
            change.read(paths, used=[sha for _n, _polls, sha, _fmt in read])
            change.other = True
    return [p.report for p in planned]


def stored_polls(store: ResultsStore, state: str | None = None, pollster: str | None = None,
                 as_of: dt.date | None = None) -> list[Poll]:
    """The stored polls, file by file in the order first imported, each file's in its order:
    only those of ``state`` (a USPS code or a district such as ``ME-02``), of a ``pollster`` whose
    name contains the text given (any case), and ending by ``as_of``, where given.

    Raises:
        NotFoundError: no poll is stored, or none passes the filters (the message says which).
    """
    files = store.polls()
    polls = [p for _source, of_file in files for p in of_file]
    if not polls:
        raise NotFoundError("no poll is stored; `electoral polls import FILE` stores a 538 poll "
                            "file (president_polls.csv or raw-polls.csv)")
    wanted = state.upper() if state else None
    chosen = [p for p in polls if (wanted is None or p.geography == wanted)
              and (pollster is None or pollster.casefold() in p.pollster.name.casefold())
              and (as_of is None or p.end <= as_of)]
    if not chosen:
        said = ", ".join(f"{k} {v}" for k, v in (("state", state), ("pollster", pollster),
                                                ("ending by", as_of)) if v is not None)
        raise NotFoundError(f"no stored poll with {said} ({len(polls):,} polls stored)")
    return chosen


def render_poll_list(polls: Sequence[Poll], fmt: PollsFormat | str = "text") -> str:
    """Polls one row per question (``electoral.report.polls.render_poll_list``): text, json, csv, md.

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    from electoral.report.polls import render_poll_list as render

    return render(polls, fmt)


def poll_averages(paths: Sequence[Path], state: str | None = None,
                  as_of: dt.date | None = None, *,
                  store: ResultsStore | None = None) -> PollAverages:
    """Each geography's weighted poll average and each pollster's house effect
    (``electoral.analyze.polls.poll_averages``) from 538 poll files (``president_polls.csv`` or
    ``raw-polls.csv``, told apart by their header), or, with no ``paths``, from the polls in
    ``store``: the polls of one presidential election, the one ``as_of`` (default: the last poll's
    end) looks to, from the first file (given or stored) with any (``_one_election``). With
    ``state`` (a USPS code or a district such as ``ME-02``) only that geography and the pollsters
    that polled it are kept; house effects are still estimated from every poll of the election.

    Raises:
        NotFoundError: a file that is not there, no poll stored (no ``paths``), no poll of
            ``state``, or no poll ending by ``as_of`` with both a Democratic and a Republican share.
        ValidationError: every bad row of every file, located (file, line, column).
    """
    from dataclasses import replace

    from electoral.analyze.polls import poll_averages as average

    if paths or store is None:
        files = read_poll_files(paths)
    else:
        files = [polls for _source, polls in store.polls()]
        if not files:
            stored_polls(store)  # raises: nothing stored, and what to do
    polls = _one_election(files, as_of)
    try:
        result = average(polls, as_of)
    except ValueError as exc:
        raise NotFoundError(f"{exc}: nothing to average") from None
    if state is None:
        return result
    wanted = state.upper()
    states = tuple(s for s in result.states if s.geography == wanted)
    if not states:
        raise NotFoundError(f"no poll of {state} (geographies polled: "
                            f"{', '.join(s.geography for s in result.states)})")
    pollsters = {w.pollster for w in states[0].weights}
    return replace(result, states=states,
                   house_effects=tuple(h for h in result.house_effects if h.pollster in pollsters))


def _one_election(files: Sequence[Sequence[Poll]], as_of: dt.date | None) -> list[Poll]:
    """The polls of one presidential election, the one ``as_of`` (default: the last poll's end)
    looks to (``analyze.forecast_fit.presidential_year``), from the first of ``files`` with any
    poll of it — as ``forecast`` takes a year's polls. raw-polls (and a store) hold 2000–2020:
    an earlier election's polls would count among a state's polls and skew the house effects,
    though their recency weight is nil; and a poll of two files (538 keeps one id) would count
    twice."""
    from electoral.analyze.forecast_fit import presidential_year

    ends = [p.end for polls in files for p in polls]
    if not ends:
        return []
    cycle = presidential_year(as_of or max(ends))
    for polls in files:
        chosen = [p for p in polls if presidential_year(p.end) == cycle]
        if chosen:
            return chosen
    return []


def render_polls(averages: PollAverages, fmt: PollsFormat | str = "text") -> str:
    """Poll averages as ``electoral.report.polls.render_polls`` renders them (text, json, csv).

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    from electoral.report.polls import render_polls as render

    return render(averages, fmt)


# ---- forecast ------------------------------------------------------------------------------------


def read_polls(paths: Sequence[Path]) -> list[Poll]:
    """Every poll of 538 poll files (``president_polls.csv`` or ``raw-polls.csv``, told apart by
    their header), in file order.

    Raises:
        NotFoundError: a file that is not there.
        ValidationError: every bad row of every file, located (file, line, column).
    """
    return [poll for polls in read_poll_files(paths) for poll in polls]


def read_poll_files(paths: Sequence[Path]) -> list[list[Poll]]:
    """The polls of each of ``paths`` (as ``read_polls``), file by file.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``: every bad row of every file.
    """
    from electoral.io import open_source
    from electoral.io.polls import read_poll_file

    files: list[list[Poll]] = []
    problems: list[Problem] = []
    for path in paths:
        source = open_source(path)
        try:
            files.append(list(read_poll_file(source.stream(), source.name)))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return files


class StoredPast:
    """The forecast's ``PastElections`` over a results store and poll files: a year's results are
    the stored presidential returns of its 51 elections (Democratic and Republican tickets as
    ``electoral.tabulate.electors.unify`` finds them); a year's polls come from the first file
    that has any poll for that year (so a year's own poll file wins over raw-polls' rows of it)."""

    def __init__(self, store: ResultsStore, files: Sequence[Sequence[Poll]]) -> None:
        from electoral.analyze.forecast_fit import presidential_year

        self._store = store
        self._polls: dict[int, list[Poll]] = {}
        for polls in files:
            by_year: dict[int, list[Poll]] = {}
            for poll in polls:
                by_year.setdefault(presidential_year(poll.end), []).append(poll)
            for year, found in by_year.items():
                self._polls.setdefault(year, found)
        self._results: dict[int, dict[str, StateResult]] = {}
        self._years: list[int] | None = None

    def years(self) -> list[int]:
        from electoral.tabulate.nation import state_ids

        if self._years is None:
            stored = {e.id for e in self._store.elections()}
            self._years = [y for y in range(1976, 2101, 4) if stored.issuperset(state_ids(y))]
        return self._years

    def polls(self, year: int) -> list[Poll]:
        return self._polls.get(year, [])

    def poll_years(self) -> list[int]:
        return sorted(self._polls)

    def results(self, year: int) -> dict[str, StateResult]:
        from electoral.analyze.forecast import StateResult
        from electoral.tabulate.electors import require_stored, state_votes, unify
        from electoral.tabulate.nation import state_ids

        if year not in self._results:
            ids = state_ids(year)
            if year not in self.years():
                require_stored(year, [i for i in ids if not self._store.has(i)])
            states = unify(state_votes(r) for r in self._store.load_many(ids))
            self._results[year] = {
                sv.state: StateResult(int(sv.votes.get("democratic", 0)),
                                      int(sv.votes.get("republican", 0)), sv.total)
                for sv in states}
        return self._results[year]


def _poll_files(store: ResultsStore, paths: Sequence[Path]) -> tuple[list[list[Poll]], str]:
    """The polls of each of ``paths``, or with none, of each file stored (in the order first
    imported), and how to name where they came from.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``; no path given and no poll stored.
    """
    if paths:
        return read_poll_files(paths), ", ".join(map(str, paths))
    stored = store.polls()
    if not stored:
        raise NotFoundError("no poll file given (--polls) and no poll stored; `electoral polls "
                            "import FILE` stores one")
    return [polls for _source, polls in stored], f"the stored polls ({', '.join(s for s, _ in stored)})"


def _college_shape(year: int) -> tuple[dict[str, int], dict[str, int]]:
    """Electors per state and the districts of each district-method state, for ``year``."""
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.electors import AT_LARGE, uses_district_method

    electors = electors_for(year)
    return electors, {s: n - AT_LARGE for s, n in electors.items() if uses_district_method(s, year)}


def forecast(store: ResultsStore, paths: Sequence[Path], year: int | None = None,
             as_of: dt.date | None = None, simulations: int = 100_000, seed: int = 0) -> Forecast:
    """The Electoral College forecast of ``year`` (default: the latest year the poll files cover)
    from its polls ending by ``as_of`` (the poll files ``paths``, or with none the polls stored by
    ``import_polls``, file by file in the order first imported: a year's polls come from the first
    file with any for it), the prior from the stored results of the election before,
    and parameters fit on the stored results and polls of earlier elections
    (``electoral.analyze.forecast_fit``).

    Raises:
        NotFoundError: a file that is not there, no poll of ``year``, no apportionment for
            ``year``, or a stored election the forecast needs is missing.
        ValidationError: a bad row of a poll file, or too little past data to fit on (the
            message says what is missing).
    """
    from electoral.analyze.forecast_fit import forecast_year

    files, where = _poll_files(store, paths)
    past = StoredPast(store, files)
    year = year or max(past.poll_years(), default=0)
    polls = past.polls(year)
    if not polls:
        raise NotFoundError(f"no poll of the {year} election in {where}")
    electors, districts = _college_shape(year)
    try:
        return forecast_year(past, year, polls, electors, districts, as_of=as_of,
                             simulations=simulations, seed=seed)
    except ValueError as exc:
        raise ValidationError([Problem("forecast", f"{year}: {exc}")]) from None


def election_forecast(store: ResultsStore, election: str, as_of: dt.date | None = None,
                      simulations: int = 100_000, seed: int = 0) -> Forecast:
    """The forecast (``forecast``, from the stored polls) of a presidential election's year, for
    its page.

    Raises:
        ValidationError: ``election`` is not an election id, or not a presidential election (the
            forecast is of the Electoral College); as ``forecast``.
        NotFoundError: as ``forecast``.
    """
    chosen = Election.from_id(election)
    if chosen.office != "president":
        raise ValidationError([Problem("forecast", f"{election} is not a presidential election: "
                                       "the forecast is of the Electoral College", field="forecast")])
    return forecast(store, [], chosen.year, as_of, simulations, seed)


def backtest(store: ResultsStore, paths: Sequence[Path], years: Sequence[int] = (2008, 2012, 2016, 2020),
             as_of: Mapping[int, dt.date] | None = None, simulations: int = 100_000,
             seed: int = 0) -> Backtest:
    """Each of ``years`` forecast from its polls (ending by ``as_of[year]``, default election day)
    with parameters fit on earlier years only, scored against the stored results with the plain
    baseline beside it (``electoral.analyze.forecast_backtest``).

    Raises:
        NotFoundError: as ``forecast``; a year without polls.
        ValidationError: as ``forecast``.
    """
    from electoral.analyze.forecast_backtest import backtest as pooled
    from electoral.analyze.forecast_backtest import score_year
    from electoral.analyze.forecast_fit import election_day

    files, where = _poll_files(store, paths)
    past = StoredPast(store, files)
    scores = []
    for year in years:
        polls = past.polls(year)
        if not polls:
            raise NotFoundError(f"no poll of the {year} election in {where}")
        electors, districts = _college_shape(year)
        day = (as_of or {}).get(year) or election_day(year)
        try:
            scores.append(score_year(past, year, polls, electors, districts, day,
                                     simulations=simulations, seed=seed))
        except ValueError as exc:
            raise ValidationError([Problem("backtest", f"{year}: {exc}")]) from None
    return pooled(scores)


def render_forecast(result: Forecast, fmt: ForecastFormat | str = "text") -> str:
    """A forecast as ``electoral.report.forecast.render_forecast`` renders it (text, json, csv, md).

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    from electoral.report.forecast import render_forecast as render

    return render(result, fmt)


def render_backtest(result: Backtest, fmt: ForecastFormat | str = "text") -> str:
    """A back-test as ``electoral.report.forecast.render_backtest`` renders it.

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    from electoral.report.forecast import render_backtest as render

    return render(result, fmt)


def backtest_figures(result: Backtest, out: Path) -> list[Path]:
    """Write the back-test's calibration chart into the folder ``out`` (SVG, and PNG when cairo is
    installed); returns the files written."""
    from electoral.report.forecast_charts import write_calibration

    return write_calibration(result, out)


def forecast_figures(result: Forecast, paths: Sequence[Path], out: Path,
                     states: Sequence[str] = (), *, store: ResultsStore | None = None) -> list[Path]:
    """Write the forecast's pictures into the folder ``out`` (made if missing): the electoral-vote
    histogram, the state probability map and, for each of ``states`` (default: the five closest),
    its poll average over time with the polls behind it (from ``paths``, or with none the polls
    in ``store``). SVG, and PNG beside each when cairo is installed. Returns the files written.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``; as ``stored_polls``.
    """
    from electoral.analyze.forecast_fit import presidential_year
    from electoral.report.forecast_charts import write_figures

    polls = [p for p in (read_polls(paths) if paths or store is None else stored_polls(store))
             if presidential_year(p.end) == result.year]
    return write_figures(result, polls, out, states)


