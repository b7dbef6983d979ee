"""`lscb themes [CODE] [--json]`: recurring learning, theme by theme, as the business unit sees it."""

from __future__ import annotations

import argparse
import sys

from bot.cli.base import CliContext, add_now_argument, emit_json
from models.org import org_brag_rules
from models.permissions import Actor
from models.themes import ThemeReport, recurring, report_to_dict


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "themes",
        help="recurring learning: per theme, the reviews and findings raising it and its actions",
    )
    p.add_argument("code", nargs="?", metavar="CODE", help="one theme, e.g. neglect")
    p.add_argument("--json", action="store_true", help="print the themes as JSON")
    add_now_argument(p)
    p.set_defaults(func=cmd_themes)


def cmd_themes(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    now = ctx.clock.now()
    with store.session_factory() as s:
        rules = org_brag_rules(s, ctx.settings.brag_rules)
        rows = recurring(s, Actor.system("lscb themes"), now, rules, code=args.code)
    if args.json:
        emit_json(report_to_dict(rows))
        return 0
    if not rows:
        print("No themes: load an organisation file (`lscb org load FILE`).", file=sys.stderr)
        return 0
    for t in rows:
        print("\n".join(describe(t)))
    return 0


def describe(t: ThemeReport) -> list[str]:
    counts = " ".join(f"{k} {v}" for k, v in t.brag_counts().items()) or "none"
    lines = [
        f"{t.code}: {t.name} — {len(t.reviews)} reviews, {t.finding_count} findings, "
        f"{len(t.actions)} actions ({counts})"
    ]
    lines += [f"  ! {flag}" for flag in t.raised_again]
    for r in t.reviews:
        name = r.name if r.name is not None else "confidential review"
        refs = ", ".join(f.ref for f in r.findings)
        lines.append(f"  {r.when:%m/%Y}  {r.ref} {name}: {refs}")
    return lines
