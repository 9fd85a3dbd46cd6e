"""The import stage: the rules that hold for all returns, run once, on every reader's output.

Every reader gives the same columnar form (``ReturnsTable``: an election without its counts, and
the counts as Arrow columns); ``stage`` runs ``RULES`` over each election before anything is
stored, so a rule is written once and holds for every format. The store then only writes.

A rule is one small function ``ReturnsTable → Finding``: the problems it found (refuse), the
notes a user should read, the rows it set aside (``Exclusion``), and, for a rule that rewrites the
returns (a pseudo-candidate row set aside, a party label made canonical), the rewritten table.
Rules run in ``RULES`` order, each on the previous one's table. Adding a rule is adding one
function to ``RULES``.

The label rules (``io.rules_labels``: canonical parties, rows that are not votes) come first, then
the row rules (``io.rules_rows``: ``votes`` against the vote-type columns, duplicate rows and split
precincts, county-total rows), then one candidate's spellings made one; the integrity checks
last: ids appear once, every reference names something of the same election, no two counts share
a key, vote types are known, counts are not negative. First of all, names hold no control
character (``io.rules_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import ReturnsTable
from electoral.errors import Problem, ValidationError
from electoral.io import rules_labels, rules_numbers, rules_rows, rules_text, rules_units
from electoral.io.finding import SHOWN as SHOWN
from electoral.io.finding import Finding as Finding
from electoral.io.finding import Rule as Rule
from electoral.model import Returns, VoteType

# Below this many counts, repeats are looked for by counting distinct keys (cheaper per call than
# a group-by, which is faster on a big table); measured on the MEDSL state and precinct files.
_SMALL = 50_000




def stage(tables: Iterable[ReturnsTable], source: str = "",
          rules: Sequence[Rule] | None = None,
          aliases: Mapping[str, str] | None = None) -> list[ReturnsTable]:
    """Run ``rules`` (default ``RULES``) over every election of one import, in order.

    ``aliases`` (spelling → candidate name, ``io.names.read_aliases``: the user's ``--aliases``)
    reach the spelling rule (``rules_labels.spellings``). Returns the elections as the rules leave
    them, each with the rules' notes and exclusions added to its ``Returns``. ``source`` (a file
    name) locates problems that name no file.

    Raises:
        ValidationError: any rule found a problem in any election; it lists every problem of
            every election (up to ``SHOWN`` examples of one fault per election), and nothing is
            returned, so nothing can be stored.
    """
    problems: list[Problem] = []
    out = []
    chosen = [rules_labels.with_aliases(aliases) if rule is rules_labels.spellings else rule
              for rule in (RULES if rules is None else rules)]
    for table in tables:
        for rule in chosen:
            finding = rule(table)
            problems.extend(finding.problems)
            table = _applied(finding.table or table, finding)
        out.append(table)
    if problems:
        raise ValidationError(problems).located(source) if source else ValidationError(problems)
    return out


def validate(returns: Returns) -> Returns:
    """``returns`` (counts as objects) checked by the stage's integrity rules, for code that
    builds returns itself (tests, the article and sample readers, groupings). Returns ``returns``
    unchanged. The reading rules (parties, pseudo rows, repeats, totals, spellings) are for what a
    file says and run only in ``stage``: returns built in code already say what they mean.

    Raises:
        ValidationError: listing every problem, as ``stage``.
    """
    stage([ReturnsTable.of(returns)], rules=INTEGRITY)
    return returns


def _applied(table: ReturnsTable, finding: Finding) -> ReturnsTable:
    if not finding.notes and not finding.exclusions and not finding.warnings:
        return table
    returns = table.returns
    return ReturnsTable(replace(returns, notes=returns.notes + finding.notes,
                                exclusions=returns.exclusions + finding.exclusions,
                                warnings=returns.warnings + finding.warnings), table.counts)


# ---- the rules ---------------------------------------------------------------------------------


def ids_once(table: ReturnsTable) -> Finding:
    """No two units and no two candidates of an election share an id."""
    problems = []
    for what, ids in (("unit", [u.id for u in table.returns.units]),
                      ("candidate", [c.id for c in table.returns.candidates])):
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                problems.append(Problem(f"duplicate-{what}", f"{what} id {item!r} appears twice",
                                        field="id"))
            seen.add(item)
    return Finding(tuple(problems))


def references_known(table: ReturnsTable) -> Finding:
    """A unit's parent and groups are units of the election; a candidate's party is one of its
    parties (where the source lists parties at all)."""
    returns = table.returns
    unit_ids = {u.id for u in returns.units}
    party_ids = {p.id for p in returns.parties}
    problems = [Problem("unknown-unit", f"unit {unit.id!r} refers to unknown unit {ref!r}",
                        field="parent")
                for unit in returns.units for ref in (unit.parent, *unit.groups)
                if ref is not None and ref not in unit_ids]
    problems += [Problem("unknown-party", f"candidate {c.label!r} has unknown party {c.party!r}",
                         field="party")
                 for c in returns.candidates
                 if c.party is not None and party_ids and c.party not in party_ids]
    return Finding(tuple(problems))


def counts_name_known(table: ReturnsTable) -> Finding:
    """Every count names a unit and a candidate of its election."""
    counts = table.counts.table
    problems = []
    for column, ids in (("unit", [u.id for u in table.returns.units]),
                        ("candidate", [c.id for c in table.returns.candidates])):
        known = pc.is_in(counts.column(column), value_set=pa.array(ids, pa.string()))
        unknown = pc.unique(counts.column(column).filter(pc.invert(known))).to_pylist()
        problems += [Problem(f"unknown-{column}", f"a count of {table.election_id} names "
                             f"unknown {column} {value!r}", field=column)
                     for value in unknown[:SHOWN]]
    return Finding(tuple(problems))


def counts_once(table: ReturnsTable) -> Finding:
    """No two counts share a unit, a candidate and a vote type: a reader adds up (or refuses)
    the rows of one key, so a repeat here is a reader's fault, never summed silently."""
    counts = table.counts.table
    keys = ["unit", "candidate", "vote_type"]
    if len(counts) < _SMALL:  # one scalar kernel: a file of 600 small elections stays quick
        joined = pc.binary_join_element_wise(*(counts.column(k) for k in keys), "\x1f")
        if pc.count_distinct(joined).as_py() == len(counts):
            return Finding()
    grouped = counts.group_by(keys).aggregate([([], "count_all")])
    if grouped.num_rows == counts.num_rows:
        return Finding()
    repeated = grouped.filter(pc.greater(grouped.column("count_all"), 1)).slice(0, SHOWN)
    return Finding(tuple(
        Problem("duplicate-row", f"two counts for candidate {candidate!r} in unit {unit!r} "
                f"({vote_type})", field="votes")
        for unit, candidate, vote_type in zip(*(repeated.column(k).to_pylist() for k in keys),
                                              strict=True)))


def counts_well_formed(table: ReturnsTable) -> Finding:
    """Every count's vote type is a ``VoteType``, and its votes are not negative except on an
    adjustment unit (``Unit.adjustment``, ``io.rules_numbers``): a negative count anywhere else
    is a problem naming its line, unit and candidate. (Withheld counts, ``votes`` null, are
    well formed.)"""
    counts = table.counts.table
    known = pa.array([str(k) for k in VoteType], pa.string())
    unknown = pc.unique(counts.filter(pc.invert(pc.is_in(counts.column("vote_type"),
                                                         value_set=known))).column("vote_type"))
    problems = [Problem("unknown-vote-type", f"a count of {table.election_id} has vote type "
                        f"{value!r}", field="vote_type") for value in unknown.to_pylist()[:SHOWN]]
    lowest = pc.min(counts.column("votes")).as_py() if len(counts) else None
    if lowest is not None and lowest < 0:
        problems += _negative(table)
    return Finding(tuple(problems))


def _negative(table: ReturnsTable) -> list[Problem]:
    """The negative counts of ``table`` that are not on an adjustment unit, located."""
    counts = table.counts.table
    adjusting = pa.array([u.id for u in table.returns.units if u.adjustment], pa.string())
    bad = counts.filter(pc.and_(pc.less(counts.column("votes"), 0),
                                pc.invert(pc.is_in(counts.column("unit"), value_set=adjusting))))
    units = {u.id: u.name for u in table.returns.units}
    names = {c.id: c.label for c in table.returns.candidates}
    return [Problem("bad-votes", f"{names.get(c, c)} has {v:,} votes in {units.get(u, u)}: only "
                    "a statistical-adjustment unit may carry a negative count", line=line,
                    field="votes")
            for u, c, v, line in zip(*(bad.column(k).to_pylist()[:SHOWN]
                                       for k in ("unit", "candidate", "votes", "line")),
                                     strict=True)]


INTEGRITY: tuple[Rule, ...] = (ids_once, references_known, counts_name_known, counts_once,
                               counts_well_formed)


# Names as the file gives them are checked first (a label rule may replace a name), adjustment
# units are marked and withheld counts noted next (later rules meet negative and unknown
# figures), then issue 10's order: parties → pseudo rows → duplicates/split → vote types
# → county totals → spellings → unit names → integrity.
RULES: tuple[Rule, ...] = (rules_text.names_printable, *rules_numbers.RULES,
                           rules_labels.canonical_parties, rules_labels.pseudo_rows,
                           *rules_rows.RULES, rules_labels.spellings, rules_units.units_of_state,
                           *INTEGRITY)
