"""Hypothesis strategies for hostile input: any bytes, and a valid file mutated the ways real and
malicious files go wrong — cut short, spliced, a number made huge or not a number, nested
thousands deep, a key or element gone, a value of the wrong type, markup that must not be
expanded. The fuzz tests in tests/io and tests/rcv feed these to every reader."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import strategies as st

NUMBERS = [b"9" * 40, b"-1", b"1e999", b"NaN", b"1.5", b"1_000", b"0x10", b"\xd9\xa1\xd9\xa2",
           b"", b"18446744073709551616", b"-0", b"1,2,3,4"]
TOKENS = [b'"', b"<", b">", b"\x00", b"\xff\xfe", b"\r", b"\n", b",", b";", b"null", b"]]>",
          b"<!DOCTYPE a [<!ENTITY e 'x'>]>", b"&e;", b"\xef\xbb\xbf", b"\t", b"=", b"'",
          b"{", b"[", b"}", b"]", b"\x1b[31m"]
WRONG = [None, 1, -5, 2**70, 1.5, "x", "", [], {}, [1], {"a": 1}, True, "9" * 40]


def _splice(seed: bytes, start: int, end: int, piece: bytes) -> bytes:
    start, end = sorted((start, end))
    return seed[:start] + piece + seed[end:]


def _number(seed: bytes, which: int, value: bytes) -> bytes:
    found = list(re.finditer(rb"[0-9]+", seed))
    if not found:
        return seed + value
    match = found[which % len(found)]
    return seed[:match.start()] + value + seed[match.end():]


def mutated(seed: bytes, opening: bytes = b"[", closing: bytes = b"]") -> st.SearchStrategy[bytes]:
    """``seed`` broken one way, or any bytes at all. ``opening``/``closing`` nest the format's way."""
    at = st.integers(0, len(seed))
    return st.one_of(
        st.binary(max_size=300),
        at.map(lambda k: seed[:k]),
        st.builds(_splice, st.just(seed), at, at, st.binary(max_size=16)),
        st.builds(_splice, st.just(seed), at, at, st.sampled_from(TOKENS)),
        st.builds(_number, st.just(seed), st.integers(0, 200), st.sampled_from(NUMBERS)),
        st.builds(lambda k, n, c: seed[:k] + opening * n + (closing * n if c else b"") + seed[k:],
                  at, st.integers(1, 100) | st.sampled_from([64, 65, 1000, 12_000]), st.booleans()),
        st.builds(lambda k, n: seed[:k] + seed[k:k + 40] * n + seed[k:], at, st.integers(1, 50)),
    )


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


@st.composite
def json_mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` (a JSON document) with one value given the wrong type, or one key removed."""
    document = json.loads(seed)
    paths = _paths(document)[1:]
    if not paths:
        return seed
    path = draw(st.sampled_from(paths))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(st.sampled_from(WRONG))
    return json.dumps(document).encode()


@st.composite
def xml_mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` (an XML document) with one element removed, emptied, or given a wrong text or
    attribute value."""
    root = ET.fromstring(seed)
    pairs = [(parent, child) for parent in root.iter() for child in parent]
    if not pairs:
        return seed
    parent, child = draw(st.sampled_from(pairs))
    action = draw(st.sampled_from(["remove", "clear", "text", "attribute"]))
    value = draw(st.sampled_from(NUMBERS)).decode("utf-8")
    if action == "remove":
        parent.remove(child)
    elif action == "clear":
        child.clear()
    elif action == "text":
        child.text = value
    elif child.attrib:
        key = draw(st.sampled_from(sorted(child.attrib)))
        child.set(key, value) if draw(st.booleans()) else child.attrib.pop(key)
    return ET.tostring(root)
