"""Which earlier findings (or actions) a new one is most like: TF-IDF over stemmed words
(scipy, weighed as scikit-learn weighs them), compared by cosine similarity.

A pair counts as alike at `THRESHOLD` or above, a value measured on pairs of the seed document
labelled by hand (tests/models/test_similarity.py prints precision and recall at it). Words
common to every review ("the", "agencies", "children") weigh little; the rarer words two texts
share weigh most. Deterministic: the same texts give the same scores on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

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


_CHUNK = 500  # distinct new texts scored at once: the scores of one chunk are kept at a time


def most_alike(
    new: Sequence[Doc],
    earlier: Sequence[Doc],
    *,
    threshold: float = THRESHOLD,
    limit: int = LIMIT,
) -> dict[Hashable, list[Match]]:
    """For each of `new`, the `limit` items most like it among `earlier` and the new items
    before it (not of its own group), scoring `threshold` or more, best first; equal scores in
    the order the items were stored.

    Items with the same terms have the same vector, so each distinct text is scored once (a
    tracker repeats "Disseminate the learning" under review after review), a chunk at a time."""
    if not new:
        return {}
    docs = [*earlier, *new]
    distinct: dict[str, int] = {}
    text_of = [distinct.setdefault(d.terms, len(distinct)) for d in docs]
    matrix = tfidf([d.terms for d in docs], list(distinct))
    if matrix is None:  # no words at all
        return {d.key: [] for d in new}
    import numpy as np

    # Where each distinct text stands among the items, in order, and each item's group.
    at: list[list[int]] = [[] for _ in distinct]
    for i, t in enumerate(text_of):
        at[t].append(i)
    codes: dict[Hashable, int] = {}
    groups = [-1 if d.group is None else codes.setdefault(d.group, len(codes)) for d in docs]

    first_new = len(earlier)
    wanted = sorted({text_of[i] for i in range(first_new, len(docs))})
    # Texts are numbered in the order they first appear: an item is compared only with texts
    # that appear before it, so each chunk is scored against the texts up to its last item.
    firsts = np.array([positions[0] for positions in at])
    single = np.array([len(positions) == 1 for positions in at])
    group_of = np.array(groups)
    shared = matrix.copy()
    shared.data[:] = 1.0  # a product of these counts the words two texts share

    def score(rows: list[int]) -> tuple[Any, Any, Any]:
        """The pairs of `rows` with earlier texts alike enough: (row, text, score) arrays."""
        upto = int(np.searchsorted(firsts, max(at[t][-1] for t in rows), side="right"))
        scores = (matrix[rows] @ matrix[:upto].T).tocsr()
        # Rounded, so that scores equal to three places tie the same way on every run: only
        # those that may round to the threshold or above are rounded.
        near = np.flatnonzero(scores.data >= np.float32(threshold - 0.001))
        row = np.searchsorted(scores.indptr, near, side="right") - 1
        col = scores.indices[near]
        value = np.round(scores.data[near].astype(np.float64), 3)
        keep = value >= threshold
        row, col, value = row[keep], col[keep], value[keep]
        # With enough words in common: one word shared is not a lesson shared.
        common = np.asarray(shared[np.asarray(rows)[row]].multiply(shared[col]).sum(axis=1)).ravel()
        keep = common >= MIN_SHARED
        return row[keep], col[keep], value[keep]

    out: dict[Hashable, list[Match]] = {}
    chunks = [wanted[c : c + _CHUNK] for c in range(0, len(wanted), _CHUNK)]
    for rows, (row, col, value) in zip(chunks, _scored(score, chunks), strict=True):
        text = np.asarray(rows)[row]
        # A text used by one item, alike only to texts used by one item: its candidates are
        # items already, filtered and ranked together. Any other text is read one by one.
        mixed = np.bincount(row, weights=~single[col], minlength=len(rows))
        plain = single[np.asarray(rows)] & (mixed == 0)
        easy = plain[row]
        own, other = firsts[text[easy]], firsts[col[easy]]
        fits = (other < own) & ((group_of[own] == -1) | (group_of[other] != group_of[own]))
        r_e, v_e, o_e = row[easy][fits], value[easy][fits], other[fits]
        order = np.lexsort((o_e, -v_e, r_e))
        r_e, v_e, o_e = r_e[order], v_e[order], o_e[order]
        starts = np.searchsorted(r_e, r_e, side="left")
        top = (np.arange(len(r_e)) - starts) < limit
        for r in np.flatnonzero(plain).tolist():
            if firsts[rows[r]] >= first_new:
                out[docs[firsts[rows[r]]].key] = []
        for r, v, o in zip(r_e[top].tolist(), v_e[top].tolist(), o_e[top].tolist(), strict=True):
            key = docs[firsts[rows[r]]].key
            if firsts[rows[r]] >= first_new:
                out[key].append(Match(docs[o].key, v))
        for r in np.flatnonzero(~plain).tolist():
            start, end = np.searchsorted(row, [r, r + 1])  # the pairs come row by row
            order = np.lexsort((col[start:end], -value[start:end]))
            mine = zip(
                value[start:end][order].tolist(), col[start:end][order].tolist(), strict=True
            )
            alike = list(mine)
            for own_i in at[rows[r]]:
                if own_i >= first_new:
                    out[docs[own_i].key] = _best(alike, own_i, groups, at, docs, limit)
    return out


def _scored(score: Callable[[list[int]], Any], chunks: list[list[int]]) -> Iterator[Any]:
    """`score` of each chunk, in order: the next chunks are scored on other cores (scipy's
    sparse product lets go of the interpreter) while this one's are read, two ahead at most."""
    if len(chunks) < 2:
        yield from map(score, chunks)
        return
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        pending = [pool.submit(score, c) for c in chunks[:2]]
        for i in range(len(chunks)):
            done = pending.pop(0).result()
            if i + 2 < len(chunks):
                pending.append(pool.submit(score, chunks[i + 2]))
            yield done


def _best(
    alike: list[tuple[float, int]],
    own: int,
    groups: Sequence[int],
    at: Sequence[list[int]],
    docs: Sequence[Doc],
    limit: int,
) -> list[Match]:
    """The `limit` items before `own`, of another group, among the texts `alike` (best first)."""
    found: list[tuple[float, int]] = []
    for score, text in alike:
        if len(found) >= limit and score < found[limit - 1][0]:
            break
        taken = 0
        for i in at[text]:
            if i >= own or taken == limit:
                break
            if groups[i] == -1 or groups[i] != groups[own]:
                found.append((score, i))
                taken += 1
        found.sort(key=lambda f: (-f[0], f[1]))
    return [Match(docs[i].key, score) for score, i in found[:limit]]


def tfidf(items: Sequence[str], texts: Sequence[str]) -> Any:
    """Each of `texts` (space-separated terms) as a TF-IDF vector of unit length, each word
    weighed by how many of `items` use it: scikit-learn's `TfidfVectorizer(binary=True)`
    weighting (idf = ln((1 + n) / (1 + df)) + 1, smoothed), in scipy's sparse arithmetic, so a
    command does not load scikit-learn (over a second) to compare a few texts. A CSR matrix of
    float32, one row per text; None when no item has a word."""
    import numpy as np
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    df: list[int] = []
    for item in items:
        for w in set(item.split()):
            j = vocabulary.setdefault(w, len(vocabulary))
            if j == len(df):
                df.append(0)
            df[j] += 1
    if not vocabulary:
        return None
    idf = np.log((1 + len(items)) / (1 + np.asarray(df, dtype=np.float64))) + 1
    indptr, indices = [0], []
    for text in texts:
        cols = sorted({vocabulary[w] for w in text.split() if w in vocabulary})
        indices.extend(cols)
        indptr.append(len(indices))
    cols_all = np.asarray(indices, dtype=np.int32)
    data = idf[cols_all]
    matrix = sparse.csr_matrix(
        (data, cols_all, np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(vocabulary))
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1 / norms) @ matrix, dtype=np.float32)
