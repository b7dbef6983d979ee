"""Other boards' trackers, read by what their columns mean."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from importer.errors import ImportFileError
from importer.parse import parse_file
from importer.parse_sheet import parse_columns, rows_to_index
from importer.store import store_index
from models.schema import Action, ActionEvent, Person, Rating, Status

TODAY = date(2026, 11, 25)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


PLAN = [
    ["What will be done", "Who", "By when", "Progress / Update", "RAG", "Outcome expected"],
    [
        "Refresh the neglect toolkit",
        "Jo Evans",
        "end of March",
        "Draft with the editor",
        "Amber",
        "Toolkit used in 80% of cases",
    ],
    [
        "Train designated leads",
        "Joe Bloggs",
        "March 2027",
        "",
        "Blue (completed and signed off at PDC)",
        "",
    ],
    ["Audit strategy discussions", "", "31st July 2027", "", "Red", ""],
    ["Re-audit supervision", "Jo Evans", "31/02/2027", "", "Green", ""],
    ["Share the learning brief", "", "45382", "", "", ""],
]


def test_other_headings_rag_progress_who_and_dates(tmp_path: Path) -> None:
    index = parse_file(write_csv(tmp_path / "neglect plan.csv", PLAN), today=TODAY)
    assert index.columns is not None
    assert index.columns.mapped == {
        "What will be done": "action",
        "Who": "owner",
        "By when": "due",
        "Progress / Update": "progress",
        "RAG": "rag",
        "Outcome expected": "measure",
    }
    (review,) = index.reviews
    assert review.name == "neglect plan"  # no review column: named after the file, and said
    assert any("grouped under one review" in w and "neglect plan" in w for w in index.warnings)
    toolkit, train, audit, reaudit, brief = review.activities
    assert (toolkit.owner, toolkit.due_date, toolkit.rating) == (
        "Jo Evans",
        date(2027, 3, 31),
        "at_risk",
    )
    assert toolkit.progress == "Draft with the editor"
    # "Outcome expected" is how the board will know it worked, never evidence of completion.
    assert toolkit.measure == "Toolkit used in 80% of cases" and toolkit.evidence is None
    assert train.delivered and train.status == "complete" and train.due_date == date(2027, 3, 31)
    assert (audit.rating, audit.due_date) == ("off_track", date(2027, 7, 31))
    assert reaudit.rating == "on_track" and reaudit.due_date is None
    assert brief.due_date == date(2024, 3, 31)  # an Excel date serial
    assert "row 5: the target date 31/02/2027 is not a real date; it was left out" in index.warnings
    assert any(
        w.startswith("row 6: the target date 31/03/2024 is before today") for w in index.warnings
    )


def test_a_workbook_with_a_sheet_per_review_title_rows_and_ticks(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Child H"
    second = book.create_sheet("Neglect Audit 2025")
    key = book.create_sheet("Key")
    key.append(["✓ means the action is achieved"])
    headers = [
        "No.",
        "Specific actions",
        "Responsible officer",
        "Timescale",
        "Achieved",
        "On Target to Achieve",
        "Not on target",
    ]
    for sheet, title in ((first, "Child H action plan"), (second, "Neglect audit: action plan")):
        sheet.append([title])
        sheet.append([])
        sheet.append(headers)
    first.append([1, "Write to all GPs", "Priya Shah", datetime(2027, 1, 31), "✓", "", ""])
    first.append([2, "Review the escalation policy", "Tom Reilly", "30/06/2027", "", "✓", ""])
    second.append([1, "Repeat the audit", "Gary Lloyd", "end of June 2027", "", "", "x"])
    second.append([2, "Publish the findings", "", "", "maybe", "", ""])
    path = tmp_path / "plans.xlsx"
    book.save(path)
    index = parse_file(path, today=TODAY)
    assert [r.name for r in index.reviews] == ["Child H", "Neglect Audit 2025"]
    assert index.columns is not None
    assert index.columns.sheets == ["Child H", "Neglect Audit 2025"]
    assert index.columns.review_from == "each sheet's name"
    assert any("Key" in w and "skipped" in w for w in index.warnings)
    h, audit = index.reviews
    assert h.overview == "Child H action plan"  # the title block is kept with its review
    gps, escalation = h.activities
    assert (gps.text, gps.owner, gps.due_date, gps.delivered) == (
        "Write to all GPs",
        "Priya Shah",
        date(2027, 1, 31),
        True,
    )
    assert escalation.status == "in_progress" and escalation.rating == "on_track"
    repeat, publish = audit.activities
    assert repeat.rating == "off_track" and repeat.due_date == date(2027, 6, 30)
    assert not publish.delivered and publish.status is None
    assert any("Achieved" in w and "maybe" in w and "not a tick" in w for w in index.warnings)


def test_recommendation_column_as_the_action_itself(tmp_path: Path) -> None:
    rows = [
        ["Recommendation", "Lead", "Target date", "Status"],
        ["Agencies must record fathers' details", "Jo Evans", "31/03/2027", "Ongoing"],
    ]
    (review,) = parse_file(write_csv(tmp_path / "recs.csv", rows), today=TODAY).reviews
    (activity,) = review.activities
    assert activity.text == "Agencies must record fathers' details"
    assert (activity.owner, activity.status) == ("Jo Evans", "in_progress")
    assert review.findings == []


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_windows_1252_and_utf8_with_bom(tmp_path: Path, encoding: str) -> None:
    rows = [
        ["Action", "Owner", "Due date"],
        ["Children’s voice audit – phase 2", "Jo Evans", "1/2/27"],
    ]
    index = parse_file(write_csv(tmp_path / "t.csv", rows, encoding), today=TODAY)
    (activity,) = index.reviews[0].activities
    assert activity.text == "Children’s voice audit – phase 2"
    assert activity.due_date == date(2027, 2, 1)
    assert index.columns is not None and index.columns.mapped["Action"] == "action"
    assert any("Windows-1252" in w for w in index.warnings) == (encoding == "cp1252")


ODD = [
    ["Thing to do", "Person", "Finish by", "Colour"],
    ["Hold a practice week", "Jo Evans", "31/05/2027", "Green"],
]


def test_unknown_headers_are_refused_with_the_headers_seen_and_a_columns_that_works(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "odd.csv", ODD)
    with pytest.raises(ImportFileError) as caught:
        parse_file(path, today=TODAY)
    message = str(caught.value)
    for header in ODD[0]:
        assert f"“{header}”" in message
    assert "--columns" in message
    spec = message.split('--columns "', 1)[1].rstrip('"')
    index = parse_file(path, today=TODAY, columns=parse_columns(spec))
    assert index.reviews[0].activities[0].text == "Hold a practice week"


def test_columns_named_by_the_person(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", ODD)
    named = parse_columns("action=Thing to do,owner=Person,due=Finish by,rag=Colour")
    index = parse_file(path, today=TODAY, columns=named)
    (activity,) = index.reviews[0].activities
    assert (activity.owner, activity.due_date, activity.rating) == (
        "Jo Evans",
        date(2027, 5, 31),
        "on_track",
    )
    assert index.columns is not None
    assert index.columns.mapped == {
        "Thing to do": "action",
        "Person": "owner",
        "Finish by": "due",
        "Colour": "rag",
    }
    with pytest.raises(ImportFileError) as caught:
        parse_file(path, today=TODAY, columns=parse_columns("action=What will be done"))
    assert "“What will be done”" in str(caught.value) and "“Thing to do”" in str(caught.value)
    with pytest.raises(ValueError, match="field=header"):
        parse_columns("What will be done")


def test_cli_columns_dry_run_json_and_stored_fields(
    session_factory: sessionmaker[Session],
    org: dict[str, Person],
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_csv(tmp_path / "odd.csv", ODD)
    argv = [
        "import",
        str(path),
        "--columns",
        "action=Thing to do,owner=Person,due=Finish by",
        "--dry-run",
        "--json",
    ]
    assert main(argv, env={"DATABASE_URL": db_url}) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    (activity,) = data["reviews"][0]["activities"]
    assert (activity["text"], activity["owner"], activity["due_date"]) == (
        "Hold a practice week",
        "Jo Evans",
        "2027-05-31",
    )
    assert "Thing to do → action" in err and "Columns ignored: Colour" in err
    assert main(["import", str(path), "--columns", "nonsense"], env={"DATABASE_URL": db_url}) != 0
    out, err = capsys.readouterr()
    assert out == "" and "field=header" in err


def test_first_import_stores_status_rating_progress_owner_by_name_and_findings(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime, tmp_path: Path
) -> None:
    rows = [
        ["Recommendation", "What will be done", "Who", "By when", "Progress", "RAG"],
        [
            "Fathers were not seen",
            "Invite fathers to every conference",
            "Jo Evans",
            "31/03/2027",
            "Letter drafted",
            "Amber",
        ],
        [
            "Fathers were not seen",
            "Train staff to ask about fathers",
            "Joe Bloggs",
            "30/04/2027",
            "",
            "Blue",
        ],
    ]
    index = parse_file(write_csv(tmp_path / "plan.csv", rows), today=TODAY)
    with session_factory.begin() as s:
        summary = store_index(s, index, now=now, source_name="plan.csv")
    assert summary.actions_created == 2
    (warning,) = summary.warnings
    assert warning.startswith("row 3: the owner “Joe Bloggs” is not in the organisation")
    with session_factory() as s:
        invite, train = s.scalars(select(Action).order_by(Action.number)).unique().all()
        assert invite.status == Status.IN_PROGRESS and invite.owner_rating == Rating.AT_RISK
        assert invite.latest_progress == "Letter drafted"
        assert [f.text for f in invite.findings] == ["Fathers were not seen"]
        assert [f.text for f in train.findings] == ["Fathers were not seen"]
        assert train.status == Status.COMPLETE  # Blue: complete, awaiting the chair's sign-off
        assert train.owner is not None and train.owner.name == "Joe Bloggs"
        assert train.owner.slack_id is None  # an owner not in Slack, kept by name
        kinds = [
            e.kind for e in s.scalars(select(ActionEvent).where(ActionEvent.action_id == invite.id))
        ]
        assert {"rating", "note"} <= set(kinds)
    with session_factory.begin() as s:
        again = store_index(
            s, parse_file(tmp_path / "plan.csv", today=TODAY), now=now, source_name="plan.csv"
        )
    assert not again.changed and again.warnings == []
    with session_factory() as s:
        assert len(s.scalars(select(Person).where(Person.name == "Joe Bloggs")).all()) == 1


HEADER = hs.text(alphabet=hs.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(hs.lists(HEADER, min_size=1, max_size=8))
def test_any_header_row_gives_a_mapping_or_a_refusal_that_lists_the_headers(
    headers: list[str],
) -> None:
    rows = [headers, ["Hold a practice week" if h.strip() else "" for h in headers]]
    try:
        index = rows_to_index(rows, "tracker", Path("tracker.csv"), today=TODAY)
    except ImportFileError as exc:
        message = str(exc)
        assert "\n" not in message
        for h in headers:
            if h.strip():
                shown = " ".join(h.split())
                shown = shown if len(shown) <= 40 else shown[:39] + "…"
                assert shown in message
    else:
        assert index.columns is not None
        assert "action" in index.columns.mapped.values()
        assert index.activity_count == 1


def test_a_type_of_review_column_gives_each_review_its_type_and_re_imports_change_nothing(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime, tmp_path: Path
) -> None:
    rows = [
        ["Review", "Type of review", "What will be done", "Who", "By when"],
        ["Child M", "Rapid Review", "Share the safety plan", "Jo Evans", "31/03/2027"],
        ["Child M", "", "Audit missing episodes", "Jo Evans", "30/04/2027"],
        ["Neglect audit", "Multi-Agency Audit", "Refresh the toolkit", "", "31/05/2027"],
        ["Neglect audit", "Single Agency Audit", "Re-audit in six months", "", "30/06/2027"],
    ]
    index = parse_file(write_csv(tmp_path / "plan.csv", rows), today=TODAY)
    assert index.columns is not None and index.columns.mapped["Type of review"] == "review_type"
    assert [(r.name, r.type) for r in index.reviews] == [
        ("Child M", "Rapid Review"),
        ("Neglect audit", "Multi-Agency Audit"),
    ]
    assert any(w.startswith("row 5: the type of review") for w in index.warnings)
    assert [len(r.activities) for r in index.reviews] == [2, 2]
    with session_factory.begin() as s:
        store_index(s, index, now=now, source_name="plan.csv")
    with session_factory.begin() as s:
        again = store_index(
            s, parse_file(tmp_path / "plan.csv", today=TODAY), now=now, source_name="plan.csv"
        )
    assert not again.changed and again.actions_unchanged == 4


def test_sheets_headed_differently_are_each_reported_with_their_own_columns(
    tmp_path: Path,
) -> None:
    from importer.summary import describe

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Child H"
    first.append(["What will be done", "Who", "By when", "Comments"])
    first.append(["Write to all GPs", "Priya Shah", "31/01/2027", "sent"])
    second = book.create_sheet("Neglect audit")
    second.append(["Specific actions", "Lead", "Timescale", "Colour"])
    second.append(["Repeat the audit", "Gary Lloyd", "30/06/2027", "pink"])
    path = tmp_path / "plans.xlsx"
    book.save(path)
    index = parse_file(path, today=TODAY)
    assert index.columns is not None
    assert index.columns.by_sheet["Child H"][0]["Comments"] == "progress"
    assert index.columns.by_sheet["Neglect audit"][1] == ["Colour"]
    text = "\n".join(describe(index, None, True))
    assert "Sheet “Child H”: columns mapped: What will be done → action" in text
    assert "Sheet “Neglect audit”: columns mapped: Specific actions → action" in text
    assert "ignored: Colour." in text


def test_one_sheet_named_after_its_review_gives_the_review_and_its_type_and_an_earlier_import_is_found(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime, tmp_path: Path
) -> None:
    def workbook(sheet_name: str) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = sheet_name
        sheet.append(["Child P: multi-agency action plan"])
        sheet.append(["", "Action plan", "", "Monitoring"])  # group headings over the header
        sheet.append(["Action", "Lead Officer", "Target Date", "RAG Status"])
        sheet.append(["Revise the neglect strategy", "Priya Shah", "31/03/2027", "G"])
        sheet.append(["Launch the graded care profile", "Tom Reilly", "30/09/2027", "A"])
        path = tmp_path / "plan.xlsx"
        book.save(path)
        return path

    # Read once as a workbook whose one sheet has a generic name: the review is the file's.
    with session_factory.begin() as s:
        first = store_index(
            s, parse_file(workbook("Sheet1"), today=TODAY), now=now, source_name="plan.xlsx"
        )
    assert first.actions_created == 2
    index = parse_file(workbook("SCR Child P"), today=TODAY)
    [review] = index.reviews
    assert (review.name, review.type) == ("SCR Child P", "Serious Case Review")
    assert review.overview == "Child P: multi-agency action plan"  # no group headings
    assert index.columns is not None and index.columns.review_from == "the sheet's name"
    with session_factory.begin() as s:
        again = store_index(s, index, now=now, source_name="plan.xlsx")
    # The same review and actions, found under the name they were read under before.
    assert again.actions_created == 0 and again.reviews_created == 0
    assert again.actions_unchanged == 2
    with session_factory() as s:
        from models.schema import Review

        [stored] = s.scalars(select(Review)).all()
        assert (stored.name, stored.type) == ("SCR Child P", "Serious Case Review")


def test_quarters_as_targets_and_cells_that_give_no_date_or_no_owner(tmp_path: Path) -> None:
    rows = [
        ["What will be done", "Who", "By when"],
        ["Refresh the toolkit", "Jo Evans", "Q3 2026/27"],
        ["Audit strategy meetings", "Jo Evans", "by Q4 2026-27"],
        ["Seven minute briefing", "TBC", "ongoing"],
        ["Escalation policy", "-", "-"],
        ["Training for GPs", "Jo Evans", "Q3 2026/28"],
    ]
    index = parse_file(write_csv(tmp_path / "plan.csv", rows), today=TODAY)
    toolkit, audit, briefing, policy, gps = index.reviews[0].activities
    assert toolkit.due_date == date(2026, 12, 31)  # Q3 of 2026/27 ends in December
    assert audit.due_date == date(2027, 3, 31)
    assert briefing.owner is None and briefing.due_date is None
    assert policy.owner is None and policy.due_date is None
    assert gps.due_date is None
    said = "\n".join(index.warnings)
    assert "row 4: the owner says “TBC”, which names no one" in said
    assert "row 4: the target date says “ongoing”, which is not a date" in said
    assert "row 5: the owner says “-”" in said
    assert "row 6: the target date" in said and "not a real date" in said


def test_an_owner_with_their_agency_in_brackets_and_numbered_recommendations(
    tmp_path: Path,
) -> None:
    rows = [
        ["Recommendation", "Action(s)", "Lead", "Timescale"],
        ["1. Share information at referral", "Agree a protocol", "Angela Moss (Police)", "Jun-27"],
        ["1. Share information at referral", "Audit the protocol", "Gary Lloyd", "Completed"],
    ]
    index = parse_file(write_csv(tmp_path / "plan.csv", rows), today=TODAY)
    [review] = index.reviews
    assert [(f.number, f.text) for f in review.findings] == [("1", "Share information at referral")]
    protocol, audit = review.activities
    assert (protocol.owner, protocol.lead_agency) == ("Angela Moss", "Police")
    assert protocol.due_date == date(2027, 6, 30)  # a month as a spreadsheet shows it
    assert protocol.findings == audit.findings == ["Share information at referral"]
    assert audit.due_date is None
    assert any("row 3: the target date says “Completed”" in w for w in index.warnings)


def test_cells_merged_down_over_several_rows_belong_to_each_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Review", "Recommendation", "Action", "Lead", "Target date"])
    sheet.append(["Child M", "1. Share plans", "Send plans to schools", "Jo Evans", "31/03/2027"])
    sheet.append([None, None, "Audit the plans", "Tom Reilly", "30/06/2027"])
    sheet.append([None, "2. Supervision", "Add prompts", "Priya Shah", "31/05/2027"])
    sheet.append(["Neglect audit", "1. Use GCP2", "Train staff", "Gary Lloyd", "31/07/2027"])
    sheet.merge_cells("A2:A4")  # the review beside each of its actions
    sheet.merge_cells("B2:B3")  # one recommendation answered by two actions
    path = tmp_path / "merged.xlsx"
    book.save(path)
    child, audit = parse_file(path, today=TODAY).reviews
    assert child.name == "Child M" and len(child.activities) == 3
    assert [a.findings for a in child.activities] == [
        ["Share plans"],
        ["Share plans"],
        ["Supervision"],
    ]
    assert audit.name == "Neglect audit" and [a.text for a in audit.activities] == ["Train staff"]


def test_a_header_word_broken_across_a_narrow_cells_lines_is_read_whole() -> None:
    from importer.parse_sheet import match_header

    assert match_header("Recommend ation") == "recommendation"
    assert match_header("Tar get date") == "due"
    assert match_header("Colour") is None


def test_status_words_trackers_use_for_how_an_action_is_going(tmp_path: Path) -> None:
    rows = [
        ["Action", "Owner", "Deadline", "Status"],
        ["Refresh the escalation policy", "Jo Evans", "31/01/2027", "Overdue"],
        ["Seven minute briefing", "Jo Evans", "28/02/2027", "Not due"],
        ["Neglect toolkit relaunch", "Jo Evans", "31/03/2027", "Amber/Green"],
        ["Audit strategy meetings", "Jo Evans", "31/03/2027", "Slipping"],
    ]
    index = parse_file(write_csv(tmp_path / "plan.csv", rows), today=TODAY)
    ratings = [a.rating for a in index.reviews[0].activities]
    assert ratings == ["off_track", None, "at_risk", "at_risk"]
    assert not any("status could not be read" in w for w in index.warnings)
