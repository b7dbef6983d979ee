"""The /lscb grammar: forgiving of case and spacing, and every mistake answered with the form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import commands as c


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", c.Help()),
        ("  HELP  ", c.Help()),
        ("help due", c.Help("due")),
        ("actions", c.ListActions()),
        ("Actions   OVERDUE", c.ListActions(scope="overdue")),
        ("actions mine share", c.ListActions(scope="mine", share=True)),
        (
            "actions due <@U0DESNURS|priya> committee qaec",
            c.ListActions(scope="due", person="U0DESNURS", committee="QAEC"),
        ),
        (
            "actions <#C0QAEC|lscb-qaec> review R-3",
            c.ListActions(channel=c.Channel("C0QAEC", "lscb-qaec"), review="R-3"),
        ),
        ('actions review "Child A"', c.ListActions(review="Child A")),
        ("show a12", c.Show("A-12")),
        ("show A - 12 share", c.Show("A-12", share=True)),
        ("update A-12 in progress met the team", c.Update("A-12", "in-progress", "met the team")),
        ("update A-12 AT-RISK", c.Update("A-12", "at-risk")),
        ("update a-3 off_track staff left", c.Update("A-3", "off-track", "staff left")),
        ("note A-12 Met with schools", c.Note("A-12", "Met with schools")),
        (
            "done A-12 Guidance issued, see intranet",
            c.Done("A-12", "Guidance issued, see intranet"),
        ),
        ("signoff A-12 audit shows use", c.SignOff("A-12", "audit shows use")),
        ("sign off A-12 audit shows use", c.SignOff("A-12", "audit shows use")),
        ("reopen A-12 evidence missing", c.Reopen("A-12", "evidence missing")),
        ("due A-12 31/03/2027 waiting for panel", c.Due("A-12", "31/03/2027 waiting for panel")),
        ("assign A-12 <@U0NEW|nia>", c.Assign("A-12", "U0NEW")),
        ("assign A-12 <@U0NEW> committee pdc", c.Assign("A-12", "U0NEW", "PDC")),
        ('assign A-3 "Bernadette Quinn"', c.Assign("A-3", None, None, "Bernadette Quinn")),
        ("assign A-3 Bernadette Quinn", c.Assign("A-3", None, None, "Bernadette Quinn")),
        (
            "assign A-3 “Bernadette Quinn” committee QAEC",
            c.Assign("A-3", None, "QAEC", "Bernadette Quinn"),
        ),
        ("assign A-3 committee PDC", c.Assign("A-3", None, "PDC")),
        ("cancel A-7 duplicate of A-6", c.Cancel("A-7", "duplicate of A-6")),
        ("edit a12 Train all staff", c.Edit("A-12", "Train all staff")),
        ("merge A-24 into A-28 same work", c.Merge("A-24", "A-28", "same work")),
        ("merge a24 into a 28 same work", c.Merge("A-24", "A-28", "same work")),
        ("add", c.Add()),
        ("add review R-2 committee QAEC Audit the audit", c.Add("R-2", "QAEC", "Audit the audit")),
        ("add Write the leaflet", c.Add(text="Write the leaflet")),
        ("reviews", c.Reviews()),
        ("reviews serious case review", c.Reviews("serious case review")),
        ("review r3", c.ShowReview("R-3")),
        ("review LSCR 1402 share", c.ShowReview("LSCR 1402", share=True)),
        ("digest", c.Digest()),
        ("digest committee cse", c.Digest("CSE")),
        ("digest QAEC", c.Digest("QAEC")),
        ("report", c.Report("xlsx")),
        ("report CSV", c.Report("csv")),
        ("report paper", c.Report("paper")),
        ("report board paper", c.Report("paper")),
        ("report docx", c.Report("paper")),
        ("measure A-12 re-audit 20 referrals", c.Measure("A-12", "re-audit 20 referrals")),
        (
            "signoff A-12 review in 6 months",
            c.SignOff("A-12", "review in 6 months", "in 6 months"),
        ),
        (
            "signoff A-12 re-audit on 31/03/2027",
            c.SignOff("A-12", "re-audit on 31/03/2027", "31/03/2027"),
        ),
        ("impact A-12 referrals up a fifth", c.Impact("A-12", "referrals up a fifth")),
        ("impact A-12 review end of June", c.Impact("A-12", "review end of June", "end of June")),
    ],
)
def test_reads_every_subcommand(text: str, expected: c.Command) -> None:
    assert c.parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "says", "form"),
    [
        ("frobnicate", "don't know the command", None),
        ("acitons", "Did you mean `/lscb actions`", None),
        ("show", "needs an action reference", "/lscb show A-12"),
        ("show B-12", "not an action reference", "/lscb show A-12"),
        ("update A-12 fine", "not a status", "/lscb update A-12"),
        ("update A-12", "Say how A-12 is going", "/lscb update A-12"),
        ("note A-12", "A progress note is needed", "/lscb note A-12"),
        ("done A-12", "Evidence of completion", "/lscb done A-12"),
        ("reopen A-12", "reason", "/lscb reopen A-12"),
        ("due A-12", "new date", "/lscb due A-12"),
        ("assign A-12 @jane", "Pick the person", "/lscb assign"),
        ("assign A-12", "Who will own A-12", "/lscb assign"),
        ("merge A-24 A-28", "reason for merging A-24 into A-28", "/lscb merge"),
        ("merge A-24 into", "which action A-24 duplicates", "/lscb merge"),
        ("cancel A-3", "reason for cancelling is needed for A-3", "/lscb cancel"),
        ("edit A-3", "new wording is needed for A-3", "/lscb edit"),
        ('assign A-3 <@U0NEW> "Jo Bloggs"', "one owner", "/lscb assign"),
        ("actions overdue due", "Choose one", "/lscb actions"),
        ("actions @jane", "Pick the person", "/lscb actions"),
        ("actions wibble", "don't understand", "/lscb actions"),
        ("actions committee", "needs a committee code", "/lscb actions"),
        ("actions <#C1|x> committee QAEC", "not both", "/lscb actions"),
        ("review", "Which review", "/lscb review REF"),
        ("report pdf", "xlsx, csv or paper", "/lscb report"),
        ("measure A-12", "How we will know it worked", "/lscb measure"),
        ("impact A-12", "evidence of impact", "/lscb impact"),
        ("signoff A-12", "needs its evidence of impact, or a date to review it", None),
        ("sign off a12 review", "When should the impact of A-12 be reviewed", None),
        ("signoff A-12 re-audit on", "When should the impact of A-12 be reviewed", None),
        ("digest one two", "don't understand", "/lscb digest"),
    ],
)
def test_mistakes_say_what_was_wrong_and_show_the_form(
    text: str, says: str, form: str | None
) -> None:
    with pytest.raises(c.CommandError) as raised:
        c.parse_command(text)
    assert says in raised.value.message
    if form:
        assert raised.value.usage and raised.value.usage.startswith(form)
        assert form in str(raised.value)


def test_help_lists_every_subcommand() -> None:
    text = c.help_text()
    for form in c.USAGE.values():
        assert form in text
    assert "`/lscb signoff A-12 review <date>`" in text


@pytest.mark.parametrize("text", ["signoff A-12", "signoff A-12 review", "signoff A-12 check:"])
def test_a_sign_off_with_neither_evidence_nor_a_date_shows_both_forms(text: str) -> None:
    with pytest.raises(c.CommandError) as raised:
        c.parse_command(text)
    said = str(raised.value)
    assert "`/lscb signoff A-12 <evidence of impact>`" in said
    assert "`/lscb signoff A-12 review <date>`" in said
    assert "Nothing was changed" in said


def test_help_on_signoff_gives_both_forms() -> None:
    text = c.help_text("signoff")
    assert "<evidence of impact>" in text and "review <date>" in text


WORDS = st.sampled_from(
    [
        *c.USAGE,
        "A-12",
        "a1",
        "R-3",
        "<@U0DESNURS|priya>",
        "<@U1>",
        "<#C0QAEC|qaec>",
        "@jane",
        "#qaec",
        "committee",
        "review",
        "share",
        "in progress",
        "off-track",
        "31/03/2027",
        "next Friday",
        "QAEC",
        "xlsx",
        '"',
        "“",
        "<",
        ">",
        "|",
        "`",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=8).map(" ".join),
)


@settings(max_examples=10_000, deadline=None)
@given(TEXTS)
def test_any_text_is_a_command_or_a_helpful_error(text: str) -> None:
    try:
        command = c.parse_command(text)
    except c.CommandError as e:
        assert e.message.strip()
        assert "Traceback" not in str(e)
    else:
        assert isinstance(command, c.Command.__args__)  # type: ignore[attr-defined]
