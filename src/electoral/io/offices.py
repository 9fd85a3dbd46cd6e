"""Whether an office or contest title is the presidency: one rule for every reader that sees
titles (OpenElections' ``office`` column, Clarity's contest titles).

A presidential title starts with the presidency, perhaps after "U.S."/"United States" or
"(Presidential) Electors for": ``President``, ``PRESIDENT AND VICE PRESIDENT``, ``President - Vice
Pres``, ``President/Vice-President``, ``President of the United States 4 Year Term (1) Position``,
``Presidential Electors``, ``US President``, ``Electors for President and Vice President``. It is
not the presidency when it is a vice-presidency alone, or the president of something else that
shares the word: ``President of the City Council`` (Baltimore, on the 2020 general ballot),
``President Judge`` (Pennsylvania's courts), ``President Pro Tem``, ``Borough President``, ``Village
President``, a party's or board's president. Titles seen in OpenElections' and Clarity's 2016–2024
general-election files; a title this rule refuses stays an "other office" the import lists, so a
miss is said, never counted silently.
"""

from __future__ import annotations

import re

_PRESIDENCY = re.compile(
    r"^(?:the\s+)?(?:(?:u\.?\s?s\.?|united\s+states)\s+)?"
    r"(?:(?:presidential\s+)?electors?\s+(?:for|of)\s+(?:the\s+)?)?"
    r"pres(?:\.|ident(?:ial)?)?(?![a-z])")
# The president of something other than the United States, by what the title names beside it.
_OTHER = re.compile(
    r"\b(?:pro\s+tem(?:pore)?|judge|council|councils|borough|village|board|school|party|committee|"
    r"senate|commission|aldermen|alderman|city|town|township|club|association|union|university|"
    r"college|chamber|society|primary|primaries|caucus|caucuses|preference|nominee|nomination|"
    r"delegates?|convention|democratic|democrat|dem|republican|rep|gop|libertarian|lib|green|"
    r"constitution)\b")
_VICE = re.compile(r"\bvice[\s.-]*pres(?:\.|ident(?:ial)?)?(?![a-z])")


def is_presidency(title: str) -> bool:
    """True when ``title`` (an office or contest title, any case and spacing) names the
    presidency of the United States by the rule of this module's docstring."""
    text = " ".join(title.casefold().split())
    if not _PRESIDENCY.match(text):
        return False
    return _OTHER.search(_VICE.sub(" ", text)) is None
