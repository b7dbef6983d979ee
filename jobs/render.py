"""Block Kit for notices: pure functions from rows to message parts.

A notice is one or more parts (`{"text", "blocks"}`): the first is posted, the rest continue it
in a thread, so no message passes Slack's limits (50 blocks, 3000 characters a section). Buttons
carry the shared ids of `bot.ids` with the action's reference as value, so the Slack surface
answers them. In channels, actions of confidential reviews appear by reference only.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.ids import (
    BUTTON_DONE,
    BUTTON_DUE,
    BUTTON_IMPACT,
    BUTTON_IMPACT_REVIEW,
    BUTTON_REOPEN,
    BUTTON_SHOW,
    BUTTON_SIGNOFF,
    BUTTON_UPDATE,
)
from jobs.attachments import chart_spec, paper_spec
from models import digest
from models.brag import BRAG_ORDER, Brag, BragResult, BragRules
from models.calendar import local_date

if TYPE_CHECKING:
    from jobs.snapshot import ActionRow, CommitteeRow, PastNotice, ReminderItem, Snapshot

log = logging.getLogger(__name__)

Block = dict[str, Any]
Part = dict[str, Any]

MAX_BLOCKS = 50
PART_BLOCKS = 48  # leaves room for the "continued" line
SECTION_CHARS = 2900  # under Slack's 3000 per section text
TEXT_CHARS = 140  # an action's text as shown in a list


_MRKDWN_RESERVED = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def esc(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    if "&" in text or "<" in text or ">" in text:
        return text.translate(_MRKDWN_RESERVED)
    return text


def short(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


_BUTTONS = (("Update", BUTTON_UPDATE), ("Done", BUTTON_DONE), ("Change date", BUTTON_DUE))


def buttons(ref: str) -> Block:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": label},
                "action_id": action_id,
                "value": ref,
            }
            for label, action_id in _BUTTONS
        ],
    }


def action_line(a: ActionRow, detail: str, *, in_channel: bool) -> str:
    """One action as a line; in a channel a confidential review's action shows only its ref."""
    if in_channel and a.confidential:
        return f"• *{a.ref}* (confidential review) — {esc(detail)}"
    return f"• *{a.ref}* {esc(short(a.text))} — {esc(detail)}"


# In a channel, who owns a confidential review's action is not said (it can identify the case).
OWNER_ON_FILE = "owner on file with the business unit"


def owner_text(a: ActionRow, *, in_channel: bool, none: str = "no owner") -> str:
    """The owner's name, or in a channel for a confidential action only that there is one."""
    if in_channel and a.confidential:
        return OWNER_ON_FILE if a.owner_id is not None else none
    return a.owner_name or none


def due_text(a: ActionRow) -> str:
    return _due_text(a.due_date) if a.due_date else "no due date"


@lru_cache(maxsize=4096)
def _due_text(day: date) -> str:
    return f"due {day:%d/%m/%Y}"


def paginate(units: Sequence[Sequence[Block]], title: str) -> list[Part]:
    """Split blocks into messages of at most 50 blocks; units are never split."""
    parts: list[list[Block]] = [[]]
    for unit in units:
        if parts[-1] and len(parts[-1]) + len(unit) > PART_BLOCKS:
            parts.append([])
        parts[-1].extend(unit)
    out: list[Part] = []
    for i, blocks in enumerate(parts):
        if len(parts) > 1:
            blocks = [*blocks, context(f"Part {i + 1} of {len(parts)}")]
        text = title if i == 0 else f"{title} (continued, {i + 1} of {len(parts)})"
        out.append({"text": text, "blocks": blocks})
    return out


def list_blocks(title: str, lines: Sequence[str], empty: str | None = None) -> list[list[Block]]:
    """A titled list as sections of at most ~2900 characters each (one unit per section)."""
    if not lines:
        return [[section(f"*{title}*\n{empty}")]] if empty else []
    units: list[list[Block]] = []
    chunk = f"*{title} ({len(lines)})*"
    for line in lines:
        if len(chunk) + 1 + len(line) > SECTION_CHARS:
            units.append([section(chunk)])
            chunk = f"*{title} (continued)*"
        chunk += "\n" + line
    units.append([section(chunk)])
    return units


# ---------------------------------------------------------------- reminders


def owner_reminder(items: Sequence[ReminderItem]) -> list[Part]:
    n = len(items)
    units: list[list[Block]] = [
        [
            section(
                f":bell: *{n} action{'s' if n != 1 else ''} need{'s' if n == 1 else ''} "
                "your attention today*"
            )
        ]
    ]
    for i in items:
        a = i.action
        units.append(
            [
                section(f"*{a.ref}* {esc(short(a.text, 600))}\n{due_text(a)} — {esc(i.reason)}"),
                buttons(a.ref),
            ]
        )
    return paginate(units, f"Reminder: {n} action{'s' if n != 1 else ''} need your attention")


def channel_reminder(items: Sequence[ReminderItem]) -> list[Part]:
    """Owners who are not in Slack, named in their committee's channel."""
    by_owner: dict[str, list[ReminderItem]] = defaultdict(list)
    for i in items:
        # A confidential action's owner is not named here: it goes under one neutral heading.
        owner = owner_text(i.action, in_channel=True, none="Unknown owner")
        by_owner[owner[:1].upper() + owner[1:]].append(i)
    units: list[list[Block]] = [
        [section(":bell: *Reminders for owners who are not in Slack* — please pass them on.")]
    ]
    for owner, its in sorted(by_owner.items()):
        lines = [
            action_line(i.action, f"{due_text(i.action)}, {i.reason}", in_channel=True) for i in its
        ]
        units.extend(list_blocks(f"For {esc(owner)}", lines))
    return paginate(units, f"Reminders for {len(by_owner)} owners not in Slack")


# ---------------------------------------------------------------- escalations


def _overdue_detail(a: ActionRow, r: BragResult, *, in_channel: bool = False) -> str:
    owner = owner_text(a, in_channel=in_channel, none="-")
    owner = owner if owner == OWNER_ON_FILE else f"owner {owner}"
    return f"{due_text(a)}, {r.working_days_overdue} working days overdue, {owner}"


def chair_escalation(
    items: Sequence[tuple[ActionRow, BragResult, Any]], snap: Snapshot, now: datetime
) -> list[Part]:
    """A direct message to a chair (or an admin standing in for a committee with no chair in
    Slack): the actions overdue more than 10 working days, by committee, with buttons."""
    n = len(items)
    units: list[list[Block]] = [
        [
            section(
                f":rotating_light: *{n} action{'s' if n != 1 else ''} overdue by more than "
                "10 working days*"
            )
        ]
    ]
    by_committee: dict[int | None, list[tuple[ActionRow, BragResult]]] = defaultdict(list)
    for a, r, _ in items:
        by_committee[a.committee_id].append((a, r))

    def committee_order(committee_id: int | None) -> str:
        return _committee_code(snap, committee_id) if committee_id else "~"

    for committee_id in sorted(by_committee, key=committee_order):
        c = snap.committees.get(committee_id) if committee_id else None
        if c is None:
            heading = "*No committee* — give these an accountable committee"
        elif c.chairs:
            heading = f"*{esc(c.code)}* {esc(c.name)}"
        else:
            heading = f"*{esc(c.code)}* {esc(c.name)} — no chair in Slack, so the admins hear"
        lead: list[Block] = [section(heading)]  # kept with the first action, never alone
        for a, r in sorted(by_committee[committee_id], key=lambda x: x[0].number):
            units.append(
                [
                    *lead,
                    section(f"*{a.ref}* {esc(short(a.text, 600))}\n{esc(_overdue_detail(a, r))}"),
                    # The chair's own buttons: the card, with what the chair may do.
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "Open"},
                                "action_id": BUTTON_SHOW,
                                "value": a.ref,
                            }
                        ],
                    },
                ]
            )
            lead = []
    return paginate(units, f"Escalation: {n} actions overdue by more than 10 working days")


def board_escalation(
    items: Sequence[tuple[ActionRow, BragResult, Any]],
    snap: Snapshot,
    now: datetime,
    new: Iterable[str] = (),
) -> list[Part]:
    """The board's weekly round-up: every action overdue more than 30 working days, soonest due
    first; those escalated for the first time this week are marked new."""
    n = len(items)
    fresh = set(new)
    lines = [
        action_line(
            a,
            f"{_committee_code(snap, a.committee_id)}, {_overdue_detail(a, r, in_channel=True)}"
            + (", new this week" if a.ref in fresh else ""),
            in_channel=True,
        )
        for a, r, _ in sorted(items, key=lambda x: (x[0].due_date or date.max, x[0].number))
    ]
    units = [
        [
            section(
                f":rotating_light: *{n} action{'s' if n != 1 else ''} overdue by more than "
                "30 working days*"
            )
        ],
        *list_blocks("Escalated to the board", lines),
    ]
    return paginate(units, f"Escalation: {n} actions overdue by more than 30 working days")


def _committee_code(snap: Snapshot, committee_id: int | None) -> str:
    c = snap.committees.get(committee_id) if committee_id else None
    return c.code if c else "no committee"


# ---------------------------------------------------------------- digests


def brag_counts_text(
    results: Iterable[BragResult], rules: BragRules, before: Counter[Brag] | None = None
) -> str:
    """Counts by BRAG, in the board's own names; `before`: signed off long ago, only counted."""
    counts = Counter(r.brag for r in results)
    counts.update(before or {})
    return brag_counts_text_from_counter(counts, rules)


def committee_digest(
    c: CommitteeRow, actions: Sequence[ActionRow], snap: Snapshot, since: datetime
) -> list[Part]:
    """What the chair acts on: counts by BRAG first, then each action once, in its most urgent
    section (models.digest), soonest due first. Nothing to report: one line."""
    rated = [(a, snap.brag(a)) for a in actions]
    sections: dict[str, list[tuple[ActionRow, BragResult]]] = defaultdict(list)
    for a, r in rated:
        moved = [m for m in snap.moves.get(a.id, ()) if m.at >= since]
        key = digest.section_of(a.status, a.owner_rating, r, a.signed_off_at, bool(moved), since)
        if key is not None:
            sections[key].append((a, r))
    today = local_date(snap.now)
    counts = brag_counts_text((r for _, r in rated), snap.rules, snap.old_signed_off.get(c.id))
    title = f"{c.code} weekly digest — {today:%d/%m/%Y}"
    impact = impact_review_units(c, snap)
    if not sections and not impact:
        line = f"*{esc(title)}*: nothing to report. {counts}"
        return [{"text": f"{c.code} weekly digest: nothing to report", "blocks": [section(line)]}]
    units: list[list[Block]] = [[header(title), section(counts)]]
    names = {
        "amber": snap.rules.amber_days,
        "drift": snap.rules.drift_days,
        "since": f"{local_date(since):%d/%m/%Y}",
    }
    for s in digest.SECTIONS:
        if s.key == digest.SIGNED:
            units += impact  # impact reviews due come before what was signed off
            impact = []
        rows = sorted(
            sections.get(s.key, ()), key=lambda x: (x[0].due_date or date.max, x[0].number)
        )
        if not rows:
            continue
        heading = s.title.format(**names)
        if s.key == digest.SIGNOFF:
            units += _signoff_units(heading, [a for a, _ in rows])
            continue
        lines = [
            action_line(a, _digest_detail(s.key, a, r, snap, since), in_channel=True)
            for a, r in rows
        ]
        units += list_blocks(heading, lines)
    units += impact
    return paginate(units, f"{c.code} weekly digest")


# ---------------------------------------------------------------- impact reviews


def impact_review_units(c: CommitteeRow, snap: Snapshot) -> list[list[Block]]:
    """The digest's "Impact reviews due": the committee's signed-off actions whose review day
    has come, until their impact is recorded (in the channel: confidential ones by reference)."""
    today = local_date(snap.now)
    lines = []
    for r in snap.impact_reviews:
        day = r.impact_review_on
        if r.committee_id != c.id or day is None or day > today:
            continue
        when = f"review {'was ' if day < today else ''}due {day:%d/%m/%Y}"
        if r.confidential:
            lines.append(f"• *{r.ref}* (confidential review) — {when}")
        else:
            measure = f"; measure: {esc(short(r.measure, 100))}" if r.measure else ""
            lines.append(f"• *{r.ref}* {esc(short(r.text))} — {when}{measure}")
    return list_blocks("Impact reviews due", lines)


def _impact_buttons(ref: str) -> Block:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": label},
                "action_id": action_id,
                "value": ref,
                **({"style": "primary"} if action_id == BUTTON_IMPACT else {}),
            }
            for label, action_id in (
                ("Record impact", BUTTON_IMPACT),
                ("Set a new review date", BUTTON_IMPACT_REVIEW),
            )
        ],
    }


def impact_review_notice(rows: Sequence[ActionRow], snap: Snapshot) -> list[Part]:
    """A chair's direct message on the review day: each action, how the board said it would
    know it worked, and the two buttons. Chairs and admins may see confidential actions."""
    today = local_date(snap.now)
    units: list[list[Block]] = [
        [
            header("Impact review due"),
            section(
                "Signed off with a date to check its impact: has it made the difference the "
                "board hoped for?"
                if len(rows) == 1
                else f"{len(rows)} signed-off actions are due a check of their impact."
            ),
        ]
    ]
    for r in rows:
        c = snap.committees.get(r.committee_id) if r.committee_id else None
        day = r.impact_review_on or today
        when = f"review {'was ' if day < today else ''}due {day:%d/%m/%Y}"
        text = f"*{r.ref}* {esc(short(r.text, 600))}\n_{when}{f' · {c.code}' if c else ''}_"
        if r.measure:
            text += f"\n*How we will know it worked:* {esc(short(r.measure, 1000))}"
        units.append([section(text), _impact_buttons(r.ref)])
    refs = ", ".join(r.ref for r in rows[:5]) + ("…" if len(rows) > 5 else "")
    return paginate(units, f"Impact review due: {refs}")


def board_paper_part(as_of: datetime, quarter: str) -> Part:
    """The board paper (Word) as a file in the summary's thread, made when it is sent."""
    title = f"Board paper: improvement actions, {quarter}"
    return {
        "text": f"{title} (Word document)",
        "blocks": [context(f"The board paper for {quarter}, ready to table.")],
        "file": {"filename": "board-paper.docx", "title": title, **paper_spec(as_of, quarter)},
    }


def _owner_of(a: ActionRow) -> str:
    return owner_text(a, in_channel=True)


def _note(a: ActionRow) -> str:
    if a.confidential:  # a channel sees a confidential review's action by reference only
        return "notes on file"
    return f"latest: “{short(a.latest_progress, 200)}”" if a.latest_progress else "no note yet"


def _digest_detail(key: str, a: ActionRow, r: BragResult, snap: Snapshot, since: datetime) -> str:
    """What a chair needs beside an action in each section (as of the day it is sent)."""
    today = local_date(snap.now)
    owner = _owner_of(a)
    if key == digest.CONCERN:
        rating = a.owner_rating.label if a.owner_rating else ""
        return f"{owner} says {rating}, {due_text(a)}; {_note(a)}"
    if key == digest.OVERDUE:
        days = (today - a.due_date).days if a.due_date else 0
        flag = ", escalated" if r.working_days_overdue > CHAIR_ESCALATION_WD else ""
        return f"{due_text(a)}, {days} days overdue{flag}, {owner}; {_note(a)}"
    if key == digest.DUE_SOON:
        return f"{_due_in_words(a, today)}, {owner}"
    if key == digest.MOVED:
        moves = [m for m in snap.moves.get(a.id, ()) if m.at >= since]
        if a.confidential:  # by reference only: the dates, not who or why
            return "; ".join(f"{_iso_uk(m.before)} → {_iso_uk(m.after)}" for m in moves)
        return "; ".join(
            f"{_iso_uk(m.before)} → {_iso_uk(m.after)} by {m.by}"
            + (f": “{short(m.note, 120)}”" if m.note else "")
            for m in moves
        )
    if key == digest.STALE:
        return f"last update {local_date(a.last_update_at):%d/%m/%Y}, {owner}"
    return owner


CHAIR_ESCALATION_WD = 10  # as jobs.owed: past this, an overdue action is flagged as escalated


def _iso_uk(value: str | None) -> str:
    return f"{date.fromisoformat(value):%d/%m/%Y}" if value else "no date"


def _due_in_words(a: ActionRow, today: date) -> str:
    """Due soon, said as of today; a weekend or bank-holiday date says when it counts from."""
    assert a.due_date is not None
    from models.brag import effective_deadline

    deadline = effective_deadline(a.due_date)
    text = due_text(a)
    if deadline != a.due_date:
        text += f" (counts from {deadline:%d/%m/%Y})"
    left = (deadline - today).days
    return text + (", today" if left == 0 else f", in {left} day{'s' if left != 1 else ''}")


def _signoff_units(heading: str, rows: Sequence[ActionRow]) -> list[list[Block]]:
    """Awaiting sign-off, each with Sign off / Reopen (the buttons check who presses them)."""
    units: list[list[Block]] = []
    lead: list[Block] = [section(f"*{heading} ({len(rows)})*")]
    for a in rows:
        units.append(
            [
                *lead,
                section(action_line(a, f"done, {_owner_of(a)}", in_channel=True)[2:]),
                chair_buttons(a.ref),
            ]
        )
        lead = []
    return units


def chair_buttons(ref: str) -> Block:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Sign off"},
                "action_id": BUTTON_SIGNOFF,
                "value": ref,
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Reopen"},
                "action_id": BUTTON_REOPEN,
                "value": ref,
            },
        ],
    }


def admin_digest(failed: Sequence[PastNotice], unassigned: Sequence[ActionRow]) -> list[Part]:
    units: list[list[Block]] = [[header("LSCB admin digest")]]
    units += list_blocks(
        "Notices Slack refused for good",
        [
            f"• {p.kind} to {esc(p.recipient)} ({esc(p.period)}): `{p.last_error or 'unknown'}`"
            for p in failed
        ],
        "None.",
    )
    units += list_blocks(
        "Actions to triage (no owner or no due date)",
        # A direct message to an admin, who may see every action: the text helps them triage.
        [
            action_line(a, "no owner" if a.owner_id is None else "no due date", in_channel=False)
            for a in unassigned
        ],
        "None.",
    )
    units.append(
        [
            context(
                "Give owners and dates with `/lscb assign A-12 @person` and `/lscb due A-12 <date>`; "
                "`lscb notices failed` lists refused notices."
            )
        ]
    )
    return paginate(units, "LSCB admin digest")


def public_quarter(period: str) -> str:
    """A calendar quarter key ("2026-Q4") as public bodies name it: April–June is Q1 of the
    financial year, so October–December 2026 is "Q3 2026/27"."""
    year, q = int(period[:4]), int(period[-1])
    fq, start = (q - 1, year) if q > 1 else (4, year - 1)
    return f"Q{fq} {start}/{(start + 1) % 100:02d}"


def board_summary(snap: Snapshot, period: str) -> list[Part]:
    """Counts by BRAG overall and per committee, as a table, then the BRAG-by-committee chart
    (a PNG made here) in the post's thread."""
    period = public_quarter(period)
    per: dict[str, Counter[Brag]] = defaultdict(Counter)
    total: Counter[Brag] = Counter()

    def code(committee_id: int | None) -> str:
        c = snap.committees.get(committee_id) if committee_id else None
        return c.code if c else "none"

    for a in snap.actions:
        b = snap.brag(a).brag
        total[b] += 1
        per[code(a.committee_id)][b] += 1
    for committee_id, old in snap.old_signed_off.items():
        total.update(old)
        per[code(committee_id)].update(old)
    # The table's columns are headed with the board's names for the ratings, each as wide as it.
    names = {b: snap.rules.label(b) for b in BRAG_ORDER}
    width = {b: max(6, len(names[b])) for b in BRAG_ORDER}
    head = esc("committee  " + " ".join(f"{names[b]:>{width[b]}}" for b in BRAG_ORDER))
    rows = [
        f"{code:<10} " + " ".join(f"{counts.get(b, 0):>{width[b]}}" for b in BRAG_ORDER)
        for code, counts in sorted(per.items())
    ]
    table_units: list[list[Block]] = []
    chunk: list[str] = [head]
    for row in rows:
        if sum(len(x) + 1 for x in chunk) + len(row) > SECTION_CHARS - 10:
            table_units.append([section("```" + "\n".join(chunk) + "```")])
            chunk = [head]
        chunk.append(row)
    table_units.append([section("```" + "\n".join(chunk) + "```")])
    units: list[list[Block]] = [
        [
            header(f"Board summary — {period}"),
            section(brag_counts_text_from_counter(total, snap.rules)),
        ],
        *table_units,
    ]
    parts = paginate(units, f"Board summary {period}")
    counts = {
        code: {b.value: n for b, n in counts.items() if n} for code, counts in sorted(per.items())
    }
    title = f"Actions by committee and BRAG rating, {period}"
    # The chart continues the thread: drawn from these counts when the summary is sent, its
    # legend in the board's names for the ratings where it renames them.
    legend = {b.value: names[b] for b in BRAG_ORDER} if snap.rules.labels else None
    parts.append(
        {
            "text": f"Board summary {period}: BRAG by committee (chart)",
            "blocks": [context(f"BRAG by committee, {period}")],
            "file": {
                "filename": "brag-by-committee.png",
                "title": title,
                **chart_spec(counts, title, legend),
            },
        }
    )
    return parts


def brag_counts_text_from_counter(counts: Counter[Brag], rules: BragRules) -> str:
    return "  ".join(f"{b.emoji} {esc(rules.label(b))} *{counts.get(b, 0)}*" for b in BRAG_ORDER)
