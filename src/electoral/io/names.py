"""Candidate names as ballots and returns files write them, and which spellings are one candidate.

A contest's files spell one ticket many ways (issue 10 item 2, cases ``02-candidate-spellings`` and
``13-name-variant-last-first``): "Joseph R. Biden", "BIDEN, JOE", "Biden/Harris", "Joseph R. Biden
w/ Kamala D. Harris", "BIDEN, HARRIS", "Donald J. TrumpMicheal R. Pence", "MARSH-ORTIZ", or name
columns ``last,first,middle,suffix``. ``parse_name`` reads one spelling; ``merge_spellings`` groups
a contest's spellings.

Rules of the merge (each a rule, none a guess):

* Spellings with a party are one candidate when party and the lead surname agree and their first
  given names can be one person's (equal, an initial, a prefix, or a nickname: "Joe"/"Joseph");
  two first names that cannot ("Kamala D Harris", "Sharon E Harris", both filed DEM in Maryland's
  2024 file) are two candidates, and a bare surname that fits both is undecided.
* "X, Y" is one person ("Last, First") unless Y is known as the running mate's surname of a ticket
  led by X in the same contest *and* not known as a given name of an X; so "Last, First" is never
  two people. A one-word "X-Y" is a ticket only when the contest shows the ticket X / Y; otherwise
  it is a hyphenated surname.
* "AbcDef" inside a name (a lower-case letter followed by a capital) splits a ticket written with no
  separator, where the left part is not a surname prefix (Mc, Mac, De, La, Van, ...) and the right
  part starts the running mate's name ("Donald J. TrumpMicheal R. Pence").
* "LAST FIRST MIDDLE" with no comma (Nevada's Clark County: "BIDEN JOSEPH R") is read surname
  first where the spelling is in capitals or ends in an initial, and either its last word is an
  initial (no surname is one) or only the surname-first reading is a person the contest spells
  elsewhere ("JORGENSEN JO" beside "Jo Jorgensen"); otherwise it is read as written.
* A spelling with no party joins the one candidate of that surname (and compatible given names)
  found among the others; where two or more fit, it is *undecided*: kept apart and reported.
* A user's alias (spelling → candidate name) overrides all of the above.

The display name of a group is its fullest personal-name form (most given names, then mixed case),
never a reversed or ticket form.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from nicknames import NickNamer

from electoral.errors import Problem, ValidationError

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
# Lower-case surname particles ("Roque De La Fuente", "Martin Van Buren") and the prefixes that
# make a capital inside one word part of a surname ("McDonald", "DeSantis", "LaRouche").
PARTICLES = frozenset({"de", "la", "le", "van", "von", "der", "den", "del", "della", "di", "da",
                       "du", "st", "st."})
CAMEL_PREFIXES = frozenset({"mc", "mac", "de", "la", "le", "van", "von", "del", "der", "des", "di",
                            "da", "du", "o"})
_NAMES = NickNamer()
TICKET = re.compile(r"\s+w/\s*|\s*/\s*|\s+&\s+|\s+and\s+|\s+-\s+|\s+–\s+", re.IGNORECASE)
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


class NameForm(StrEnum):
    """How a spelling was written."""

    PERSONAL = "personal"  # "Ada Q. Marsh"
    LAST_FIRST = "last-first"  # "MARSH, ADA Q."
    SURNAME = "surname"  # "MARSH"
    TICKET = "ticket"  # "Ada Q. Marsh / Ben T. Ortiz", "… w/ …", "Marsh/Ortiz", "MARSH, ORTIZ"
    CONCATENATED = "concatenated"  # "Ada Q. MarshBen T. Ortiz"


@dataclass(frozen=True, slots=True)
class PersonName:
    """One person's name as written: given names (with initials), surname, suffix."""

    given: tuple[str, ...]
    surname: str
    suffix: str = ""

    @property
    def display(self) -> str:
        return " ".join((*self.given, self.surname, *((self.suffix,) if self.suffix else ())))

    @property
    def key(self) -> str:
        """The surname folded for comparison: ``"De La Fuente"`` → ``delafuente``."""
        return fold(self.surname)

    @property
    def first(self) -> str:
        return fold(self.given[0]) if self.given else ""


@dataclass(frozen=True, slots=True)
class BallotName:
    """A parsed spelling: the candidate, the running mate if the spelling names one, the form, and
    for the two ambiguous forms ("X, Y" with one word after the comma; "X-Y") the other reading."""

    text: str
    candidate: PersonName
    running_mate: PersonName | None
    form: NameForm
    alternative: BallotName | None = None


def fold(text: str) -> str:
    """Case, whitespace and punctuation folded away: ``"MARSH, ADA Q."`` → ``marshadaq``."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _person(text: str) -> PersonName:
    """ "Given Given Surname Suffix" (a comma before the suffix is allowed)."""
    words = text.replace(",", " ").split()
    suffix = ""
    if len(words) > 1 and fold(words[-1]) in SUFFIXES:
        suffix = words.pop()
    if not words:
        return PersonName((), suffix)
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    return PersonName(tuple(words[:cut]), " ".join(words[cut:]), suffix)


def _last_first(text: str) -> PersonName:
    last, rest = (part.strip() for part in text.split(",", 1))
    words = rest.replace(",", " ").split()
    suffix = ""
    if words and fold(words[-1]) in SUFFIXES:
        suffix = words.pop()
    elif len(words) > 1 and fold(words[0]) in SUFFIXES:  # "Biden, Jr., Joseph R."
        suffix = words.pop(0)
    last_words = last.split()
    if len(last_words) > 1 and fold(last_words[-1]) in SUFFIXES:
        suffix = suffix or last_words.pop()
    return PersonName(tuple(words), " ".join(last_words), suffix)


def _camel_split(text: str) -> tuple[str, str] | None:
    """ "Ada Q. MarshBen T. Ortiz" → ("Ada Q. Marsh", "Ben T. Ortiz"), else ``None``."""
    words = text.split()
    for w in range(len(words) - 2, -1, -1):
        cuts = [m.start() for m in CAMEL.finditer(words[w])]
        cuts = [c for c in cuts if words[w][:c].lower().strip(".'") not in CAMEL_PREFIXES]
        if cuts:
            cut = cuts[-1]
            return (" ".join((*words[:w], words[w][:cut])), " ".join((words[w][cut:], *words[w + 1:])))
    return None


def parse_name(text: str) -> BallotName:
    """Read one spelling of a candidate or ticket.

    Shapes: ``"Joseph R. Biden w/ Kamala D. Harris"`` → candidate ``Joseph R. Biden``, running mate
    ``Kamala D. Harris``, form TICKET. "X, Y" with one word Y and "X-Y" (one word) are read as one
    person, with the ticket reading in ``alternative`` (``merge_spellings`` chooses by the contest).
    Never raises; an empty spelling gives an empty surname.
    """
    clean = " ".join(text.split())
    parts = [p for p in TICKET.split(clean) if p]
    if len(parts) == 2:
        lead, mate = (_last_first(p) if "," in p else _person(p) for p in parts)
        return BallotName(text, lead, mate, NameForm.TICKET)
    if "," in clean and fold(clean.rsplit(",", 1)[1]) in SUFFIXES:  # "Cole R. Dunmore, Jr."
        return BallotName(text, _person(clean), None, NameForm.PERSONAL)
    if "," in clean:
        person = _last_first(clean)
        other = None
        if len(person.given) == 1 and "." not in person.given[0] and len(fold(person.given[0])) > 1:
            other = BallotName(text, PersonName((), person.surname), PersonName((), person.given[0]),
                               NameForm.TICKET)
        return BallotName(text, person, None, NameForm.LAST_FIRST, other)
    split = _camel_split(clean)
    if split is not None:
        return BallotName(text, _person(split[0]), _person(split[1]), NameForm.CONCATENATED)
    person = _person(clean)
    reversed_ = _surname_first(clean)
    if person.given and reversed_ is not None:
        return BallotName(text, person, None, NameForm.PERSONAL,
                          BallotName(text, reversed_, None, NameForm.LAST_FIRST))
    if not person.given:
        halves = person.surname.split("-")
        other = None
        if len(halves) == 2 and all(halves):
            other = BallotName(text, PersonName((), halves[0]), PersonName((), halves[1]),
                               NameForm.TICKET)
        return BallotName(text, person, None, NameForm.SURNAME, other)
    return BallotName(text, person, None, NameForm.PERSONAL)


def _surname_first(text: str) -> PersonName | None:
    """The "LAST FIRST MIDDLE" reading of a spelling with no comma (Clark County, Nevada:
    ``BIDEN JOSEPH R``), offered where it can be meant: the spelling is in capitals, or its last
    word is an initial (a surname is never one). ``None`` otherwise."""
    words = text.split()
    suffix = words.pop() if len(words) > 2 and fold(words[-1]) in SUFFIXES else ""
    if len(words) < 2 or not (text.isupper() or len(fold(words[-1])) == 1):
        return None
    return PersonName(tuple(words[1:]), words[0], suffix)


def name_from_parts(first: str = "", middle: str = "", last: str = "", suffix: str = "") -> str:
    """A display name from ``last,first,middle,suffix`` columns: ``("Cole", "R.", "Dunmore",
    "Jr.")`` → ``"Cole R. Dunmore Jr."``. Empty parts are left out."""
    return " ".join(p for p in (" ".join(x.split()) for x in (first, middle, last, suffix)) if p)


MARK = re.compile(r"\s*\(([^()]*)\)\s*$")


def split_marks(text: str) -> tuple[str, str | None, bool]:
    """A Clarity choice text without its trailing marks: ``"Cole R. Dunmore (I) (Rep)"`` →
    ``("Cole R. Dunmore", "(Rep)", True)``: the name, the party mark as written (or ``None``) and
    whether the incumbent mark "(I)" was there. Map the party mark with
    ``electoral.parties.canonical_party``."""
    name, party, incumbent = text.strip(), None, False
    while (match := MARK.search(name)) and match.start() > 0:
        if match[1].strip().upper() == "I" and not incumbent:
            incumbent = True
        elif party is None:
            party = f"({match[1].strip()})"
        else:
            break
        name = name[:match.start()]
    return name.strip(), party, incumbent


# ---- the merge ------------------------------------------------------------------------------------

Spelling = tuple[str, str | None]  # (name as written, party id or None)


@dataclass(frozen=True, slots=True)
class CandidateGroup:
    """Spellings that denote one candidate: its display ``name``, party id, surname, running mate
    (display name, if any spelling names one) and every spelling merged, sorted."""

    name: str
    party: str | None
    surname: str
    running_mate: str | None
    spellings: tuple[Spelling, ...]


@dataclass(frozen=True, slots=True)
class Undecided:
    """A spelling that fits two or more candidates: kept apart, never merged."""

    spelling: Spelling
    could_be: tuple[str, ...]  # "Ada Q. Marsh (DEM)", by the groups' names and parties


@dataclass(frozen=True, slots=True)
class Merge:
    groups: tuple[CandidateGroup, ...]
    undecided: tuple[Undecided, ...]

    def group_of(self, spelling: Spelling) -> CandidateGroup | None:
        """The group a spelling was merged into (``None`` if undecided or unknown)."""
        return next((g for g in self.groups if spelling in g.spellings), None)


@dataclass(frozen=True, slots=True)
class _Context:
    tickets: frozenset[tuple[str, str]]  # (lead surname, mate surname) of unambiguous tickets
    given: frozenset[tuple[str, str]]  # (surname, first given name) of personal forms


def _context(parsed: Iterable[BallotName]) -> _Context:
    tickets, given = set(), set()
    for name in parsed:
        if name.alternative is not None:
            continue
        if name.running_mate is not None:
            tickets.add((name.candidate.key, name.running_mate.key))
        if name.candidate.given:
            given.add((name.candidate.key, name.candidate.first))
    return _Context(frozenset(tickets), frozenset(given))


def _known(person: PersonName, context: _Context) -> bool:
    """The contest spells this person elsewhere: the surname with a compatible first name."""
    return any(key == person.key and _compatible(first, person.first)
               for key, first in context.given)


def _resolve(name: BallotName, context: _Context) -> BallotName:
    """The reading of an ambiguous spelling that the contest supports (see the module rules)."""
    other = name.alternative
    if other is not None and other.form is NameForm.LAST_FIRST:
        # "BIDEN JOSEPH R": surname first where the personal reading would make an initial the
        # surname, or where only that reading is a person the contest spells elsewhere
        initial = len(fold(name.candidate.surname)) == 1
        chosen = other if initial or (_known(other.candidate, context)
                                      and not _known(name.candidate, context)) else name
        return replace(chosen, alternative=None)
    if other is None or other.running_mate is None:
        return name
    lead, mate = other.candidate.key, other.running_mate.key
    if (lead, mate) in context.tickets and (lead, mate) not in context.given:
        return replace(other, alternative=None)
    return replace(name, alternative=None)


def _compatible(a: str, b: str) -> bool:
    """Two first given names (folded) can be one person's: equal, an initial or a prefix of the
    other ("Ron"/"Ronald"), or nickname and name by the ``nicknames`` dataset ("Joe"/"Joseph",
    "Bill"/"William")."""
    if not a or not b or a.startswith(b) or b.startswith(a):
        return True
    return (b in _NAMES.nicknames_of(a) or a in _NAMES.nicknames_of(b)
            or bool(_NAMES.canonicals_of(a) & _NAMES.canonicals_of(b)))


def _fullness(name: PersonName, text: str) -> tuple[int, int, int, bool, int, str]:
    words = [fold(g) for g in name.given]
    return (len(words), sum(len(w) > 1 for w in words), bool(name.suffix),
            not text.isupper(), -len(text), text)


def _display(people: Sequence[tuple[PersonName, str]]) -> str:
    person, text = max(people, key=lambda p: _fullness(*p))
    return person.display.title() if text.isupper() else person.display


@dataclass(slots=True)
class _Bucket:
    """Spellings placed together: one party (or none), one surname, compatible first names."""

    party: str | None
    key: str
    members: list[tuple[Spelling, BallotName]]

    def fits(self, name: PersonName) -> bool:
        return self.key == name.key and all(_compatible(n.candidate.first, name.first)
                                            for _, n in self.members)

    def group(self) -> CandidateGroup:
        leads = [(n.candidate, s[0]) for s, n in self.members if n.form != NameForm.TICKET
                 or n.candidate.given] or [(n.candidate, s[0]) for s, n in self.members]
        mates = [(n.running_mate, s[0]) for s, n in self.members if n.running_mate is not None]
        name = _display(leads)
        return CandidateGroup(name, self.party, _person(name).surname,
                              _display(mates) if mates else None,
                              tuple(sorted({s for s, _ in self.members}, key=_order)))

    def label(self) -> str:
        group = self.group()
        return f"{group.name} ({group.party})" if group.party else group.name


def _order(spelling: Spelling) -> tuple[str, str]:
    return (spelling[0], spelling[1] or "")


def merge_spellings(spellings: Iterable[Spelling],
                    aliases: Mapping[str, str] | None = None) -> Merge:
    """Group a contest's distinct spellings into candidates by the rules in the module docstring.

    Shapes: (name as written, party id or ``None``) pairs, in any order and with repeats →
    ``Merge`` with groups sorted by party and name and the undecided spellings. Pass candidate
    rows only (``electoral.io.pseudo`` rows left out first). ``aliases`` maps a spelling
    (compared case- and space-insensitively) to a candidate's name; the aliased spelling joins the
    group of that name, or a group of its own under that name. The result does not depend on the
    order of ``spellings``. Never raises.
    """
    distinct = sorted({(" ".join(s.split()), (p or None)) for s, p in spellings}, key=_order)
    wanted = {_alias_key(k): v for k, v in (aliases or {}).items()}
    parsed = {s: parse_name(s[0]) for s in distinct}
    context = _context(parsed.values())
    resolved = {s: _resolve(n, context) for s, n in parsed.items() if _alias_key(s[0]) not in wanted}
    buckets: list[_Bucket] = []
    undecided: list[Undecided] = []
    # Named spellings first, so that a bare surname is placed against every candidate of its name.
    for partyless in (False, True):
        for named in (True, False):
            for s in distinct:
                name = resolved.get(s)
                if name is None or (s[1] is None) != partyless or bool(name.candidate.first) != named:
                    continue
                fits = [b for b in buckets if (b.party == s[1] or partyless) and b.fits(name.candidate)]
                if len(fits) == 1:
                    fits[0].members.append((s, name))
                elif not fits:
                    buckets.append(_Bucket(s[1], name.candidate.key, [(s, name)]))
                else:
                    undecided.append(Undecided(s, tuple(sorted(b.label() for b in fits))))
    _place_aliased(distinct, wanted, buckets)
    groups = sorted((b.group() for b in buckets), key=lambda g: (g.party or "", g.name))
    return Merge(tuple(groups), tuple(undecided))


def _place_aliased(distinct: Sequence[Spelling], wanted: Mapping[str, str],
                   buckets: list[_Bucket]) -> None:
    for s in distinct:
        target = wanted.get(_alias_key(s[0]))
        if target is None:
            continue
        fits = [b for b in buckets if _alias_key(b.group().name) == _alias_key(target)
                or any(_alias_key(m[0][0]) == _alias_key(target) for m in b.members)]
        person = _person(target)
        if fits:
            fits[0].members.append((s, BallotName(target, person, None, NameForm.PERSONAL)))
        else:
            buckets.append(_Bucket(s[1], person.key,
                                   [(s, BallotName(target, person, None, NameForm.PERSONAL))]))


def _alias_key(text: str) -> str:
    return " ".join(text.lower().split())


def read_aliases(lines: Iterable[str], source: str | None = None) -> dict[str, str]:
    """A user's aliases file: CSV with a header naming the columns ``spelling`` and ``candidate``
    (``alias``/``name`` are accepted too), one statement per row, e.g. ``MARSH,Ada Q. Marsh``.

    Shapes: the file's lines (an open text file) → spelling → candidate name.
    Raises:
        ValidationError: a missing column, an empty cell, or a spelling given two different
            candidates; every problem with its line.
    """
    reader = csv.DictReader(lines)
    columns = {fold(c): c for c in reader.fieldnames or ()}
    spelling = columns.get("spelling") or columns.get("alias")
    candidate = columns.get("candidate") or columns.get("name")
    if spelling is None or candidate is None:
        raise ValidationError([Problem("aliases-columns", "an aliases file needs the columns "
                                       "spelling,candidate (found: "
                                       f"{', '.join(reader.fieldnames or ()) or 'none'})",
                                       source, 1)])
    out: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems = []
    for row in reader:
        line = reader.line_num
        said, meant = (" ".join((row.get(c) or "").split()) for c in (spelling, candidate))
        if not said or not meant:
            problems.append(Problem("aliases-empty", "a spelling and a candidate are both needed",
                                    source, line))
        elif out.setdefault(said, meant) != meant:
            problems.append(Problem("aliases-conflict", f"{said!r} is given as {out[said]!r} on "
                                    f"line {first_line[said]} and as {meant!r} here", source, line))
        first_line.setdefault(said, line)
    if problems:
        raise ValidationError(problems)
    return out
