"""What an import read and did, in words for a person and as JSON for a program."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from importer.model import ParsedActivity, ParsedIndex
from models.words import plural

if TYPE_CHECKING:
    from importer.store import CommitteeMatcher, ImportSummary


DERIVED = "rag (read on a row's first import only; the app works BRAG out after that)"


def to_json(index: ParsedIndex, committees: CommitteeMatcher | None = None) -> dict[str, Any]:
    reviews = []
    for r in index.reviews:
        activities = []
        for a in r.activities:
            matched = committees.match(a.committee) if committees is not None else None
            activities.append(
                {
                    "text": a.text,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "owner": a.owner,
                    "committee": matched.code if matched is not None else None,
                    "committee_text": a.committee,
                    "lead_agency": a.lead_agency,
                    "delivered": a.delivered,
                    "status": _status(a),
                    "rating": a.rating,
                    "progress": a.progress,
                    "evidence": a.evidence,
                    "measure": a.measure,
                    "findings": list(a.findings),
                    "ref": a.ref,
                }
            )
        reviews.append(
            {
                "type": r.type,
                "name": r.name,
                "date": r.date_text,
                "month": r.month.isoformat() if r.month else None,
                "section": r.section,
                "confidential": r.confidential,
                "overview": r.overview,
                "findings": [
                    {"number": f.number, "text": f.text, "heading": f.heading} for f in r.findings
                ],
                "activities": activities,
            }
        )
    out: dict[str, Any] = {"reviews": reviews, "warnings": list(index.warnings)}
    if index.columns is not None:
        out["columns"] = {
            "mapped": index.columns.mapped,
            "ignored": index.columns.ignored,
            "derived": index.columns.derived,
            "review_from": index.columns.review_from,
            "sheets": index.columns.sheets,
            "skipped_sheets": index.columns.skipped_sheets,
            "by_sheet": {
                sheet: {"mapped": mapped, "ignored": ignored}
                for sheet, (mapped, ignored) in index.columns.by_sheet.items()
            },
        }
    return out


def _status(a: ParsedActivity) -> str:
    """The status the row will have once stored (signed off and cancelled as stated)."""
    if a.delivered:
        return "complete"
    if a.status == "cancelled":
        return "cancelled"
    if a.rating is not None or a.status == "in_progress":
        return "in_progress"
    return "not_started"


def describe(index: ParsedIndex, summary: ImportSummary | None, dry_run: bool) -> list[str]:
    n_find = sum(len(r.findings) for r in index.reviews)
    delivered = [a for r in index.reviews for a in r.activities if a.delivered]
    lines = [
        f"Read {plural(len(index.reviews), 'review')}, {plural(n_find, 'finding')}, "
        f"{plural(index.activity_count, 'improvement activity', 'improvement activities')} "
        f"({len(delivered)} reported as delivered: imported as complete, awaiting sign-off)."
    ]
    if index.columns is not None:
        cols = index.columns

        def mapping(mapped: dict[str, str]) -> str:
            return ", ".join(
                f"{h} → {DERIVED if h in cols.derived else f}" for h, f in mapped.items()
            )

        read = {t: cols.by_sheet[t] for t in cols.sheets if t in cols.by_sheet}
        if len({repr(v) for v in read.values()}) > 1:  # sheets headed differently: each its own
            for title, (mapped, ignored) in read.items():
                lines.append(
                    f"Sheet “{title}”: columns mapped: {mapping(mapped)}; "
                    f"ignored: {', '.join(ignored) or 'none'}."
                )
        else:
            lines.append(f"Columns mapped: {mapping(cols.mapped)}.")
            lines.append(f"Columns ignored: {', '.join(cols.ignored) or 'none'}.")
        if (
            index.columns.sheets
            and len(index.columns.sheets) + len(index.columns.skipped_sheets) > 1
        ):
            lines.append(f"Sheets read: {', '.join(index.columns.sheets)}.")
        if index.columns.review_from:
            lines.append(f"Review of each row: {index.columns.review_from} (no column names it).")
    for r in index.reviews:
        for n, a in enumerate(r.activities, start=1):
            if a.delivered:
                lines.append(f"  delivered: {r.name}, activity {n}")
    if summary is not None:
        verb = "Would import" if dry_run else "Imported"
        lines.append(
            f"{verb}: reviews {summary.reviews_created} created, {summary.reviews_updated} updated, "
            f"{summary.reviews_unchanged} unchanged; findings {summary.findings_created} created, "
            f"{summary.findings_updated} updated, {summary.findings_removed} removed; actions "
            f"{summary.actions_created} created, {summary.actions_updated} updated, "
            f"{summary.actions_unchanged} unchanged; committees matched {summary.committees_matched}"
            f" (not matched {summary.committees_unmatched}); unassigned {summary.unassigned}."
        )
        if summary.actions_matched_by_ref:
            lines.append(
                f"{plural(summary.actions_matched_by_ref, 'row')} matched existing actions by "
                "their Ref."
            )
        if summary.conflicts:
            lines.append(
                f"{plural(len(summary.conflicts), 'change')} in the document "
                f"{'was' if len(summary.conflicts) == 1 else 'were'} not applied: a person "
                "changed the same field in the app since the last import, and their value is kept."
            )
        if summary.not_in_document:
            lines.append(
                f"{plural(len(summary.not_in_document), 'earlier imported action')} "
                f"{'is' if len(summary.not_in_document) == 1 else 'are'} no longer in the "
                "document; left as they are."
            )
        lines.extend(f"  {line}" for line in summary.preview_lines())
        if summary.learning is not None and summary.learning.lines():
            lines.append(
                "Themes suggested (with the words that suggested them) and earlier findings and "
                "actions alike; confirm or change them with /lscb theme REF +code -code:"
            )
            lines.extend(summary.learning.lines())
        lines.extend(f"warning: {w}" for w in summary.warnings)
        if not summary.changed:
            lines.append(
                "Nothing changed: this document was already imported."
                if not (summary.conflicts or summary.not_applied or summary.not_in_document)
                else "Nothing in the app changed."
            )
    lines.extend(f"warning: {w}" for w in index.warnings)
    return lines
