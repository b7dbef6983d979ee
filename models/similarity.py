"""Which earlier findings (or actions) a new one is most like: TF-IDF over stemmed words
(scikit-learn), compared by cosine similarity.

A pair counts as alike at `THRESHOLD` or above, a value measured on pairs of the seed document
labelled by hand (tests/models/test_similarity.py prints precision and recall at it). Words
common to every review ("the", "agencies", "children") weigh little; the rarer words two texts
share weigh most. Deterministic: the same texts give the same scores on every run.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from models.text import stems

# Measured on the seed's hand-labelled pairs (see the module docstring).
THRESHOLD = 0.22
LIMIT = 3  # earlier items named for each new one
# One word in common is not a lesson in common: two short activities that share only "author"
# ("Authors presentation to LSCB", "Learning from review session with author") score high.
MIN_SHARED = 2

# Words too common in a board's documents to say that two lessons are the same.
_STOP = frozenset(
    stems(
        "a an and are as at be been by for from had has have in into is it its of on or that the "
        "their there these they this those to was were when where which who will with would "
        "should can could may not no all any each other some such than then also being did do "
        "does lscb"
        # The words of every review: who and where, not what the lesson is.
        " child children young people person agency agencies professional professionals"
        " practitioner practitioners case cases service services multi number liverpool"
        " merseyside safeguarding evidence referral referrals social care"
    )
)


def terms(text: str) -> list[str]:
    """The stems of `text` that carry meaning. (Pairs of words were tried too: on the seed they
    found fewer of the findings that repeat a lesson, for no fewer false pairs.)"""
    return [w for w in stems(text) if w not in _STOP and not w.isdigit() and len(w) > 1]


@dataclass(frozen=True)
class Doc:
    key: Hashable
    terms: str  # `analyse(text)`: its terms, space-separated (kept with the item)
    group: Hashable = None  # the review: items of the same review are not compared


def analyse(text: str) -> str:
    """The distinct terms of `text`, in the order first used, as kept with each item."""
    return " ".join(dict.fromkeys(terms(text)))


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float


def most_alike(
    new: Sequence[Doc],
    earlier: Sequence[Doc],
    *,
    threshold: float = THRESHOLD,
    limit: int = LIMIT,
) -> dict[Hashable, list[Match]]:
    """For each of `new`, the `limit` items most like it among `earlier` and the new items
    before it (not of its own group), scoring `threshold` or more, best first."""
    if not new:
        return {}
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [*earlier, *new]
    # Each word once per item (`analyse` keeps them so): a lesson is in the words a finding
    # uses, not in how often it repeats them, and there are fewer to count on every import.
    vectorizer = TfidfVectorizer(analyzer=str.split, binary=True, dtype=_float32())
    try:
        matrix = vectorizer.fit_transform([d.terms for d in docs])
    except ValueError:  # no words at all
        return {d.key: [] for d in new}
    import numpy as np

    first_new = len(earlier)
    scores = (matrix[first_new:] @ matrix.T).tocsr()
    matrix = matrix.tocsr()

    def words_of(i: int) -> set[int]:
        return set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tolist())

    codes: dict[Hashable, int] = {}
    groups = np.array(
        [-1 if d.group is None else codes.setdefault(d.group, len(codes)) for d in docs]
    )
    out: dict[Hashable, list[Match]] = {}
    for row, doc in enumerate(new):
        own = first_new + row
        start, end = scores.indptr[row], scores.indptr[row + 1]
        cols = scores.indices[start:end]
        # Rounded first, so that scores equal to three places tie the same way on every run.
        values = np.round(scores.data[start:end].astype(np.float64), 3)
        keep = (cols < own) & (values >= threshold)
        if doc.group is not None:
            keep &= groups[cols] != codes[doc.group]
        cols, values = cols[keep], values[keep]
        # Best first; equal scores in the order the items were stored.
        mine = words_of(own)
        found: list[Match] = []
        for i in np.lexsort((cols, -values)):
            col = int(cols[i])
            if len(mine & words_of(col)) >= MIN_SHARED:
                found.append(Match(docs[col].key, float(values[i])))
                if len(found) == limit:
                    break
        out[doc.key] = found
    return out


def _float32() -> type:
    import numpy as np

    return np.float32
