"""Render apportionments and Electoral College counts: text (Rich), md, wiki and json, and a
state's "Electors" section in the manner of the articles. Nothing here computes a result; every
figure is read off an ``Apportionment`` or a ``CollegeAnalysis``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.errors import NotFoundError
from electoral.formats import ElectorsFormat as ElectorsFormat
from electoral.io.escaping import md_cell, on_screen, wiki_cell
from electoral.tabulate.apportion import DC, Apportionment
from electoral.tabulate.electors import AT_LARGE, College, Contest, ElectorVote, state_name
from electoral.tabulate.scenarios import Change, CollegeAnalysis

GOALS = {"deny-majority": "deny the winner a majority",
         "elect-runner-up": "elect the runner-up outright"}

# -- apportionment ------------------------------------------------------------------------------


def apportionment_json(a: Apportionment, census: int | None = None,
                       official: Mapping[str, int] | None = None) -> dict[str, object]:
    """The JSON document of ``electoral apportion``: seats and electors per state, whether the
    seats match ``official`` (``None`` when not given), the last five seats assigned and the states
    next in line, priorities as decimal strings (cents)."""
    return {
        "census": census,
        "house_size": a.house_size,
        "seats": dict(a.seats),
        "electors": a.electors(),
        "matches_official": None if official is None else dict(a.seats) == dict(official),
        "last_seats": [{"seat": s.seat, "state": s.state, "nth": s.nth,
                        "priority": str(s.priority)} for s in a.assignments[-5:]],
        "next_in_line": [{"seat": c.seat, "state": c.state, "nth": c.nth,
                          "priority": str(c.priority), "shortfall": c.shortfall}
                         for c in a.next_in_line],
    }


def render_apportionment(a: Apportionment, fmt: ElectorsFormat | str, census: int | None = None,
                         official: Mapping[str, int] | None = None) -> str:
    """An apportionment as text, Markdown, wikitext or JSON (``apportionment_json``).

    Raises:
        ValueError: ``fmt`` is not an ``ElectorsFormat`` value.
    """
    fmt = ElectorsFormat(fmt)
    if fmt is ElectorsFormat.JSON:
        return json.dumps(apportionment_json(a, census, official), indent=2) + "\n"
    title = (f"Apportionment of {a.house_size} seats"
             + (f", {census} census" if census else "") + " (method of equal proportions)")
    header = ["State", "Population", "Seats", "Electors"] + (["Official"] if official else [])
    electors = a.electors()
    rows = [[state_name(st), f"{a.populations[st]:,}", str(n), str(electors[st])]
            + ([_official(n, official.get(st))] if official else [])
            for st, n in sorted(a.seats.items(), key=lambda kv: state_name(kv[0]))]
    if DC not in a.seats:
        rows.append([f"{state_name(DC)} (23rd Amendment)", "", "", str(electors[DC])]
                    + ([""] if official else []))
    rows.append(["Total", f"{sum(a.populations.values()):,}", str(sum(a.seats.values())),
                 str(sum(electors.values()))] + ([""] if official else []))
    notes = _apportion_notes(a)
    return _render(fmt, title, header, rows, notes)


def _official(ours: int, official: int | None) -> str:
    if official is None:
        return ""
    return "=" if ours == official else f"{official} ({ours - official:+d})"


def _apportion_notes(a: Apportionment) -> list[str]:
    notes = [f"Seat {s.seat}: {state_name(s.state)} (its seat {s.nth}), priority {s.priority:,}"
             for s in a.assignments[-5:]]
    notes += [f"Next in line, seat {c.seat}: {state_name(c.state)} (its seat {c.nth}), priority "
              f"{c.priority:,}; {c.shortfall:,} more people would have won it seat {a.house_size}"
              for c in a.next_in_line]
    return notes


# -- the Electoral College ----------------------------------------------------------------------


def college_json(analysis: CollegeAnalysis) -> dict[str, object]:
    """The JSON document of ``electoral college``: electors pledged and cast per nominee, every
    contest with its margin, the winner or contingent election, tipping point, closest contests
    and the fewest switched votes that change the outcome."""
    college = analysis.college
    contingent = college.contingent
    return {
        "year": college.year, "total": college.total, "needed": college.needed,
        "winner": college.name(college.winner) if college.winner else None,
        "contingent": contingent is not None,
        "contingent_election": None if contingent is None else {
            "president": {"chamber": "House", "vote": "one per state delegation",
                          "needed": contingent.house_needed,
                          "among": [college.name(k) for k in contingent.president_among]},
            "vice_president": {"chamber": "Senate", "needed": contingent.senate_needed,
                               "among": list(contingent.vice_president_among)}},
        "scenario": college.scenario or None,
        "candidates": [{"name": college.name(k), "party": college.nominees[k].party
                        if k in college.nominees else "", "pledged": college.pledged.get(k, 0),
                        "cast": college.cast.get(k, 0)} for k in college.ranking()],
        "abstentions": college.abstentions,
        "states": [_state_json(college, st) for st in _states(college)],
        "tipping_point": analysis.tipping_point,
        "tipping_point_candidates": list(analysis.tipping_points),
        "closest": [_contest_json(college, c) for c in analysis.closest],
        "to_change_outcome": [{"goal": ch.goal, "votes": ch.votes, "contests": list(ch.contests),
                               "electors": ch.electors} for ch in analysis.changes],
        "electors_not_as_pledged": [_vote_json(v) for v in college.elector_votes],
    }


def _states(college: College) -> list[str]:
    return sorted({c.state for c in college.contests}, key=state_name)


def _state_json(college: College, state: str) -> dict[str, object]:
    contests = college.state(state)
    statewide = contests[0]
    entry: dict[str, object] = {
        "state": state, "electors": sum(c.electors for c in contests),
        **{k: v for k, v in _contest_json(college, statewide).items()
           if k not in ("id", "electors")},
    }
    awarded: dict[str, int] = {}
    for contest in contests:
        if contest.winner is not None:
            name = college.name(contest.winner)
            awarded[name] = awarded.get(name, 0) + contest.electors
    entry["awarded"] = awarded
    if len(contests) > 1:
        entry["districts"] = [_contest_json(college, c) for c in contests[1:]]
    if state in college.slates:
        entry["electors_named"] = list(college.slates[state])
    return entry


def _contest_json(college: College, contest: Contest) -> dict[str, object]:
    return {
        "id": contest.id, "state": contest.state, "electors": contest.electors,
        "winner": college.name(contest.winner) if contest.winner else None,
        "runner_up": college.name(contest.runner_up) if contest.runner_up else None,
        "margin": None if contest.margin is None else {
            "votes": contest.margin_votes, "percent": str(contest.margin_percent)},
        "flipped": contest.flipped, "source": contest.source,
    }


def _vote_json(vote: ElectorVote) -> dict[str, object]:
    return {"state": vote.state, "elector": vote.elector or None,
            "pledged_to": vote.pledged_president, "president": vote.president or None,
            "vice_president": vote.vice_president or None, "note": vote.note,
            "source": vote.source}


def render_college(analysis: CollegeAnalysis, fmt: ElectorsFormat | str) -> str:
    """A national count and its close calls as text, Markdown, wikitext or JSON (``college_json``).

    Raises:
        ValueError: ``fmt`` is not an ``ElectorsFormat`` value.
    """
    fmt = ElectorsFormat(fmt)
    if fmt is ElectorsFormat.JSON:
        return json.dumps(college_json(analysis), indent=2) + "\n"
    college = analysis.college
    national = _render(fmt, _college_title(college), ["Candidate", "Party", "Pledged", "Cast"],
                       [[college.name(k), college.nominees[k].party if k in college.nominees
                         else "", str(college.pledged.get(k, 0)), str(college.cast.get(k, 0))]
                        for k in college.ranking()], [])
    header = ["State", "Electors", "Winner", "Margin", "Margin %", "Awarded"]
    rows = [_state_row(college, st) for st in _states(college)]
    states = _render(fmt, "By state", header, rows, _college_notes(analysis))
    return national + "\n" + states


def _college_title(college: College) -> str:
    base = f"{college.year} Electoral College"
    if college.scenario:
        base += f" ({college.scenario})"
    if college.winner:
        return (f"{base}: {college.name(college.winner)} elected with "
                f"{college.cast[college.winner]} of {college.total} ({college.needed} needed)")
    return f"{base}: no majority of {college.total} ({college.needed} needed) — contingent election"


def _state_row(college: College, state: str) -> list[str]:
    contests = college.state(state)
    statewide = contests[0]
    winner = college.name(statewide.winner) if statewide.winner else "tied"
    if statewide.flipped:
        winner += " (flipped)"
    return [state_name(state), str(sum(c.electors for c in contests)), winner,
            "" if statewide.margin is None else f"{statewide.margin_votes:,}",
            "" if statewide.margin_percent is None else f"{statewide.margin_percent}%",
            _awarded(college, contests)]


def _awarded(college: College, contests: tuple[Contest, ...]) -> str:
    """"all" when one candidate took every elector, else each share with its districts."""
    if len({c.winner for c in contests}) == 1:
        return "all" if contests[0].winner else "none (tied)"
    shares: dict[str | None, list[Contest]] = {}
    for contest in contests:
        shares.setdefault(contest.winner, []).append(contest)
    parts = []
    for key, won in shares.items():
        where = ("" if any(c.id == c.state for c in won)
                 else f" ({', '.join(c.id for c in won)})")
        parts.append(f"{college.name(key) if key else 'tied'} {sum(c.electors for c in won)}"
                     + where)
    return ", ".join(parts)


def _college_notes(analysis: CollegeAnalysis) -> list[str]:
    college = analysis.college
    notes = []
    if college.contingent is not None:
        c = college.contingent
        notes.append(f"No candidate has a majority: the House chooses the president among "
                     f"{_names(college, c.president_among)}, each state delegation casting one "
                     f"vote ({c.house_needed} needed); the Senate chooses the vice president "
                     f"between {' and '.join(c.vice_president_among)} ({c.senate_needed} needed).")
    if analysis.tipping_point:
        notes.append(f"Tipping point: {analysis.tipping_point}")
    elif analysis.tipping_points:
        notes.append(f"Tipping point: {' or '.join(analysis.tipping_points)}, depending on the "
                     "margin of a district known only by its winner (import district returns)")
    if analysis.closest:
        notes.append("Closest: " + "; ".join(
            f"{c.id} {college.name(c.winner)} by {c.margin_votes:,} ({c.margin_percent}%)"
            for c in analysis.closest))
    notes += [_change_line(ch) for ch in analysis.changes]
    notes += [_vote_line(v) for v in college.elector_votes]
    sources = sorted({c.source for c in college.contests if c.source != "returns"})
    notes += [f"District winners from: {s}" for s in sources]
    return notes


def _names(college: College, keys: Sequence[str]) -> str:
    return ", ".join(college.name(k) for k in keys)


def _change_line(change: Change) -> str:
    return (f"To {GOALS.get(change.goal, change.goal)}: {change.votes:,} voters switching in "
            f"{', '.join(change.contests)} ({change.electors} electors)")


def _vote_line(vote: ElectorVote) -> str:
    who = vote.elector or "An elector"
    if not vote.president:
        return f"{who} ({vote.state}), pledged to {vote.pledged_president}, abstained."
    return (f"{who} ({vote.state}), pledged to {vote.pledged_president}, voted for "
            f"{vote.president} for president and {vote.vice_president or 'no one'} for vice "
            f"president.")


# -- a state's "Electors" section ---------------------------------------------------------------


def electors_section(analysis: CollegeAnalysis, state: str, fmt: ElectorsFormat | str) -> str:
    """The allocation, the rule, the electors' votes and (when known) their names for one state
    (USPS code), as a section headed "Electors" in ``fmt``.

    Raises:
        NotFoundError: ``state`` has no contests in the count.
        ValueError: ``fmt`` is not an ``ElectorsFormat`` value.
    """
    fmt = ElectorsFormat(fmt)
    college = analysis.college
    contests = college.state(state)
    if not contests:
        raise NotFoundError(f"no electors for {state!r} in {college.year}")
    if fmt is ElectorsFormat.JSON:
        return json.dumps(_state_json(college, state), indent=2) + "\n"
    lines = _section_prose(college, state, contests)
    slate = college.slates.get(state, ())
    heading = {"wiki": "==Electors==", "md": "## Electors"}.get(fmt.value, "Electors")
    body = [heading]
    for line in lines:  # each its own paragraph
        body += ["", line]
    if slate:
        body += ["", f"The electors from {state_name(state)}{_pledged_to(college, contests)} were:"]
        body += [f"{'#' if fmt is ElectorsFormat.WIKI else f'{i}.'} {name}"
                 for i, name in enumerate(slate, start=1)]
    return "\n".join(body) + "\n"


def _pledged_to(college: College, contests: tuple[Contest, ...]) -> str:
    if len({c.winner for c in contests}) != 1 or contests[0].winner is None:
        return ""
    key = contests[0].winner
    mate = college.nominees[key].running_mate if key in college.nominees else None
    return f", all pledged to {college.name(key)}" + (f" and {mate}" if mate else "")


def _section_prose(college: College, state: str, contests: tuple[Contest, ...]) -> list[str]:
    name, electors = state_name(state), sum(c.electors for c in contests)
    if state == "DC":
        basis = (f"The {name} has {electors} electors under the Twenty-third Amendment, as many "
                 "as the least populous state.")
    else:
        districts = electors - AT_LARGE
        basis = (f"{name} has {electors} electors: one for each of its {districts} congressional "
                 f"district{'s' if districts != 1 else ''} and one for each of its 2 senators.")
    if len(contests) > 1:
        rule = (f"Two electors go to the statewide winner and one to the winner of each "
                f"congressional district; in {college.year} "
                + "; ".join(f"{c.id if c.id != state else 'the state at large'} went to "
                            f"{college.name(c.winner)}" for c in contests) + ".")
    else:
        rule = (f"The candidate with the most votes statewide wins all {electors}; in "
                f"{college.year} that was {college.name(contests[0].winner)}.")
    votes = [_vote_line(v) for v in college.elector_votes if v.state == state]
    return [basis + " " + rule, *votes]


# -- shared table rendering ---------------------------------------------------------------------


def _render(fmt: ElectorsFormat, title: str, header: list[str], rows: list[list[str]],
            notes: list[str]) -> str:
    # names come from stored returns: escaped for each format, never read as its markup
    if fmt is ElectorsFormat.MD:
        lines = [f"**{md_cell(title)}**", "", "| " + " | ".join(map(md_cell, header)) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(map(md_cell, cells)) + " |" for cells in rows]
        return "\n".join(lines + ([""] + [f"- {md_cell(n)}" for n in notes] if notes else [])) + "\n"
    if fmt is ElectorsFormat.WIKI:
        lines = ['{| class="wikitable sortable"', f"|+ {wiki_cell(title)}", "|-",
                 "! " + " !! ".join(map(wiki_cell, header))]
        for cells in rows:
            lines += ["|-", "| " + " || ".join(map(wiki_cell, cells))]
        lines.append("|}")
        return "\n".join(lines + ([""] + [f"* {wiki_cell(n)}" for n in notes] if notes else [])
                         ) + "\n"
    table = Table()
    for i, name in enumerate(header):
        table.add_column(Text(on_screen(name)), justify="left" if i == 0 or not rows or
                         not rows[0][i].replace(",", "").replace("%", "").replace(".", "")
                         .lstrip("-").isdigit() else "right")
    for i, cells in enumerate(rows):
        table.add_row(*(Text(on_screen(c)) for c in cells),
                      end_section=i == len(rows) - 2 and cells[0] != "Total"
                      and rows[-1][0] == "Total")
    console = Console(file=io.StringIO(), width=120, record=True, highlight=False)
    console.print(Text(on_screen(title), style="bold"))
    console.print(table)
    for note in notes:
        console.print(Text(on_screen(note)))
    return console.export_text()
