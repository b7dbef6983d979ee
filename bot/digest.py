"""A committee's digest: counts by BRAG, then overdue, due soon, awaiting sign-off, drift and
signed off since the last digest. Used by `/lscb digest` (a preview) and by the weekly job.

The digest goes to the committee's channel, so confidential reviews appear by reference only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks import (
    Block,
    action_line,
    brag_counts,
    context,
    escape,
    header,
    section,
    split_blocks,
    text_sections,
)
from models.brag import BragResult, BragRules
from models.calendar import local_date
from models.permissions import Actor
from models.queries import ActionFilter, list_actions
from models.schema import Action, Committee, Status

# Digests are rendered as for a channel: nobody in particular, details of confidential reviews hidden.
CHANNEL_READER = Actor(person_id=None, label="channel")


def _part(title: str, rows: Sequence[tuple[Action, BragResult]]) -> list[Block]:
    if not rows:
        return []
    lines = [f"*{title}* ({len(rows)})"]
    lines += [action_line(a, b, CHANNEL_READER, shared=True) for a, b in rows]
    return text_sections(lines)


def build_digest(
    session: Session,
    committee: Committee,
    now: datetime,
    rules: BragRules,
    since: datetime,
) -> list[Block]:
    """The digest's blocks, in order; longer than one message fits (see `digest_messages`)."""
    rows = list_actions(session, ActionFilter(committee_code=committee.code), now, rules)
    current = [(a, b) for a, b in rows if a.status not in (Status.SIGNED_OFF, Status.CANCELLED)]
    overdue = [(a, b) for a, b in current if b.overdue]
    due_soon = [(a, b) for a, b in current if b.due_soon and not b.overdue]
    awaiting = [(a, b) for a, b in current if b.awaiting_signoff]
    drift = [(a, b) for a, b in current if b.drifting and not b.overdue]
    signed = [
        (a, b)
        for a, b in rows
        if a.status == Status.SIGNED_OFF
        and a.signed_off_at is not None
        and a.signed_off_at >= since
    ]
    unassigned = [(a, b) for a, b in current if b.brag.value == "unassigned"]
    blocks: list[Block] = [
        header(f"{committee.code} digest · {local_date(now, rules.tz):%d/%m/%Y}"),
        section(
            f"*{escape(committee.name)}*: {len(current)} current actions · "
            f"{brag_counts(b for _, b in current)}"
        ),
    ]
    parts = (
        _part(":red_circle: Overdue", overdue)
        + _part(f":calendar: Due in the next {rules.amber_days} days", due_soon)
        + _part(":hourglass: Complete, awaiting sign-off", awaiting)
        + _part(f":zzz: No update for {rules.drift_days}+ days", drift)
        + _part(":white_circle: Unassigned (no owner or due date)", unassigned)
        + _part(
            f":large_blue_circle: Signed off since {local_date(since, rules.tz):%d/%m/%Y}", signed
        )
    )
    blocks += parts or [section("Nothing overdue, due soon, awaiting sign-off or drifting.")]
    blocks.append(context("Details: `/lscb actions committee " + committee.code + "`"))
    return blocks


def digest_messages(blocks: Sequence[Block]) -> list[list[Block]]:
    """The digest in messages of at most 50 blocks: the first to the channel, the rest threaded."""
    return split_blocks(blocks)
