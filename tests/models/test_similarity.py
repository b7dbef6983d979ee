"""Which earlier findings and activities a new one is like, measured on the seed against pairs
labelled by hand: precision and recall at the threshold the app uses are printed (pytest -s)."""

from __future__ import annotations

import itertools

import pytest

from importer.model import ParsedIndex
from importer.parse import parse_file
from models.similarity import THRESHOLD, Doc, analyse, most_alike
from tests.conftest import SEED

# Findings of the seed that repeat a lesson of an earlier review, labelled by hand, as
# (review, finding) counted from 0 in the document's order.
SAME_LESSON = {
    ((1, 2), (0, 24)),  # agencies not told the outcome of their referral
    ((8, 1), (9, 2)),  # thresholds seen differently
    ((8, 2), (9, 0)),  # CAF not used
    ((8, 0), (3, 2)),  # the cumulative impact of neglect
    ((8, 0), (3, 5)),  # history not taken into account; impact of neglect
    ((6, 9), (8, 0)),  # previous case history
    ((6, 10), (8, 0)),  # cumulative harm in neglect
    ((6, 10), (3, 2)),
    ((6, 10), (3, 5)),
    ((6, 12), (8, 0)),  # long-standing neglect
    ((2, 3), (6, 0)),  # a clear CSE pathway
    ((2, 3), (6, 1)),
    ((10, 2), (6, 13)),  # plans with clear objectives and outcomes
    ((6, 14), (3, 8)),  # drift
    ((1, 6), (0, 22)),  # EHAT and the levels of need not understood
    ((1, 1), (3, 5)),  # the family's history not read
    ((2, 0), (13, 20)),  # the CSE risk assessment forms
    ((2, 4), (1, 0)),  # limits of the audit process itself
}

# Activities: the same one repeated across reviews, by what it starts with.
SAME_ACTIVITY = [
    "Learning incorporated into LSCB multi-agency Learning from Review Sessions",
    "Learning from review session with author",
    "Authors presentation to LSCB",
    "Learning incorporated into multi-agency training",
    "SCR Newsletter",  # "… Features, Findings and Learning", "… Child Mary": disseminated
    "SCR newsletter uploaded",
    "Review activity captured across single agency workforce",
]
# Alike in kind, neither clearly the same nor clearly different: not counted either way.
EITHER = [
    ("Learning incorporated into", "Learning incorporated into"),
    ("Learning from review session", "Learning incorporated into"),
    ("LSCB Multi-Agency Neglect Learning", "Learning incorporated into"),
    ("SCR Newsletter", "SCR newsletter"),
    ("Audit referred", "Audit Referred"),
    ("Audit Referred", "Audit Referred"),
    ("Review activity captured", "Audit Referred"),
    ("Review activity captured", "Relevant Single Agency"),
    ("LSCB Multi-Agency Neglect Learning", "Learning from review session"),
    ("LSCB Quality & Audit Evidence Committee", "Audit"),
]


@pytest.fixture(scope="module")
def seed() -> ParsedIndex:
    return parse_file(SEED)


def _pairs(docs: list[Doc]) -> set[frozenset[tuple[int, int]]]:
    found = most_alike(docs, [], threshold=THRESHOLD, limit=len(docs))
    return {
        frozenset((key, m.key))  # type: ignore[arg-type]
        for key, matches in found.items()
        for m in matches
    }


def _score(predicted: set, positive: set, either: set) -> tuple[float, float]:  # type: ignore[type-arg]
    counted = predicted - either
    hits = len(counted & positive)
    precision = hits / len(counted) if counted else 1.0
    recall = len(predicted & positive) / len(positive)
    return precision, recall


def test_alike_findings_precision_and_recall_on_the_seed(seed: ParsedIndex) -> None:
    docs = [
        Doc((i, j), analyse(f.text), i)
        for i, r in enumerate(seed.reviews)
        for j, f in enumerate(r.findings)
    ]
    positive = {frozenset(p) for p in SAME_LESSON}
    predicted = _pairs(docs)
    precision, recall = _score(predicted, positive, set())
    print(
        f"\nfindings alike at {THRESHOLD}: {len(predicted)} pairs proposed, precision "
        f"{precision:.2f}, recall {recall:.2f} ({len(positive)} hand-labelled pairs)"
    )
    # Words, not meaning: a lesson put in other words is often missed. What is proposed is
    # mostly worth a look, and what the import names is at most three per finding.
    assert precision >= 0.25
    assert recall >= 0.30
    # Clearly unrelated lessons are not paired: bruising in babies with anything but babies,
    # youth gangs with neglect.
    texts = {
        d.key: t.text
        for d, t in zip(docs, [f for r in seed.reviews for f in r.findings], strict=True)
    }
    for pair in predicted:
        a, b = (texts[k].lower() for k in pair)
        assert not ("bruising" in a and "bab" not in b) and not ("bruising" in b and "bab" not in a)
        assert not ("gang" in a and "neglect" in b) and not ("gang" in b and "neglect" in a)


def test_repeated_activities_are_found_and_different_ones_are_not_paired(
    seed: ParsedIndex,
) -> None:
    activities = [
        (i, j, a.text) for i, r in enumerate(seed.reviews) for j, a in enumerate(r.activities)
    ]
    docs = [Doc((i, j), analyse(t), i) for i, j, t in activities]
    text = {(i, j): t for i, j, t in activities}

    def group(t: str) -> str | None:
        return next((g for g in SAME_ACTIVITY if t.startswith(g)), None)

    positive, either = set(), set()
    for (ka, ta), (kb, tb) in itertools.combinations(text.items(), 2):
        if ka[0] == kb[0]:
            continue
        pair = frozenset((ka, kb))
        if group(ta) is not None and group(ta) == group(tb):
            positive.add(pair)
        elif any(
            (ta.startswith(x) and tb.startswith(y)) or (ta.startswith(y) and tb.startswith(x))
            for x, y in EITHER
        ):
            either.add(pair)
    predicted = _pairs(docs)
    precision, recall = _score(predicted, positive, either)
    print(
        f"\nactivities alike at {THRESHOLD}: {len(predicted)} pairs proposed, precision "
        f"{precision:.2f}, recall {recall:.2f} ({len(positive)} hand-labelled pairs)"
    )
    assert precision >= 0.95
    assert recall >= 0.95


def test_scores_are_the_same_run_to_run(seed: ParsedIndex) -> None:
    docs = [
        Doc((i, j), analyse(f.text), i)
        for i, r in enumerate(seed.reviews)
        for j, f in enumerate(r.findings)
    ]
    assert most_alike(docs[60:], docs[:60]) == most_alike(docs[60:], docs[:60])


def _one_by_one(new: list[Doc], earlier: list[Doc]) -> dict[object, list[tuple[object, float]]]:
    """`most_alike`'s rule, item by item over every pair: what the scoring of distinct texts,
    a chunk at a time, must give."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [*earlier, *new]
    vectors = TfidfVectorizer(analyzer=str.split, binary=True).fit_transform(
        [d.terms for d in docs]
    )
    words = [set(d.terms.split()) for d in docs]
    out: dict[object, list[tuple[object, float]]] = {}
    for own in range(len(earlier), len(docs)):
        found = []
        for i in range(own):
            if docs[own].group is not None and docs[i].group == docs[own].group:
                continue
            score = round(float((vectors[own] @ vectors[i].T).toarray()[0, 0]), 3)
            if score >= THRESHOLD and len(words[own] & words[i]) >= 2:
                found.append((-score, i))
        out[docs[own].key] = [(docs[i].key, -neg) for neg, i in sorted(found)[:3]]
    return out


def test_scoring_each_distinct_text_once_gives_what_every_pair_gives(seed: ParsedIndex) -> None:
    texts = [a.text for r in seed.reviews for a in r.activities] + [
        f.text for r in seed.reviews for f in r.findings
    ]
    # Repeated texts, in several groups and twice in one, as trackers repeat them.
    docs = [Doc(n, analyse(t), n % 9) for n, t in enumerate(texts + texts[:40] + texts[:25])]
    docs.append(Doc("no group", analyse(texts[0]), None))
    got = {k: [(m.key, m.score) for m in ms] for k, ms in most_alike(docs[70:], docs[:70]).items()}
    assert got == _one_by_one(docs[70:], docs[:70])
    assert sum(len(v) for v in got.values()) > 50


def test_the_weighting_is_scikit_learns(seed: ParsedIndex) -> None:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from models.similarity import tfidf

    texts = [analyse(f.text) for r in seed.reviews for f in r.findings]
    texts += [analyse(a.text) for r in seed.reviews for a in r.activities]
    fitted = TfidfVectorizer(analyzer=str.split, binary=True).fit(texts)
    theirs = fitted.transform(texts[:50])
    ours = tfidf(texts, texts[:50])
    # The same vectors, whatever the order of the columns: compare every pair's cosine.
    assert np.allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-6)
    assert np.allclose(np.asarray(ours.multiply(ours).sum(axis=1)).ravel(), 1.0, atol=1e-6)
