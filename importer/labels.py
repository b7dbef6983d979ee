"""The labels of an index entry, in every wording boards use: one table, read by every reader.

A label is found at the start of a line or cell ("Date of report: May 2020", the colon needed) or
as a whole cell or bold run on its own ("Date of report", the colon optional). Readers of tables
and bold text turn what they find into the canonical form below, so the line rules in
`importer.structure` see one wording whatever the board wrote.
"""

from __future__ import annotations

import re

# field -> (canonical label, synonyms). Longer synonyms are tried first, so "Summary of Findings"
# is never read as "Summary" followed by text.
LABELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "type": (
        "Type of Review",
        (
            "type of review",
            "review type",
            "type of activity",
            "type of learning",
            "review / activity",
            "learning type",
            "type",
        ),
    ),
    "name": (
        "Name",
        (
            "name of review",
            "review name",
            "name of the review",
            "case name",
            "name",
            "title",
            "review",
            "source",
        ),
    ),
    "date": (
        "Date",
        (
            "date / period covered",
            "period covered",
            "date of report",
            "date of publication",
            "date published",
            "publication date",
            "report date",
            "published",
            "date",
        ),
    ),
    "overview": (
        "Case Overview / Methodology",
        (
            "case overview / methodology",
            "overview / methodology",
            "case overview",
            "case summary",
            "overview",
            "methodology",
            "background",
            "context",
        ),
    ),
    "findings": (
        "Summary of Findings / Learning",
        (
            "summary of findings / learning",
            "summary of findings",
            "summary of learning",
            "findings / learning",
            "key findings",
            "key learning",
            "learning points",
            "lessons learned",
            "lessons learnt",
            "findings",
            "learning",
            "summary",
        ),
    ),
    "activities": (
        "Improvement Activity",
        (
            "improvement activity / actions",
            "improvement activities",
            "improvement activity",
            "improvement actions",
            "improvement action",
            "actions taken",
            "action taken",
            "action plan",
            "actions",
        ),
    ),
}

# Fields held on one line: their value is joined into the label's line.
SINGLE_LINE = ("type", "name", "date")
ORDER = ("type", "name", "date", "overview", "findings", "activities")


def _alternation(synonyms: tuple[str, ...]) -> str:
    ordered = sorted(synonyms, key=len, reverse=True)
    out = []
    for s in ordered:
        words = s.replace("/", " / ").split()
        rx = ""
        for i, w in enumerate(words):
            if i:
                rx += r"\s*" if w == "/" or words[i - 1] == "/" else r"\s+"
            rx += re.escape(w)
        out.append(rx)
    return "|".join(out)


ALTERNATIONS = {f: _alternation(syn) for f, (_, syn) in LABELS.items()}

_WHOLE = {f: re.compile(rf"^(?:{alt})\s*:?\s*$", re.I) for f, alt in ALTERNATIONS.items()}
_COLON = {f: re.compile(rf"^(?:{alt})\s*:\s*", re.I) for f, alt in ALTERNATIONS.items()}


def canonical(field: str) -> str:
    return LABELS[field][0] + ":"


def whole_label(text: str) -> str | None:
    """The field a text names when the text is a label and nothing else ("Date of report")."""
    t = " ".join(text.split())
    if not t or len(t) > 60:
        return None
    for f in ORDER:
        if _WHOLE[f].match(t):
            return f
    return None


def leading_label(text: str) -> tuple[str, str] | None:
    """ "Review type: Audit" -> ("type", "Audit"); the colon is needed."""
    t = text.strip()
    for f in ORDER:
        m = _COLON[f].match(t)
        if m:
            return f, t[m.end() :].strip()
    return None


EXPECTED_LABELS = (
    'expected labels such as "Type of Review" (or "Review type"), "Name" (or "Title"), "Date", '
    '"Case Overview", "Summary of Findings" (or "Key findings"), "Improvement Activity" '
    '(or "Actions"), beside, above or inside their values'
)
