"""The README's picture of the board paper: `python -m reports.example_paper docs/board-paper.docx`.

Builds a board's year in a throw-away SQLite database, through the same domain operations
people use (so the history is real): the example organisation, the example Learning and
Improvement Index imported on 1 April 2026, owners and due dates given, progress, due dates
moved with reasons, actions done and signed off with their evidence of impact or a date to
review it. Then writes the paper for Q3 2026/27 as prepared on 5 January 2027. With
`--png FILE` and LibreOffice and pdftoppm installed, it also renders the first page.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

import models.all  # noqa: F401
from importer.parse import parse_file
from importer.store import store_index
from models import actions as ops
from models.brag import BragRules
from models.db import make_engine, make_session_factory
from models.org import apply_org, read_org_file
from models.permissions import Actor
from models.quarters import Quarter
from models.schema import Action, Base, Committee, Person, Status
from reports.paper import board_paper

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 4, 1, 9, tzinfo=UTC)
PREPARED = datetime(2027, 1, 5, 9, tzinfo=UTC)
MEASURES = (
    "Re-audit 20 referrals in six months: threshold applied in at least 18",
    "Practitioner survey: 80% confident to escalate",
    "Case file audit shows the tool used in 3 of 4 cases",
    "Attendance of 90% of front-line staff, and a reflective session at 3 months",
)
IMPACTS = (
    "Re-audit of 20 referrals: the threshold guidance applied in 19",
    "Escalations logged by schools rose from 4 to 15 in the quarter",
    "Survey of 112 practitioners: 84% confident to use the escalation policy",
)
REASONS = (
    "Awaiting health board approval of the revised protocol",
    "Training provider cancelled; rebooked for the new year",
    "Audit sample widened at the committee's request",
    "Lead officer on long-term leave; cover arranged",
)


def build(url: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sf = make_session_factory(engine)
    rnd = random.Random(16)
    bu = Actor.system("business unit")
    with sf.begin() as s:
        apply_org(s, read_org_file(ROOT / "examples" / "org.toml"))
    with sf.begin() as s:
        index = parse_file(ROOT / "examples" / "learning-and-improvement-index.txt")
        store_index(s, index, now=START, source_name="learning-and-improvement-index.txt")
    with sf.begin() as s:
        owners = [p for p in s.scalars(select(Person).order_by(Person.id)) if not p.roles]
        committees = list(s.scalars(select(Committee).order_by(Committee.code)))
        refs = [a.ref for a in s.scalars(select(Action).order_by(Action.number))]
    chair = Actor.system("committee chair")
    for i, ref in enumerate(refs):
        t = START + timedelta(days=1 + i % 20)
        with sf.begin() as s:
            action = ops.get_action(s, ref)
            delivered = action.status == Status.COMPLETE
            if action.owner is None or action.committee is None:
                ops.assign(
                    s,
                    bu,
                    ref,
                    owner=owners[i % len(owners)] if action.owner is None else None,
                    committee=committees[i % len(committees)] if action.committee is None else None,
                    now=t,
                )
            if delivered:
                if i % 3:  # delivered before the import: most signed off in the spring
                    ops.sign_off(s, chair, ref, impact=IMPACTS[i % 3], now=t + timedelta(days=30))
                continue
            if action.due_date is None:
                first = date(2026, 6, 30) + timedelta(days=30 * (i % 9))
                ops.change_due(s, bu, ref, when=first, reason=None, now=t)
            if i % 3 == 0:
                ops.set_measure(s, bu, ref, text=MEASURES[i % len(MEASURES)], now=t)
        fate = rnd.random()
        with sf.begin() as s:
            due_date = ops.get_action(s, ref).due_date
            assert due_date is not None
            due = due_date
            if fate < 0.72:
                ops.update(s, bu, ref, word="in-progress", note="Work under way", now=t)
            if 0.25 < fate < 0.4 and due < date(2026, 12, 1):
                moved = datetime(2026, 10, 5, 9, tzinfo=UTC) + timedelta(days=i % 60)
                new = max(due, moved.date()) + timedelta(days=91)
                ops.change_due(s, bu, ref, when=new, reason=REASONS[i % 4], now=moved)
            elif fate < 0.25 and due < date(2026, 12, 20):
                done = datetime.combine(due, datetime.min.time(), UTC) - timedelta(days=5)
                done = max(done, t + timedelta(days=10))
                ops.mark_done(s, bu, ref, evidence="Delivered; see the committee minutes", now=done)
                signed = done + timedelta(days=14)
                if i % 2:
                    ops.sign_off(s, chair, ref, impact=IMPACTS[i % 3], now=signed)
                else:
                    review = (signed + timedelta(days=60)).date()
                    ops.sign_off(s, chair, ref, review_on=review, now=signed)
            elif fate > 0.93:
                ops.update(s, bu, ref, word="off-track", note="Capacity pressures", now=t)
    engine.dispose()


def render_png(docx: Path, png: Path) -> None:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise SystemExit("rendering needs LibreOffice (soffice) and pdftoppm (poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(docx)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        pdf = Path(tmp) / (docx.stem + ".pdf")
        subprocess.run(
            [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(png.with_suffix(""))],
            check=True, timeout=120,
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="docs/board-paper.docx", type=Path)
    parser.add_argument("--png", type=Path, help="also render the first page to this PNG")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'example.sqlite3'}"
        build(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as s:
            _, data = board_paper(s, PREPARED, BragRules(), quarter=Quarter(2026, 3))
        engine.dispose()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"Wrote {args.output}", file=sys.stderr)
    if args.png:
        render_png(args.output, args.png)
        print(f"Wrote {args.png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
