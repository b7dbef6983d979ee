"""Charts for the board, as PNG bytes. Headless (Agg) and free of pyplot's global state, so they
are safe to draw from a Slack handler thread or a scheduled job.

They take plain data, e.g. for the quarterly post:

    png = brag_by_committee_png({"QAEC": {"red": 2, "green": 5}, "PDC": {"blue": 3}},
                                subtitle="as of 01/01/2027")
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from models.brag import BRAG_ORDER as RATINGS

# The stack, bottom first, and how each rating is drawn. Also used for the workbook's fills.
BRAG_ORDER: tuple[str, ...] = tuple(b.value for b in RATINGS)
BRAG_COLOURS: dict[str, str] = {
    "blue": "#0070C0",
    "red": "#C00000",
    "amber": "#FFC000",
    "green": "#00B050",
    "unassigned": "#BFBFBF",
    "cancelled": "#F2F2F2",
}
# Text on each colour: white where the fill is dark, black elsewhere (contrast ratio >= 4.5).
BRAG_TEXT: dict[str, str] = {
    "blue": "#FFFFFF",
    "red": "#FFFFFF",
    "amber": "#000000",
    "green": "#000000",
    "unassigned": "#000000",
    "cancelled": "#000000",
}
BRAG_LABELS: dict[str, str] = {
    "blue": "Blue (signed off)",
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "unassigned": "Unassigned",
    "cancelled": "Cancelled",
}

_DPI = 150


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    return fig


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # No software/date metadata: the same data gives the same bytes.
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


def _titles(ax: Any, fig: Any, title: str, subtitle: str | None) -> None:
    fig.suptitle(title, fontsize=14, fontweight="bold", x=0.02, ha="left")
    if subtitle:
        ax.set_title(subtitle, fontsize=10, color="#404040", loc="left")


def brag_by_committee_png(
    counts: Mapping[str, Mapping[str, int]],
    *,
    title: str = "Actions by committee and BRAG rating",
    subtitle: str | None = None,
    ratings: Iterable[str] = BRAG_ORDER,
    rating_labels: Mapping[str, str] | None = None,
) -> bytes:
    """Stacked bars, one per committee (in the order given), one segment per BRAG rating.

    `rating_labels` names the ratings in the legend as the board's key does (default BRAG_LABELS).

    `counts` maps a committee label (its code) to counts by rating: "red", "amber", "green",
    "blue", "unassigned" (other keys, e.g. "cancelled", are left out unless named in `ratings`).
    """
    ratings = [r for r in ratings if any(c.get(r, 0) for c in counts.values())] or ["green"]
    labels = list(counts) or ["(no actions)"]
    fig = _figure(max(6.0, 1.1 * len(labels) + 2.5), 4.5)
    ax = fig.add_subplot()
    bottoms = [0] * len(labels)
    for rating in ratings:
        values = [counts.get(label, {}).get(rating, 0) for label in labels]
        bars = ax.bar(
            labels,
            values,
            bottom=bottoms,
            color=BRAG_COLOURS.get(rating, "#808080"),
            edgecolor="white",
            linewidth=0.8,
            label=(rating_labels or BRAG_LABELS).get(rating, rating.title()),
            width=0.65,
        )
        # The count on each segment big enough to hold it: the picture reads without the legend.
        texts = [str(v) if v else "" for v in values]
        ax.bar_label(
            bars,
            labels=texts,
            label_type="center",
            color=BRAG_TEXT.get(rating, "#000000"),
            fontsize=9,
            fontweight="bold",
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for i, total in enumerate(bottoms):
        ax.annotate(
            str(total),
            (i, total),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            color="#404040",
        )
    ax.set_ylabel("Actions")
    ax.set_ylim(0, max(bottoms + [1]) * 1.12)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=9,
        reverse=True,  # legend top to bottom as the stack reads
    )
    _titles(ax, fig, title, subtitle)
    return _png(fig)


def overdue_by_month_png(
    counts: Mapping[date, int],
    *,
    title: str = "Overdue actions by the month they fell due",
    subtitle: str | None = None,
) -> bytes:
    """Bars of overdue actions, one per month (the first of the month as key), oldest first.

    Months with none in between are shown as gaps so the spread reads true.
    """
    months = _month_range(min(counts), max(counts)) if counts else []
    fig = _figure(max(6.0, 0.45 * len(months) + 2.0), 4.0)
    ax = fig.add_subplot()
    if months:
        values = [counts.get(m, 0) for m in months]
        labels = [f"{m:%b %Y}" for m in months]
        bars = ax.bar(labels, values, color=BRAG_COLOURS["red"], width=0.7)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=8, padding=2)
        ax.set_ylim(0, max(values) * 1.15 + 0.5)
        ax.tick_params(axis="x", labelrotation=45 if len(months) > 6 else 0, labelsize=8)
    else:
        ax.text(0.5, 0.5, "No overdue actions", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
    ax.set_ylabel("Overdue actions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    _titles(ax, fig, title, subtitle)
    return _png(fig)


def _month_range(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out
