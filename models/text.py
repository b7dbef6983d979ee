"""Words of a finding or action, reduced to their stems (Snowball's English stemmer), so that
"neglectful", "neglected" and "neglect" are one word to the theme matcher and to similarity.

Deterministic and local: the stemmer is an algorithm, not a model; nothing is downloaded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import NamedTuple

import snowballstemmer  # type: ignore[import-untyped]

# A word: letters or digits, with an apostrophe inside (father's). Curly quotes are read as
# straight ones first, as documents pasted from Word have them.
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

_stemmer = snowballstemmer.stemmer("english")
_lock = threading.Lock()  # a Snowball stemmer object keeps state while it works
_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """The Snowball stem of one lower-case word (possessive 's dropped), remembered."""
    found = _stems.get(word)
    if found is not None:
        return found
    if word.isdigit():  # a number is its own stem (and a tracker numbers every row)
        return word
    base = word[:-2] if word.endswith("'s") else word
    with _lock:
        value = _stemmer.stemWord(base.replace("'", ""))
    if len(_stems) < 200_000:  # a vocabulary far beyond any board's documents
        _stems[word] = value
    return value


class Word(NamedTuple):
    stem: str
    start: int
    end: int


def words(text: str) -> Iterator[Word]:
    """Each word of `text` with its stem and where it stands in `text` (to show it back)."""
    low = text.lower().translate(_QUOTES)
    for m in _WORD.finditer(low):
        yield Word(stem(m[0]), m.start(), m.end())


def stems(text: str) -> list[str]:
    low = text.lower().translate(_QUOTES)
    return [stem(w) for w in _WORD.findall(low)]
