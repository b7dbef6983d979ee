"""`lscb export`: a file on disk, messages on standard error, one-line errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from bot.cli import main
from tests.reports.conftest import Board


def run(capsys, argv: list[str], db_url: str) -> tuple[int, str, str]:
    code = main(argv, env={"DATABASE_URL": db_url})
    out, err = capsys.readouterr()
    return code, out, err


NOW = ["--now", "2026-11-25T10:00:00+00:00"]


def test_export_xlsx_writes_the_workbook(board: Board, db_url: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "board.xlsx"
    code, out, err = run(capsys, ["export", "--format", "xlsx", "-o", str(target), *NOW], db_url)
    assert code == 0, err
    assert out == "" and "Wrote" in err
    wb = openpyxl.load_workbook(target)
    assert wb["Actions"].max_row == 7
    assert not list(tmp_path.glob("*.part"))


def test_export_csv_with_filters_and_as_of(
    board: Board, db_url: str, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "qaec.csv"
    argv = ["export", "-o", str(target), "--committee", "QAEC", "--as-of", "15/07/2026", *NOW]
    code, _, err = run(capsys, argv, db_url)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [(r["Ref"], r["Status"], r["BRAG"]) for r in rows] == [
        ("A-1", "In progress", "Green"),
        ("A-5", "Cancelled", "Cancelled"),
    ]


def test_errors_are_one_line_and_write_nothing(
    board: Board, db_url: str, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "x.xlsx"
    for argv, words in [
        (["--committee", "NOPE"], "no committee"),
        (["--review", "R-42"], "no single review"),
        (["--as-of", "31/02/2026"], "--as-of"),
        (["--as-of", "2027-01-01"], "in the future"),
    ]:
        code, out, err = run(capsys, ["export", "-o", str(target), *argv, *NOW], db_url)
        assert code != 0 and out == ""
        assert err.count("\n") == 1 and words in err, err
    assert not target.exists()
    code, _, err = run(capsys, ["export", "-o", str(tmp_path / "no" / "x.xlsx")], db_url)
    assert code == 1 and "does not exist" in err
