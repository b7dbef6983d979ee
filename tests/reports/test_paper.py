"""The board paper: a Word document the board can table as it is.

Opened with python-docx and read as a reader would: its sections in order, its figures (held to
`lscb actions list --json` on the same data), the chart, the previous quarter replayed from the
history, and no confidential text anywhere in the file.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pdfplumber
import pytest
from sqlalchemy import select

from bot.cli import main
from models import actions as ops
from models.brag import BLUE_IMPACT_EVIDENCED, BragRules
from models.errors import InvalidInput
from models.quarters import Quarter
from models.schema import Committee
from reports.paper import board_paper, build_paper
from tests.conftest import actor
from tests.reports.conftest import ADMIN, Board, at

NOW = ["--now", "2026-11-25T10:00:00+00:00"]
RULES = BragRules()
SECRETS = ("Review supervision of the probation case", "Sensitive progress", "Gary Lloyd")


def _doc(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _headings(d: docx.document.Document) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]


def _table_after(d: docx.document.Document, heading: str) -> list[list[str]] | None:
    """The rows of the first table after the heading `heading` (None: a paragraph came first
    that says there is nothing to show)."""
    body = d.element.body
    found = False
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if found and text and text.startswith(("No ", "Every ")):
                return None
            if text == heading:
                found = True
            elif found and child.xpath("./w:pPr/w:pStyle") and text:
                return None  # the next heading
        elif tag == "tbl" and found:
            table = docx.table.Table(child, d)
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no heading {heading!r}")


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


@pytest.fixture
def reviewed(board: Board) -> Board:
    """The board's year, plus: measures planned, A-6's date moved this quarter, A-1's sign-off
    (01/10) followed by a second action signed off with an impact review date already past."""
    sf = board.sf
    nurse = actor(sf, "U0DESNURS")
    with sf.begin() as s:
        ops.set_measure(
            s,
            nurse,
            "A-1",
            text="Re-audit 20 bruising referrals in six months",
            now=at(2026, 11, 21),
        )
        ops.set_measure(s, ADMIN, "A-4", text="Secret re-audit of the case", now=at(2026, 11, 21))
    with sf.begin() as s:
        ops.change_due(
            s,
            ADMIN,
            "A-6",
            when=date(2027, 1, 15),
            reason="Governors meet in January",
            now=at(2026, 10, 20),
        )
    with sf.begin() as s:
        ops.create_action(
            s,
            ADMIN,
            text="Publish the escalation policy",
            now=at(2026, 7, 1),
            committee=s.scalars(select(Committee).where(Committee.code == "QAEC")).one(),
            measure="Escalations logged by schools double",
        )
    with sf.begin() as s:
        ops.mark_done(s, ADMIN, "A-7", evidence="Policy on the website", now=at(2026, 10, 2))
    with sf.begin() as s:
        ops.sign_off(s, ADMIN, "A-7", review_on="in 3 weeks", now=at(2026, 10, 5))
    return board


def test_the_paper_has_its_sections_in_order(reviewed: Board) -> None:
    with reviewed.sf() as s:
        name, data = board_paper(s, reviewed.now, RULES)
    assert name == "lscb-board-paper-2026-27-q3.docx"
    d = _doc(data)
    assert _headings(d) == [
        "1. Summary",
        "2. BRAG rating by committee",
        "3. Exceptions",
        "3.1 Overdue the longest",
        "3.2 Little or no progress (no update for 60 days)",
        "3.3 Due dates moved in Q3 2026/27",
        "3.4 Impact reviews overdue",
        "4. Signed off in Q3 2026/27, and the evidence of impact",
        "5. Recurring themes",
        "Key",
    ]
    first = [p.text for p in d.paragraphs[:3]]
    assert first[1] == "Improvement actions from reviews"
    assert first[2] == "Quarterly report to the board: Q3 2026/27"
    facts = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert facts["Quarter"] == "Q3 2026/27 (October to December 2026)"
    assert facts["Date prepared"] == "25 November 2026"
    assert "quarter to date" in facts["Figures"]


def test_the_chart_is_in_the_paper(reviewed: Board) -> None:
    with reviewed.sf() as s:
        _, data = board_paper(s, reviewed.now, RULES)
    d = _doc(data)
    pictures = [r for r in d.part.rels.values() if "image" in r.reltype]
    assert len(pictures) == 1
    assert pictures[0].target_part.blob.startswith(b"\x89PNG")
    assert d.inline_shapes[0].width > 0


def test_the_summary_agrees_with_actions_list_json(
    reviewed: Board, db_url: str, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "paper.docx"
    code = main(
        ["export", "--format", "docx", "-o", str(target), *NOW], env={"DATABASE_URL": db_url}
    )
    assert code == 0
    capsys.readouterr()
    assert main(["actions", "list", "--json", *NOW], env={"DATABASE_URL": db_url}) == 0
    listed = json.loads(capsys.readouterr().out)
    statuses = [a["status"] for a in listed if a["status"] != "cancelled"]
    table = _table_after(_doc(target.read_bytes()), "1. Summary")
    assert table is not None
    now_column = {row[0]: row[1] for row in table[1:]}
    assert now_column["Actions (not cancelled)"] == str(len(statuses))
    assert now_column["Open"] == str(
        sum(1 for x in statuses if x in ("not_started", "in_progress"))
    )
    assert now_column["Complete, awaiting sign-off"] == str(statuses.count("complete"))
    assert now_column["Signed off"] == str(statuses.count("signed_off"))
    done = statuses.count("complete") + statuses.count("signed_off")
    assert now_column["Share complete (complete or signed off)"] == (
        f"{round(100 * done / len(statuses))}%"
    )
    brags = _doc(target.read_bytes()).tables[2]
    by_brag = {r.cells[0].text: r.cells[1].text for r in brags.rows[1:]}
    for label in ("Red", "Amber", "Green", "Blue", "Unassigned"):
        assert by_brag[label] == str(sum(1 for a in listed if a["brag"] == label.lower()))


def test_the_previous_quarter_is_replayed_from_the_history(reviewed: Board) -> None:
    """At the end of Q2 (30/09): A-1 complete; A-2, A-3, A-4 open; A-7 open (created 01/07);
    A-5 cancelled; A-6 not yet created. Now: A-1 and A-7 signed off of six."""
    with reviewed.sf() as s:
        paper = build_paper(s, reviewed.now, RULES)
    prev, now = paper.previous, paper.figures
    assert (prev.total, prev.open, prev.complete, prev.signed_off) == (5, 4, 1, 0)
    assert (now.total, now.open, now.complete, now.signed_off) == (6, 4, 0, 2)
    d = _doc(board_paper_bytes(reviewed))
    summary = next(p.text for p in d.paragraphs if p.text.startswith("Of 6 actions"))
    assert "33% complete, up 13 points on the end of Q2 2026/27 (20%)" in summary


def board_paper_bytes(board: Board, **kw) -> bytes:
    with board.sf() as s:
        return board_paper(s, board.now, RULES, **kw)[1]


def test_a_past_quarter_is_the_picture_at_its_end(reviewed: Board) -> None:
    d = _doc(board_paper_bytes(reviewed, quarter="Q1 2026/27"))
    assert _headings(d)[0] == "1. Summary"
    facts = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert facts["Figures"] == "as at the end of the quarter, 30 June 2026"
    moved = _table_after(d, "3.3 Due dates moved in Q1 2026/27")
    assert moved is not None
    assert [(r[0].split("\n")[0], r[3], r[4]) for r in moved[1:]] == [
        ("A-1", "30/06/2026 → 30/09/2026", "Awaiting health board approval")
    ]
    # Nothing had been signed off by then.
    assert _table_after(d, "4. Signed off in Q1 2026/27, and the evidence of impact") is None


def test_exceptions_and_sign_offs(reviewed: Board) -> None:
    d = _doc(board_paper_bytes(reviewed))
    overdue = _table_after(d, "3.1 Overdue the longest")
    assert overdue is not None
    assert [(r[0].split("\n")[0], r[4], r[5]) for r in overdue[1:]] == [
        ("A-2", "29/05/2026", "180")
    ]
    stalled = _table_after(d, "3.2 Little or no progress (no update for 60 days)")
    assert stalled is not None
    assert [r[0].split("\n")[0] for r in stalled[1:]] == ["A-2", "A-3"]
    moved = _table_after(d, "3.3 Due dates moved in Q3 2026/27")
    assert moved is not None
    assert [(r[0].split("\n")[0], r[3], r[4]) for r in moved[1:]] == [
        ("A-6", "04/12/2026 → 15/01/2027", "Governors meet in January")
    ]
    reviews = _table_after(d, "3.4 Impact reviews overdue")
    assert reviews is not None
    assert [(r[0], r[2], r[4]) for r in reviews[1:]] == [
        ("A-7", "Escalations logged by schools double", "26/10/2026")
    ]
    signed = _table_after(d, "4. Signed off in Q3 2026/27, and the evidence of impact")
    assert signed is not None
    assert [(r[0].split("\n")[0], r[3], r[4]) for r in signed[1:]] == [
        ("A-1", "01/10/2026", "Bruising referrals up by a fifth"),
        ("A-7", "05/10/2026", "Not yet evidenced: impact review due 26/10/2026"),
    ]


def test_confidential_reviews_appear_by_reference_only(reviewed: Board) -> None:
    with reviewed.sf.begin() as s:
        ops.change_due(
            s,
            ADMIN,
            "A-4",
            when=date(2027, 2, 26),
            reason="Sensitive progress: trial date",
            now=at(2026, 11, 1),
        )
    data = board_paper_bytes(reviewed)
    text = _all_text(data)
    for secret in SECRETS + ("Secret re-audit", "trial date", "Child D"):
        assert secret not in text
    moved = _table_after(_doc(data), "3.3 Due dates moved in Q3 2026/27")
    assert moved is not None
    row = next(r for r in moved if r[0].startswith("A-4"))
    assert row[0] == "A-4\nR-3" and row[1] == "Confidential review: details withheld"
    assert row[3] == "29/01/2027 → 26/02/2027" and row[5] == ""


def test_the_boards_own_key_and_blue_meaning(reviewed: Board) -> None:
    rules = BragRules(
        blue=BLUE_IMPACT_EVIDENCED, labels=(("blue", "Embedded"), ("red", "Off course"))
    )
    with reviewed.sf() as s:
        paper = build_paper(s, reviewed.now, rules)
        data = board_paper(s, reviewed.now, rules)[1]
    # A-7 is signed off without evidence of impact: Green under this board's key.
    assert paper.figures.brag["blue"] == 1
    d = _doc(data)
    key = _table_after(d, "Key")
    assert key is not None
    means = {r[0]: r[1] for r in key[1:]}
    assert means["Embedded"] == "signed off with evidence of impact"
    assert "Off course" in means and "Red" not in means


def test_quarters_are_named_as_public_bodies_name_them() -> None:
    assert Quarter.of(date(2026, 4, 1)).label == "Q1 2026/27"
    assert Quarter.of(date(2026, 12, 31)).label == "Q3 2026/27"
    assert Quarter.of(date(2027, 3, 31)).label == "Q4 2026/27"
    assert Quarter.parse("2026/27 Q3") == Quarter.parse("q3 2026-27") == Quarter(2026, 3)
    assert Quarter(2026, 1).previous.label == "Q4 2025/26"
    assert Quarter(2026, 4).start == date(2027, 1, 1)
    for bad in ("2026/28 Q3", "Q5 2026/27", "next quarter", ""):
        with pytest.raises(InvalidInput):
            Quarter.parse(bad)


def test_a_quarter_not_begun_is_refused(reviewed: Board) -> None:
    with pytest.raises(InvalidInput, match="has not started"), reviewed.sf() as s:
        board_paper(s, reviewed.now, RULES, quarter="2026/27 Q4")


def test_cli_errors_are_one_line(reviewed: Board, db_url: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "paper.docx"
    for argv, words in [
        (["--quarter", "Q9"], "not a quarter"),
        (["--quarter", "2027/28 Q1"], "has not started"),
        (["-o", str(tmp_path / "report.xlsx"), "--quarter", "2026/27 Q3"], "--quarter"),
        (["--committee", "QAEC"], "covers every action"),
    ]:
        code = main(["export", "-o", str(target), *argv, *NOW], env={"DATABASE_URL": db_url})
        out, err = capsys.readouterr()
        assert code != 0 and out == ""
        assert err.count("\n") == 1 and words in err, err
    assert not target.exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_it(reviewed: Board, tmp_path: Path) -> None:
    source = tmp_path / "paper.docx"
    source.write_bytes(board_paper_bytes(reviewed))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with pdfplumber.open(tmp_path / "paper.pdf") as pdf:
        assert len(pdf.pages) >= 2
        first = pdf.pages[0].extract_text() or ""
    assert "Improvement actions from reviews" in first
    assert "Q3 2026/27" in first


def test_the_workbook_shows_share_complete_by_quarter_and_the_new_columns(reviewed: Board) -> None:
    import openpyxl

    from reports import export

    with reviewed.sf() as s:
        _, data = export(s, ADMIN, "xlsx", reviewed.now, RULES)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = [[c for c in r] for r in wb["Summary"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Share complete by quarter")
    table = []
    for r in rows[start + 2 :]:
        if not r[0]:
            break
        table.append((r[0], r[1], r[2], round(r[3], 2)))
    assert table == [
        ("Q4 2025/26", 5, 0, 0.0),  # A-5 cancelled on 01/05 was still open
        ("Q1 2026/27", 4, 0, 0.0),
        ("Q2 2026/27", 5, 1, 0.2),
        ("Q3 2026/27 (to date)", 6, 2, 0.33),
    ]
    head = [c.value for c in wb["Actions"][1]]
    a7 = next(r for r in wb["Actions"].iter_rows(values_only=True) if r[0] == "A-7")
    assert a7[head.index("How it will be measured")] == "Escalations logged by schools double"
    assert a7[head.index("Impact review date")].date() == date(2026, 10, 26)


def test_measure_and_impact_review_are_replayed_as_of_a_date(reviewed: Board) -> None:
    from reports.export import build_report

    with reviewed.sf.begin() as s:
        ops.record_impact(s, ADMIN, "A-7", evidence="Doubled", now=at(2026, 11, 2))
    with reviewed.sf() as s:
        then = build_report(s, ADMIN, reviewed.now, RULES, as_of=date(2026, 10, 10))
        now = build_report(s, ADMIN, reviewed.now, RULES)
    a7_then = next(x.action for x in then.lines if x.action.ref == "A-7")
    a7_now = next(x.action for x in now.lines if x.action.ref == "A-7")
    assert (a7_then.impact_review_on, a7_then.evidence_of_impact) == (date(2026, 10, 26), None)
    assert (a7_now.impact_review_on, a7_now.evidence_of_impact) == (None, "Doubled")
    a1_then = next(x.action for x in then.lines if x.action.ref == "A-1")
    assert a1_then.measure is None  # planned on 21/11, after that day
