"""One candidate, many spellings — across the files of one election (issue 10, items 2 and 4).

The stage's spelling rule (``rules_labels.spellings``) merges the spellings of one file. A state's
returns often come as one file per county, and each county spells the candidates its own way
("Ada Q. Marsh" in one, "MARSH, ADA Q." in the next, "Ada Q. Marsh / Ben T. Ortiz" in a third):
each file alone has one spelling per candidate and nothing to merge, so without this rule the
election would hold one candidate per spelling. ``one_candidate_per_person`` runs the same merge
(``io.names.merge_spellings``, the same rules and the user's ``--aliases``) over the spellings of
every file of an import command and of the candidates already stored for the election, and gives
each file's counts the merged candidate's id.

A stored candidate keeps its id (the store's counts refer to it); where the merge shows that its
display name should change (a later file spells the name in full), the change is returned as a
rename for the store. Two spellings that one file kept apart (both with votes in one unit, or the
file's own undecided spelling) stay apart: the file's rule saw its rows, this one does not
overrule it. A spelling that fits more than one candidate of the election stays its own candidate
and is listed as undecided, with every row of it.

Everything here is pure: tables and candidates in, tables and what was done out.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from electoral.columns import ReturnsTable
from electoral.io.names import CandidateGroup, Merge, merge_spellings
from electoral.io.rules_labels import retarget, undecided_rows
from electoral.model import Candidate, Merged, UndecidedSpelling, slug
from electoral.parties import BY_ID, is_canonical

Spelling = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Across:
    """What the merge across files did: the files' tables (same order, counts re-targeted),
    stored candidates to rename (id → (display name, running mate)), the merges that joined
    spellings of different files, and the undecided spellings (one per row)."""

    tables: tuple[ReturnsTable, ...]
    renames: Mapping[str, tuple[str, str | None]]
    merged: tuple[Merged, ...]
    undecided: tuple[UndecidedSpelling, ...]
    # candidates whose files give them several party labels: one of them canonical, taken by
    # every file (``chosen``), or several canonical ones (``chosen`` None: a conflict, refused)
    labels: tuple[PartyLabels, ...] = ()


@dataclass(frozen=True, slots=True)
class PartyLabels:
    """One candidate's party labels across the files of an election: each party id with the
    files that give it (file indexes in command order, -1 for the store), and the party every
    file takes (``None`` when two are canonical parties and nothing can tell which is right)."""

    candidate: str  # id
    name: str
    parties: tuple[tuple[str | None, tuple[int, ...]], ...]
    chosen: str | None


def one_candidate_per_person(tables: Sequence[ReturnsTable], stored: Sequence[Candidate] = (),
                             aliases: Mapping[str, str] | None = None) -> Across:
    """Merge the spellings of one election's candidates across ``tables`` (its files, each
    already staged) and the candidates ``stored`` for it (see the module docstring).

    Shapes: files of one election in command order; the stored candidates of that election →
    ``Across``. Never raises.
    """
    tables, labels = _one_party_per_candidate(tables, stored)
    by_spelling: dict[Spelling, list[tuple[int, Candidate]]] = defaultdict(list)
    for source, candidates in enumerate([stored, *(t.returns.candidates for t in tables)]):
        for c in candidates:
            if c.name and not c.aggregate:
                by_spelling[(" ".join(c.name.split()), c.party or None)].append((source - 1, c))
    if len(by_spelling) < 2:
        return Across(tuple(tables), {}, (), (), labels)
    merge = merge_spellings(by_spelling, aliases)
    target: dict[int, dict[str, Candidate]] = defaultdict(dict)  # file index → old id → merged
    renames: dict[str, tuple[str, str | None]] = {}
    merged: list[Merged] = []
    taken = {c.id for members in by_spelling.values() for _, c in members}
    for group in merge.groups:
        members = [m for s in group.spellings for m in by_spelling.get(s, ())]
        if len({c.id for _, c in members}) < 2 or _kept_apart(members):
            continue
        lead = _lead(group, members, taken)
        if any(f < 0 for f, _ in members) and (lead.name, lead.running_mate) != (
                group.name, group.running_mate or lead.running_mate):
            renames[lead.id] = (group.name, group.running_mate or lead.running_mate)
        merged_candidate = dataclasses.replace(
            lead, name=group.name, party=group.party,
            running_mate=group.running_mate or lead.running_mate)
        for f, c in members:
            if f >= 0:
                target[f][c.id] = merged_candidate
        spelled = tuple(sorted({c.name for _, c in members}))
        if len({f for f, _ in members}) > 1 and len(spelled) > 1:
            merged.append(Merged(group.name, group.party, spelled))
    out = tuple(_retargeted(t, target.get(i, {})) for i, t in enumerate(tables))
    undecided = tuple(u for t in out for u in _undecided(t, merge, by_spelling))
    return Across(out, renames, tuple(merged), undecided, labels)


def _one_party_per_candidate(tables: Sequence[ReturnsTable], stored: Sequence[Candidate]
                             ) -> tuple[list[ReturnsTable], tuple[PartyLabels, ...]]:
    """One candidate (one id: the same name) has one party in every file of an election, as in
    one file, where a reader keeps a name's first party. Where the files disagree and only one
    of the labels is a canonical party (an unknown abbreviation such as "GFH" beside "Genealogy
    Know Your Family History"), every file takes the canonical one; where they name two
    canonical parties, nothing can tell which is right: a conflict for the import to refuse."""
    parties: dict[str, dict[str | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for source, candidates in enumerate([stored, *(t.returns.candidates for t in tables)]):
        for c in candidates:
            if c.name and not c.aggregate:
                parties[c.id][c.party].append(source - 1)
                names[c.id] = c.name
    found: list[PartyLabels] = []
    for cid, by_party in parties.items():
        if len(by_party) > 1:
            known = [p for p in by_party if is_canonical(p)]
            found.append(PartyLabels(cid, names[cid], tuple((p, tuple(sorted(set(f)))) for p, f in
                                                by_party.items()),
                                     known[0] if len(known) == 1 else None))
    chosen = {f.candidate: f.chosen for f in found if f.chosen is not None}
    if not chosen:
        return list(tables), tuple(found)
    out = []
    for t in tables:
        candidates = tuple(dataclasses.replace(c, party=chosen[c.id]) if c.id in chosen else c
                           for c in t.returns.candidates)
        have = {p.id for p in t.returns.parties}
        wanted = [BY_ID[p].party for p in dict.fromkeys(chosen.values()) if p and p not in have
                  and any(c.party == p for c in candidates)]
        out.append(ReturnsTable(dataclasses.replace(
            t.returns, candidates=candidates, parties=(*t.returns.parties, *wanted)), t.counts))
    return out, tuple(found)


def _kept_apart(members: Sequence[tuple[int, Candidate]]) -> bool:
    """Two candidates of one file (or two stored ones) in the group: that file's own rule kept
    them apart, with the rows in view; a merge across files does not overrule it."""
    ids_per_file: dict[int, set[str]] = defaultdict(set)
    for f, c in members:
        ids_per_file[f].add(c.id)
    return any(len(ids) > 1 for ids in ids_per_file.values())


def _lead(group: CandidateGroup, members: Sequence[tuple[int, Candidate]],
          taken: set[str]) -> Candidate:
    """The candidate whose id the merged one keeps: the stored one, else the one spelled as the
    display name, else a new id from the display name (so that the id does not depend on which
    file came first)."""
    stored = [c for f, c in members if f < 0]
    if stored:
        return stored[0]
    spelled = sorted((c for _, c in members if c.name == group.name), key=lambda c: c.id)
    if spelled:
        return spelled[0]
    first = min((c for _, c in members), key=lambda c: c.id)
    wanted = slug(group.name) or first.id
    return dataclasses.replace(first, id=wanted if wanted not in taken else first.id)


def _retargeted(table: ReturnsTable, target: Mapping[str, Candidate]) -> ReturnsTable:
    """``table`` with each candidate of ``target`` replaced by its merged candidate."""
    if not target:
        return table
    returns = table.returns
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for c in returns.candidates:
        new = target.get(c.id, c)
        if new.id not in seen:
            seen.add(new.id)
            candidates.append(new)
    moved = {old: new.id for old, new in target.items() if old != new.id}
    changed = dataclasses.replace(returns, candidates=tuple(candidates))
    return ReturnsTable(changed, retarget(table.counts, moved))


def _undecided(table: ReturnsTable, merge: Merge,
               by_spelling: Mapping[Spelling, Sequence[tuple[int, Candidate]]]
               ) -> tuple[UndecidedSpelling, ...]:
    """The rows of ``table`` whose spelling the merge across files left undecided, less those
    the file's own rule already listed."""
    mine = {c.id for c in table.returns.candidates}
    spellings = {s: [c for _, c in members if c.id in mine] for s, members in by_spelling.items()}
    already = {(u.spelling, u.line) for u in table.returns.undecided}
    return tuple(u for u in undecided_rows(table, merge, spellings)
                 if (u.spelling, u.line) not in already)
