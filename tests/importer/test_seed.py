"""The seed index, read as text: every rule the issue lists, pinned against the seed itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from importer.model import ParsedIndex, ParsedReview
from importer.parse_text import parse_text, parse_text_content

SEED_CANDIDATES = [
    Path(__file__).resolve().parents[2] / "examples/learning-and-improvement-index.txt",
    Path(__file__).resolve().parents[3]
    / "shared/reference/seed/learning-and-improvement-index.txt",
    Path("/work/shared/reference/seed/learning-and-improvement-index.txt"),
]
SEED = next((p for p in SEED_CANDIDATES if p.exists()), SEED_CANDIDATES[0])


@pytest.fixture(scope="module")
def seed() -> ParsedIndex:
    return parse_text(SEED)


def review(index: ParsedIndex, name: str) -> ParsedReview:
    (found,) = [r for r in index.reviews if r.name == name]
    return found


def test_seed_has_fourteen_reviews_and_43_activities(seed: ParsedIndex) -> None:
    assert len(seed.reviews) == 14
    assert sum(len(r.activities) for r in seed.reviews) == 43
    assert [len(r.activities) for r in seed.reviews] == [1, 1, 1, 4, 6, 5, 3, 2, 3, 5, 4, 4, 2, 2]


def test_empty_template_entry_is_skipped(seed: ParsedIndex) -> None:
    assert all(r.name for r in seed.reviews)
    assert any("empty entry" in w for w in seed.warnings)
    assert seed.reviews[4].name == "Child A (Alex)"
    assert seed.reviews[4].section == "Learning from Reviews (including Serious Case Reviews)"


def test_type_and_name_on_one_line(seed: ParsedIndex) -> None:
    first = seed.reviews[0]
    assert (first.type, first.name) == (
        "Audit",
        "LSCB Application of LSCB Levels of Need at the Front Door",
    )
    assert first.date_text == "Report to LSCB NOVEMBER 2016"
    assert first.month == date(2016, 11, 1)
    assert review(seed, "Child C (Chris)").type == "Serious Case Review"


def test_wrapped_name_and_wrapped_type(seed: ParsedIndex) -> None:
    ofsted = seed.reviews[3]
    assert ofsted.type == "Ofsted"
    assert (
        ofsted.name
        == "Thematic Inspection - In the Child’s Time: Professional Responses to Neglect"
    )
    child_n = review(seed, "Child N")
    assert child_n.type == "Serious Case Review (Lancashire SCB* supported by LSCB agencies)"
    assert child_n.month == date(2015, 5, 1)


def test_cdop_and_performance_entries_use_source_and_period(seed: ParsedIndex) -> None:
    cdop, perf = seed.reviews[12], seed.reviews[13]
    assert (cdop.type, cdop.name, cdop.date_text) == ("CDOP", "Merseyside CDOP", "2015/16")
    assert perf.type == "Performance Management"
    assert perf.name == "LSCB Priority Leads (Ref: LSCB annual Report 2015/16)"
    assert perf.date_text == "2015/16"
    assert [a.text for a in cdop.activities] == [
        "CDOP Briefing sessions delivered",
        "Safer sleeping sessions delivered 2015/16",
    ]


def test_numbered_lines_without_findings_heading_are_findings(seed: ParsedIndex) -> None:
    john = review(seed, "LCIR 1310 (Child known as John)")
    assert [f.number for f in john.findings] == ["1", "2", "3"]
    assert john.findings[0].text.startswith("Multi-Agency Professionals can work together")
    assert john.overview.startswith("Death of a three year old child.")
    assert "1. Multi-Agency" not in john.overview


def test_lost_bullets_leading_space_starts_an_item(seed: ParsedIndex) -> None:
    child_a = review(seed, "Child A (Alex)")
    assert child_a.activities[0].text == (
        "Learning incorporated into LSCB multi-agency Learning from Review Sessions and case study "
        "used at two day Working Together Training (Induction). (See LSCB Multi Agency Learning & "
        "Improvement opportunities calendar)."
    )
    assert child_a.activities[5].text.startswith("Review activity captured")


def test_lower_case_line_continues_across_blank_lines(seed: ParsedIndex) -> None:
    main = seed.reviews[0].findings[0]
    assert main.text.endswith(
        "Of the 19 referrals who did not use the guidance the agencies concerned were NSPCC, Health and Police"
    )
    mary = review(seed, "LSCR 1402 (Child known as Mary)")
    assert mary.activities[1].text.endswith("Learning & Improvement opportunities calendar)")


def test_block_without_markers_makes_each_sentence_start_an_item(seed: ParsedIndex) -> None:
    ofsted = seed.reviews[3]
    assert [a.text for a in ofsted.activities] == [
        "Liverpool Neglect Strategy",
        "LSCB Multi-Agency Neglect Learning & improvement Session developed and delivered "
        "(See LSCB Multi Agency Learning & Improvement opportunities calendar)",
        "Neglect as LSCB Priority 2014-2016",
        "Relevant Single Agency Learning Activities",
    ]
    child_n = review(seed, "Child N")
    assert [a.text for a in child_n.activities][1] == "SCR Newsletter Child N widely disseminated"
    cdop = seed.reviews[12]
    assert len(cdop.findings) == 8
    # "6 of 19 …" and "Helens …" carry on the wrapped line above; they do not start items.
    assert "20 of the 57 neonatal and 6 of 19 infant deaths" in cdop.findings[1].text
    assert "Liverpool and St Helens had the greater number" in cdop.findings[4].text


def test_superscript_ordinal_is_joined(seed: ParsedIndex) -> None:
    event = review(seed, "Child C (Chris)").activities[1]
    assert event.text.endswith("taking place 1st February 2017.")
    assert not event.delivered


def test_findings_numbering_forms(seed: ParsedIndex) -> None:
    neglect = review(seed, "LSCB Neglect Audit")
    assert [f.number for f in neglect.findings] == [str(n) for n in range(1, 9)]
    assert neglect.findings[4].text.startswith("In some of the cases practitioners")
    assert neglect.findings[7].text.startswith("There was evidence of good information sharing")


def test_numbered_item_with_closing_bracket() -> None:
    index = parse_text_content(
        "Type of Review: Audit Name: X\nDate: May 2020\nSummary of Findings / Learning:\n"
        "1) First point.\n2) Second point.\nImprovement Activity:\n Do a thing.\n"
    )
    assert [(f.number, f.text) for f in index.reviews[0].findings] == [
        ("1", "First point."),
        ("2", "Second point."),
    ]


def test_section_headings_inside_findings_are_text_not_findings(seed: ParsedIndex) -> None:
    front = seed.reviews[0]
    texts = [f.text for f in front.findings]
    assert len(front.findings) == 26
    assert "Findings" not in texts
    assert not any(t.startswith("Quality and timeliness") for t in texts)
    assert front.findings[7].heading == "Quality and timeliness of the referral"
    assert front.findings[18].number == "1" and front.findings[18].heading == "Findings"
    # The unnumbered paragraph under finding 7 stays with it.
    assert "each agency has a set agency e-mail address" in front.findings[24].text
    family_m = review(seed, "Family M")
    assert len(family_m.findings) == 16
    assert {f.heading for f in family_m.findings} == {
        "Child Sexual Abuse and Sexual Exploitation",
        "The Effectiveness of Multi-agency Practice and Action Regarding the Children’s neglect.",
        "Episodes of Care Planning",
    }


def test_running_footer_is_dropped_mid_sentence(seed: ParsedIndex) -> None:
    cdop = seed.reviews[12]
    incidence = cdop.findings[3].text
    assert "had a life limiting condition." in incidence
    assert all("http" not in f.text for r in seed.reviews for f in r.findings)


def test_page_numbers_and_repeated_headers_are_dropped() -> None:
    header = "LSCB Learning and Improvement Index 2016"
    text = (
        "Learning from Audit\n\nType of Review: Audit Name: Sample\nDate: June 2016\n"
        "Summary of Findings / Learning:\n1. The first finding runs on to the very end of this particular line and "
        "carries\nPage 2 of 7\n"
        f"{header}\n"
        "on after the page break.\n2. Second.\nImprovement Activity:\n Thing one delivered.\n"
        f"12\n{header}\n Thing two to be agreed.\n"
    )
    index = parse_text_content(text)
    (r,) = index.reviews
    assert r.findings[0].text.endswith("carries on after the page break.")
    assert [a.text for a in r.activities] == ["Thing one delivered.", "Thing two to be agreed."]


def test_confidential_when_details_cannot_be_shared(seed: ParsedIndex) -> None:
    assert review(seed, "Child A (Alex)").confidential
    assert review(seed, "Child C (Chris)").confidential
    assert not review(seed, "Child N").confidential


def test_delivered_activities(seed: ParsedIndex) -> None:
    child_a = review(seed, "Child A (Alex)")
    assert [a.delivered for a in child_a.activities] == [True] * 6
    family_m = review(seed, "Family M")
    assert [a.delivered for a in family_m.activities] == [False, False, True]
    front = seed.reviews[0].activities[0]
    assert not front.delivered


def test_committee_named_in_text(seed: ParsedIndex) -> None:
    assert (
        seed.reviews[0].activities[0].committee == "LSCB Quality & Audit Evidence Committee (QAEC)"
    )
    assert seed.reviews[1].activities[0].committee == "LSCB Professional Development Committee"
    assert seed.reviews[2].activities[0].committee == "LSB CSE Sub Group"


def test_owner_and_due_statement() -> None:
    index = parse_text_content(
        "Type of Review: Rapid Review Name: Child Z\nDate: Report to LSCP March 2021\n"
        "Summary of Findings / Learning:\n1. Something.\nImprovement Activity:\n"
        " Refresh the bruising protocol (Owner: Designated Nurse; Due: 31/12/2020)\n"
        " Audit repeat referrals, reporting to the L & I Group (Lead agency: Police; Target date: 3 March 2021)\n"
    )
    first, second = index.reviews[0].activities
    assert first.owner == "Designated Nurse"
    assert first.due_date == date(2020, 12, 31)
    assert first.text == "Refresh the bruising protocol"
    assert second.lead_agency == "Police" and second.due_date == date(2021, 3, 3)
    assert second.committee == "L & I Group"
