"""Block Kit, built by pure functions: action cards, lists, App Home, modals, plain replies.

Limits kept here so no caller has to: 50 blocks a message, 100 in a view, 3000 characters in a
section, 75 on a button. Confidential reviews appear by reference only in anything shared to a
channel, and not at all to those who may not see them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import ids
from models.actions import UPDATE_WORDS
from models.brag import BRAG_ORDER, Brag, BragResult, BragRules
from models.history import event_words
from models.notices import MODES as NOTICE_MODES
from models.permissions import Actor, Op, available_ops, can_see
from models.queries import ActionPage, ReviewRow
from models.schema import Action, ActionEvent, Committee, Person, Review, Theme, ThemeState
from models.themes import (
    ReviewLine,
    ThemedItem,
    ThemeMark,
    ThemeReport,
    may_change_action_themes,
)

Block = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_BUTTON = 75
MAX_BUTTON_VALUE = 2000
MAX_METADATA = 3000
PAGE_SIZE = 20
MAX_OPTIONS = 100  # options in one select menu
LIST_TEXT = 180  # characters of an action's text in a list line

BUTTON_LABEL = {
    Op.UPDATE: (ids.BUTTON_UPDATE, "Update"),
    Op.NOTE: (ids.BUTTON_NOTE, "Note"),
    Op.DONE: (ids.BUTTON_DONE, "Done"),
    Op.DUE: (ids.BUTTON_DUE, "Change date"),
    Op.SIGNOFF: (ids.BUTTON_SIGNOFF, "Sign off"),
    Op.REOPEN: (ids.BUTTON_REOPEN, "Reopen"),
    Op.IMPACT: (ids.BUTTON_IMPACT, "Record impact"),
}
# Which operation each button performs: a message's buttons that no longer apply are dropped.
BUTTON_OPS: dict[str, Op] = {
    **{action_id: op for op, (action_id, _) in BUTTON_LABEL.items()},
    ids.BUTTON_APPROVE_DUE: Op.DECIDE_DUE,
    ids.BUTTON_DECLINE_DUE: Op.DECIDE_DUE,
    ids.BUTTON_IMPACT_REVIEW: Op.IMPACT,
}


# ------------------------------------------------------------------ text helpers


def escape(text: str | None) -> str:
    """User text made inert in mrkdwn: no mentions, links or @channel smuggled in."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(text: str | None, limit: int) -> str:
    return clip(" ".join((text or "").split()), limit)


def uk_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "no date"


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150)}}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    b: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, MAX_BUTTON)},
        "action_id": action_id,
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style:
        b["style"] = style
    return b


def text_sections(lines: Iterable[str], limit: int = MAX_SECTION) -> list[Block]:
    """Lines packed into as few sections as fit Slack's 3000-character limit."""
    blocks: list[Block] = []
    chunk = ""
    for line in lines:
        line = clip(line, limit)
        if chunk and len(chunk) + 1 + len(line) > limit:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks


_NOT_SLACK_MARKUP = re.compile(r"<(?![@#!]|https?://|mailto:)([^<>\n]*)>")


def placeholders_safe(text: str) -> str:
    """Keep `<date>` and `<reason>` in a form visible: Slack would read them as links.

    Mentions (`<@U1>`), channels and links are left as they are.
    """
    return _NOT_SLACK_MARKUP.sub(r"&lt;\1&gt;", text)


def reply(text: str) -> list[Block]:
    """A plain answer (help, refusals, confirmations) as blocks."""
    return text_sections(placeholders_safe(text).split("\n"))


def fallback_text(blocks: Sequence[Block], limit: int = 300) -> str:
    """The notification text that goes with blocks: the first words of the first section."""
    for b in blocks:
        text = b.get("text")
        if isinstance(text, dict) and text.get("text"):
            return clip(str(text["text"]).split("\n")[0], limit)
    return "LSCB Action Tracker"


# ------------------------------------------------------------------ actions


def redacted(action: Action, viewer: Actor, shared: bool) -> bool:
    """Show this action by reference only?"""
    return action.confidential and (shared or not can_see(viewer, action))


def brag_badge(brag: BragResult, rules: BragRules) -> str:
    """The rating as the board names it (`BragRules.label`: its key, else Red, Amber, ...)."""
    label = escape(rules.label(brag.brag))
    if brag.awaiting_signoff:
        label += " (awaiting sign-off)"
    return f"{brag.brag.emoji} {label}"


def _owner(action: Action) -> str:
    if action.owner is None:
        return "no owner"
    if action.owner.slack_id:
        return f"<@{action.owner.slack_id}>"
    return escape(action.owner.name)


def action_line(action: Action, brag: BragResult, viewer: Actor, *, shared: bool = False) -> str:
    """One line of a list: BRAG, reference, due date, owner and the start of the text."""
    due = f"due {uk_date(action.due_date)}" if action.due_date else "no due date"
    if redacted(action, viewer, shared):
        return f"{brag.brag.emoji} *{action.ref}* · {due} · _confidential review_"
    committee = f" · {action.committee.code}" if action.committee else ""
    return (
        f"{brag.brag.emoji} *{action.ref}* · {due} · {_owner(action)}{committee}\n"
        f"{escape(_one_line(action.text, LIST_TEXT))}"
    )


def action_buttons(action: Action, viewer: Actor) -> list[Block]:
    ops = available_ops(viewer, action)
    buttons = [
        button(label, action_id, action.ref, "primary" if op == Op.DONE else None)
        for op, (action_id, label) in BUTTON_LABEL.items()
        if op in ops
    ]
    if Op.DECIDE_DUE in ops and action.requested_due_date is not None:
        buttons += [
            button("Approve new date", ids.BUTTON_APPROVE_DUE, action.ref, "primary"),
            button("Decline new date", ids.BUTTON_DECLINE_DUE, action.ref),
        ]
    return buttons


def button_applies(action_id: str, action: Action, viewer: Actor) -> bool:
    """Would this button still do something for `viewer` on `action` as it now stands?"""
    op = BUTTON_OPS.get(action_id)
    if op is None:
        return True  # Open, Next 20: always useful
    if op == Op.DECIDE_DUE and action.requested_due_date is None:
        return False
    return op in available_ops(viewer, action)


def settle_message(
    blocks: Sequence[Block], ref: str, what: str, action: Action | None, viewer: Actor
) -> list[Block]:
    """A message after one of its buttons was used: beside that action's buttons, a line saying
    what happened; of its buttons, only those that still apply (`action` None: none do)."""
    out: list[Block] = []
    for b in blocks:
        elements = b.get("elements") if b.get("type") == "actions" else None
        if not elements or not any(e.get("value") == ref for e in elements):
            out.append(b)
            continue
        kept = [
            e
            for e in elements
            if e.get("value") != ref
            or (action is not None and button_applies(str(e.get("action_id")), action, viewer))
        ]
        out.append(context(f":white_check_mark: {what}"))
        if kept:
            out.append({**b, "elements": kept})
    return out


def render_action_card(
    action: Action,
    brag: BragResult,
    viewer: Actor,
    *,
    rules: BragRules,
    shared: bool = False,
    events: Sequence[ActionEvent] = (),
    names: Mapping[str, str] | None = None,
    duplicates: Sequence[tuple[Action, Sequence[ActionEvent]]] = (),
) -> list[Block]:
    """An action as a message: what it is, where it stands, and the buttons this viewer may use.

    `rules` are those it was rated by (they name the ratings); `names` names the Slack ids its
    history mentions; `duplicates` are the actions merged into it, with their history."""
    names = names or {}
    if redacted(action, viewer, shared):
        return [
            section(
                f"*{action.ref}* {brag_badge(brag, rules)} · due {uk_date(action.due_date)}\n"
                "_Belongs to a confidential review: details are shown only to those it concerns._"
            )
        ]
    # Reasons that only repeat the rating's own name ("Cancelled — cancelled") are left out.
    why = [r for r in brag.reasons if r.lower() != rules.label(brag.brag).lower()]
    reasons = f" — {', '.join(why)}" if why else ""
    blocks: list[Block] = [
        section(f"*{action.ref}* {brag_badge(brag, rules)}{escape(reasons)}\n{escape(action.text)}")
    ]
    review = (
        f"{action.review.ref} {escape(action.review.name)}"
        + (" (confidential)" if action.review.confidential else "")
        if action.review is not None
        else "none"
    )
    due = uk_date(action.due_date)
    if action.original_due_date and action.original_due_date != action.due_date:
        due += f" (first due {uk_date(action.original_due_date)})"
    if action.requested_due_date is not None:
        due += f"; new date {uk_date(action.requested_due_date)} requested"
    status = action.status.label
    if action.owner_rating is not None and action.is_open:
        status += f", {action.owner_rating.label}"
    themes = [
        link.theme.code + (" (suggested)" if link.state == ThemeState.SUGGESTED else "")
        for link in sorted(action.theme_links, key=lambda t: (t.theme.position, t.theme.code))
        if link.state != ThemeState.REMOVED and link.theme.active
    ]
    fields = [
        ("Status", status),
        ("Due", due),
        ("Owner", _owner(action)),
        ("Committee", escape(action.committee.code) if action.committee else "none"),
        ("Lead agency", escape(action.lead_agency) or "not given"),
        ("Review", review),
    ]
    if themes:
        fields.append(("Themes", escape(", ".join(themes))))
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": clip(f"*{k}*\n{v}", MAX_FIELD)} for k, v in fields
            ],
        }
    )
    if action.reopen_reason:
        blocks.append(
            section(f":leftwards_arrow_with_hook: *Reopened*\n{escape(action.reopen_reason)}")
        )
    for title, value in (
        ("Latest progress", action.latest_progress),
        ("Evidence of completion", action.evidence_of_completion),
        ("Evidence of impact", action.evidence_of_impact),
        ("How we will know it worked", action.measure),
    ):
        if value:
            blocks.append(section(f"*{title}*\n{linked(value)}"))
    if action.evidence_links:
        links = "\n".join(f"• {link_to(u)}" for u in action.evidence_link_list)
        blocks.append(section(f"*Evidence*\n{links}"))
    if action.impact_review_on is not None:
        blocks.append(context(f"Impact to be reviewed on {uk_date(action.impact_review_on)}"))
    related = []
    if action.source_url:
        related.append(f"From {link_to(action.source_url)}")
    if action.duplicate_of is not None:
        related.append(f"Merged into *{action.duplicate_of.ref}* as a duplicate")
    if duplicates:
        related.append("Duplicates merged in: " + ", ".join(f"*{d.ref}*" for d, _ in duplicates))
    if related:
        blocks.append(context(" · ".join(related)))
    if events or duplicates:
        lines = [event_line(e, names) for e in events[-10:]]
        for dup, dup_events in duplicates:
            if redacted(dup, viewer, shared):
                lines.append(f"*{dup.ref}* (merged in) · _confidential review_")
            else:
                # What was said on the duplicate (its notes, evidence, why it was merged).
                said = [e for e in dup_events if e.note and e.kind != "cancel"]
                lines += [f"*{dup.ref}* · {event_line(e, names)}" for e in said[-6:]]
        blocks.append(context(clip("*History*\n" + "\n".join(lines), MAX_SECTION)))
    if not shared:
        buttons = action_buttons(action, viewer)
        if may_change_action_themes(viewer, action):
            buttons.append(button("Themes", ids.BUTTON_THEMES, action.ref))
        more = card_menu(action, viewer)
        if more is not None:
            buttons.append(more)
        if buttons:
            blocks.append(
                {"type": "actions", "block_id": f"card:{action.ref}", "elements": buttons}
            )
    return blocks


MENU_LABEL = {Op.EDIT: ("edit", "Edit wording"), Op.CANCEL: ("cancel", "Cancel action")}


def card_menu(action: Action, viewer: Actor) -> Block | None:
    """The card's overflow menu: Edit and Cancel, for those who may use them."""
    ops = available_ops(viewer, action)
    options = [
        {"text": _plain(label, 75), "value": f"{what}:{action.ref}"}
        for op, (what, label) in MENU_LABEL.items()
        if op in ops
    ]
    if not options:
        return None
    return {"type": "overflow", "action_id": ids.OVERFLOW_CARD, "options": options}


_URL_IN_TEXT = re.compile(r"https?://[^\s<>|]+[^\s<>|.,;:!?)\]'\"]")
_SLACK_MESSAGE = re.compile(r"^https://[^/]+\.slack\.com/archives/")


def link_to(url: str) -> str:
    """A link as Slack shows it: a message link says so; others show their address."""
    url = url.replace("&", "&amp;").replace("<", "").replace(">", "")
    label = "a Slack message" if _SLACK_MESSAGE.match(url) else clip(url, 80)
    return f"<{url}|{label.replace('|', '')}>"


def linked(text: str) -> str:
    """Typed text made inert, with the web addresses in it shown as links."""
    out, at = [], 0
    for m in _URL_IN_TEXT.finditer(text):
        out.append(escape(text[at : m.start()]))
        out.append(link_to(m.group(0)))
        at = m.end()
    out.append(escape(text[at:]))
    return "".join(out)


def event_line(e: ActionEvent, names: Mapping[str, str] | None = None) -> str:
    """One event of the history as people say it: a name, words, dates day first."""
    names = names or {}
    who = e.actor.name if e.actor is not None else names.get(e.actor_label, e.actor_label)
    words = event_words(e.kind, e.before, e.after, _one_line(e.note, 120) or None, names)
    return f"{e.at:%d/%m/%Y} {escape(who)} · {escape(words)}"


@dataclass(frozen=True)
class Page:
    offset: int
    total: int
    size: int = PAGE_SIZE

    @property
    def end(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def has_next(self) -> bool:
        return self.end < self.total


def next_page_value(command_text: str, offset: int) -> str | None:
    value = json.dumps({"q": command_text, "o": offset}, ensure_ascii=False)
    return value if len(value) <= MAX_BUTTON_VALUE else None


def render_action_page(
    rows: Sequence[tuple[Action, BragResult]],
    viewer: Actor,
    *,
    offset: int,
    total: int,
    counts: dict[Brag, int],
    title: str,
    rules: BragRules,
    command_text: str = "actions",
    shared: bool = False,
    empty: str = "No actions match.",
) -> list[Block]:
    """One page of actions read a page at a time: its rows, and the whole list's size and counts.

    The title is the app's own words (it may hold mentions, which Slack shows): not escaped."""
    page = Page(offset, total)
    blocks: list[Block] = [section(f"*{title}*")]
    if not total:
        blocks.append(section(escape(empty)))
        return blocks
    for action, brag in rows[: page.size]:
        accessory = None
        if not shared and not redacted(action, viewer, shared):
            accessory = button("Open", ids.BUTTON_SHOW, action.ref)
        blocks.append(section(action_line(action, brag, viewer, shared=shared), accessory))
    blocks.append(
        context(f"{page.offset + 1}–{page.end} of {page.total} · {brag_counts_of(counts, rules)}")
    )
    if page.has_next and not shared:
        value = next_page_value(command_text, page.end)
        if value is not None:
            n = min(PAGE_SIZE, page.total - page.end)
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "paging",
                    "elements": [button(f"Next {n}", ids.BUTTON_NEXT_PAGE, value)],
                }
            )
    return blocks


def brag_counts_of(counts: dict[Brag, int], rules: BragRules) -> str:
    """A list's counts by BRAG, each with the board's name for it: its key at a glance."""
    order = (*BRAG_ORDER, Brag.CANCELLED)
    shown = [f"{b.emoji} {escape(rules.label(b))} {counts[b]}" for b in order if counts.get(b)]
    return " ".join(shown) or "none"


# ------------------------------------------------------------------ reviews


def render_review_list(
    reviews: Sequence[ReviewRow], *, title: str, shared: bool = False
) -> list[Block]:
    """Reviews already chosen for this viewer (`list_reviews`); confidential ones by reference
    when shared."""
    lines = []
    for row in reviews:
        r, open_count = row.review, row.open_actions
        if r.confidential and shared:
            lines.append(f"• *{r.ref}* · _confidential review_ · {open_count} open")
            continue
        when = f" · {escape(r.date_text)}" if r.date_text else ""
        lines.append(
            f"• *{r.ref}* {escape(_one_line(r.name, 150))} · {escape(r.type)}{when} · "
            f"{open_count} open" + (" · confidential" if r.confidential else "")
        )
    blocks = [section(f"*{escape(title)}*")]
    if not lines:
        return blocks + [section("No reviews match.")]
    body = text_sections(lines)
    if len(body) > MAX_MESSAGE_BLOCKS - 3:
        body = body[: MAX_MESSAGE_BLOCKS - 3]
        body.append(context("More reviews than fit here: narrow it with `/lscb reviews TYPE`."))
    return blocks + body


def render_review(
    review: Review,
    actions: ActionPage,
    viewer: Actor,
    *,
    rules: BragRules,
    shared: bool = False,
) -> list[Block]:
    if review.confidential and shared:
        head = f"*{review.ref}* · _confidential review_"
        blocks = [section(head)]
    else:
        lines = [f"*{review.ref}* {escape(review.name)}", escape(review.type)]
        if review.date_text:
            lines.append(escape(review.date_text))
        if review.publication_status:
            lines.append(f"_{escape(review.publication_status)}_")
        blocks = [section("\n".join(lines))]
        if review.overview:
            blocks.append(section(escape(clip(review.overview, 1500))))
        findings = [
            f"{escape(f.number or '•')} {escape(_one_line(f.text, 300))}" for f in review.findings
        ]
        if findings:
            blocks += text_sections(["*Findings*", *findings])[:10]
    listed = render_action_page(
        actions.rows,
        viewer,
        offset=actions.offset,
        total=actions.total,
        counts=actions.counts_by_brag,
        title=f"Actions of {review.ref}",
        rules=rules,
        command_text=f"actions review {review.ref}",
        shared=shared,
        empty="No actions yet.",
    )
    room = MAX_MESSAGE_BLOCKS - len(blocks)
    return blocks + listed[:room]


# ------------------------------------------------------------------ App Home


def _home_group(
    title: str,
    rows: Sequence[tuple[Action, BragResult]],
    viewer: Actor,
    limit: int,
    more_hint: str,
) -> list[Block]:
    if not rows:
        return []
    blocks = [section(f"*{title}* ({len(rows)})")]
    for action, brag in rows[:limit]:
        accessory = (
            None if redacted(action, viewer, False) else button("Open", ids.BUTTON_SHOW, action.ref)
        )
        blocks.append(section(action_line(action, brag, viewer), accessory))
    if len(rows) > limit:
        blocks.append(context(f"…and {len(rows) - limit} more: {more_hint}"))
    return blocks


@dataclass(frozen=True)
class WatchSection:
    title: str
    total: int
    rows: Sequence[tuple[Action, BragResult]]
    hint: str  # where to see them all


@dataclass(frozen=True)
class CommitteeWatch:
    """A committee in App Home: the weekly digest's sections, each with its first few actions."""

    committee: Committee
    sections: Sequence[WatchSection]


def notice_mode_block(mode: str) -> Block:
    """App Home: how event notices reach me (models.notices.MODES), changed in place."""
    options = [{"text": _plain(label, 75), "value": value} for value, label in NOTICE_MODES.items()]
    current = next((o for o in options if o["value"] == mode), options[0])
    return section(
        "*Notices about your actions and committees*",
        {
            "type": "static_select",
            "action_id": ids.SELECT_NOTICE_MODE,
            "options": options,
            "initial_option": current,
        },
    )


def build_home(
    viewer: Actor,
    mine: Sequence[tuple[Action, BragResult]],
    rules: BragRules,
    watches: Sequence[CommitteeWatch] = (),
    notice_mode: str | None = None,
) -> dict[str, Any]:
    """The App Home tab: my actions by BRAG, then each committee I chair (or all, for admins)."""
    blocks: list[Block] = [header("Your actions")]
    if notice_mode is not None:
        blocks = [notice_mode_block(notice_mode), divider(), *blocks]
    order = [Brag.RED, Brag.AMBER, Brag.GREEN, Brag.UNASSIGNED]
    groups: dict[Brag, list[tuple[Action, BragResult]]] = {b: [] for b in order}
    awaiting: list[tuple[Action, BragResult]] = []
    for action, brag in mine:
        if brag.awaiting_signoff:
            awaiting.append((action, brag))
        elif brag.brag in groups:
            groups[brag.brag].append((action, brag))
    budget_mine = 40 if watches else 90
    per_group = max(3, budget_mine // 5 - 1)
    mine_blocks: list[Block] = []
    for b in order:
        mine_blocks += _home_group(
            f"{b.emoji} {escape(rules.label(b))}",
            groups[b],
            viewer,
            per_group,
            "`/lscb actions mine`",
        )
    mine_blocks += _home_group(
        ":hourglass: Complete, awaiting sign-off",
        awaiting,
        viewer,
        per_group,
        "`/lscb actions complete`",
    )
    blocks += mine_blocks or [section("You own no open actions.")]
    if watches:
        for w in watches:
            code = w.committee.code
            part: list[Block] = [divider(), header(clip(f"{code} · {w.committee.name}", 150))]
            for sec in w.sections:
                if not sec.total:
                    continue
                part.append(section(f"*{sec.title}* ({sec.total})"))
                for action, brag in sec.rows:
                    accessory = (
                        None
                        if redacted(action, viewer, False)
                        else button("Open", ids.BUTTON_SHOW, action.ref)
                    )
                    part.append(section(action_line(action, brag, viewer), accessory))
                if sec.total > len(sec.rows):
                    part.append(context(f"…and {sec.total - len(sec.rows)} more: {sec.hint}"))
            if len(part) == 2:
                part.append(section("Nothing to report."))
            if len(blocks) + len(part) > MAX_VIEW_BLOCKS - 1:
                blocks.append(context("More committees than fit here: use `/lscb actions`."))
                break
            blocks += part
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


# ------------------------------------------------------------------ modals


def _plain(text: str, limit: int = 150) -> dict[str, str]:
    return {"type": "plain_text", "text": clip(text, limit)}


def metadata(**values: Any) -> str:
    """private_metadata: JSON, and never over Slack's 3000 characters (response_url goes first)."""
    text = json.dumps(values)
    if len(text) > MAX_METADATA:
        values.pop("response_url", None)
        text = json.dumps(values)
    return text


def read_metadata(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int = 3000,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "optional": optional,
        "element": element,
    }


def modal(
    callback_id: str, title: str, blocks: list[Block], meta: str, submit: str | None = "Save"
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, 24),
        "close": _plain("Cancel", 24),
        "private_metadata": meta,
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }
    if submit:
        view["submit"] = _plain(submit, 24)
    return view


def _about(action: Action) -> Block:
    return section(f"*{action.ref}* {escape(_one_line(action.text, 600))}")


def update_modal(action: Action, meta: str) -> dict[str, Any]:
    options = [{"text": _plain(word.replace("-", " ")), "value": word} for word in UPDATE_WORDS]
    select: Block = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": _plain("How is it going?"),
        "options": options,
    }
    if action.owner_rating is not None:
        current = action.owner_rating.value.replace("_", "-")
        select["initial_option"] = next(o for o in options if o["value"] == current)
    blocks = [
        _about(action),
        {"type": "input", "block_id": "word", "label": _plain("Progress"), "element": select},
        text_input("note", "Note", multiline=True, optional=True, max_length=3000),
    ]
    return modal(ids.MODAL_UPDATE, f"Update {action.ref}", blocks, meta)


def note_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        text_input("text", "Progress note", multiline=True, max_length=3000),
    ]
    return modal(ids.MODAL_NOTE, f"Note on {action.ref}", blocks, meta)


def done_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        text_input(
            "evidence",
            "Evidence of completion",
            multiline=True,
            placeholder="What was done, and where it can be seen",
            max_length=3000,
        ),
    ]
    return modal(ids.MODAL_DONE, f"Done: {action.ref}", blocks, meta, submit="Mark done")


def due_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        context(f"Due now: {uk_date(action.due_date)}"),
        text_input(
            "when",
            "New due date",
            placeholder="31/03/2027, end of March, in 2 weeks",
            max_length=60,
        ),
        text_input(
            "reason",
            "Why it changes",
            multiline=True,
            optional=action.due_date is None,
            max_length=3000,
        ),
    ]
    return modal(ids.MODAL_DUE, f"New date: {action.ref}", blocks, meta)


def signoff_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        section(f"*Evidence of completion*\n{escape(action.evidence_of_completion or '—')}"),
        section(f"*How we will know it worked*\n{escape(action.measure or 'not planned')}"),
        text_input(
            "impact",
            "Evidence of impact",
            multiline=True,
            optional=True,
            placeholder="What changed in practice, and how it was seen",
            max_length=3000,
        ),
        text_input(
            "review_on",
            "Or: when to review the impact",
            optional=True,
            placeholder="in 6 months, 31/03/2027",
            max_length=60,
        ),
        context("Give evidence of impact, or a date to check it: the chair is reminded then."),
    ]
    return modal(ids.MODAL_SIGNOFF, f"Sign off {action.ref}", blocks, meta, submit="Sign off")


def reopen_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        section(f"*Evidence of completion*\n{escape(action.evidence_of_completion or '—')}"),
        text_input("reason", "Why it is reopened", multiline=True, max_length=3000),
    ]
    return modal(ids.MODAL_REOPEN, f"Reopen {action.ref}", blocks, meta, submit="Reopen")


def decline_due_modal(action: Action, meta: str) -> dict[str, Any]:
    asked = (
        f"Due now {uk_date(action.due_date)}; asked for {uk_date(action.requested_due_date)}"
        + (
            f": “{escape(_one_line(action.requested_due_reason, 300))}”"
            if action.requested_due_reason
            else ""
        )
    )
    blocks = [
        _about(action),
        context(asked),
        text_input("reason", "Why the date stays (the owner is told)", multiline=True),
    ]
    return modal(ids.MODAL_DECLINE_DUE, f"Decline: {action.ref}", blocks, meta, submit="Decline")


def impact_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        section(f"*How we will know it worked*\n{escape(action.measure or 'not planned')}"),
        text_input(
            "impact",
            "Evidence of impact",
            multiline=True,
            placeholder="What changed in practice, and how it was seen",
            max_length=3000,
        ),
    ]
    return modal(ids.MODAL_IMPACT, f"Impact of {action.ref}", blocks, meta, submit="Record")


def impact_review_modal(action: Action, meta: str) -> dict[str, Any]:
    current = (
        f"Review due now: {uk_date(action.impact_review_on)}"
        if action.impact_review_on
        else "No review date set"
    )
    blocks = [
        _about(action),
        context(current),
        text_input("when", "New review date", placeholder="in 3 months, 30/06/2027", max_length=60),
        text_input("reason", "Why", multiline=True, optional=True, max_length=3000),
    ]
    return modal(ids.MODAL_IMPACT_REVIEW, f"Review: {action.ref}", blocks, meta)


def add_modal(
    committees: Sequence[Committee],
    meta: str,
    review: str | None = None,
    *,
    committee: str | None = None,
    text: str | None = None,
    people: Sequence[Person] = (),
    source_url: str | None = None,
) -> dict[str, Any]:
    """The form for a new action. `committee` is preselected (the one the command named);
    `text` fills the wording (a message the action is made from); `people` not in Slack are
    offered beside Slack's own user picker."""
    blocks: list[Block] = []
    if source_url:
        blocks.append(context(f"Made from {link_to(source_url)}: the link is kept as its source."))
    blocks += [
        text_input("text", "What must be done", multiline=True, max_length=3000, initial=text),
        text_input(
            "review", "Review", optional=True, initial=review, placeholder="R-3", max_length=200
        ),
        {
            "type": "input",
            "block_id": "owner",
            "optional": True,
            "label": _plain("Owner (in Slack)"),
            "element": {"type": "users_select", "action_id": "value"},
        },
    ]
    offline = [p for p in people if not p.slack_id][:100]
    if offline:
        blocks.append(
            {
                "type": "input",
                "block_id": "owner_name",
                "optional": True,
                "label": _plain("Or an owner not in Slack"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": _plain("Choose from the organisation file"),
                    "options": [person_option(p) for p in offline],
                },
            }
        )
    if committees:
        options = [
            {"text": _plain(f"{c.code} · {c.name}", 75), "value": c.code} for c in committees[:100]
        ]
        element: Block = {"type": "static_select", "action_id": "value", "options": options}
        chosen = next((o for o in options if o["value"] == committee), None)
        if chosen is not None:
            element["initial_option"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": "committee",
                "optional": True,
                "label": _plain("Accountable committee"),
                "element": element,
            }
        )
    blocks.append(
        text_input(
            "due_date",
            "Due date",
            optional=True,
            placeholder="31/03/2027, end of March, in 2 weeks",
            max_length=60,
        )
    )
    blocks.append(
        text_input(
            "measure",
            "How we will know it worked",
            multiline=True,
            optional=True,
            placeholder="e.g. re-audit 20 referrals in six months",
            max_length=3000,
        )
    )
    return modal(ids.MODAL_ADD, "Add an action", blocks, meta, submit="Add")


def person_option(p: Person) -> Block:
    label = p.name + (f" · {p.agency}" if p.agency else "")
    return {"text": _plain(label, 75), "value": f"person:{p.id}"}


def cancel_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        _about(action),
        text_input(
            "reason",
            "Why it is cancelled",
            multiline=True,
            placeholder="Superseded by…, no longer needed because…",
            max_length=3000,
        ),
    ]
    return modal(ids.MODAL_CANCEL, f"Cancel {action.ref}", blocks, meta, submit="Cancel it")


def edit_modal(action: Action, meta: str) -> dict[str, Any]:
    blocks = [
        context("The old wording is kept in the action's history."),
        text_input("text", "Wording", multiline=True, initial=action.text, max_length=3000),
    ]
    return modal(ids.MODAL_EDIT, f"Edit {action.ref}", blocks, meta)


def evidence_modal(
    actions: Sequence[Action], meta: str, link: str, *, more: bool = False
) -> dict[str, Any]:
    """ "Add as evidence": which of the person's actions the message is evidence for."""
    if not actions:
        return notice_modal(
            "Add as evidence",
            "You have no action this can be evidence for: evidence is added by an action's "
            "owner, its committee's chair or an admin, to an action not yet signed off.",
        )
    options = [
        {"text": _plain(f"{a.ref} · {_one_line(a.text, 60)}", 75), "value": a.ref}
        for a in actions[:100]
    ]
    blocks: list[Block] = [
        section(f"The link to {link_to(link)} will be kept as evidence."),
        {
            "type": "input",
            "block_id": "ref",
            "label": _plain("Evidence for"),
            "element": {"type": "static_select", "action_id": "value", "options": options},
        },
        text_input("note", "What it shows", multiline=True, optional=True, max_length=3000),
    ]
    if more:
        blocks.append(context("Only your first 100 actions are listed."))
    return modal(ids.MODAL_EVIDENCE, "Add as evidence", blocks, meta, submit="Add")


def clash_modal(title: str, message: str, typed: Mapping[str, str | None]) -> dict[str, Any]:
    """A form that could not be saved: why, and what the person typed, to copy back."""
    blocks = reply(message)
    given = [(k, v) for k, v in typed.items() if v]
    if given:
        blocks.append(section("*What you typed* (copy it before closing):"))
        for key, value in given:
            blocks.append(section(f"_{escape(key)}_\n```{escape(clip(value, 2900))}```"))
    return modal("lscb_notice", title, blocks, "{}", submit=None)


def notice_modal(title: str, text: str) -> dict[str, Any]:
    return modal("lscb_notice", title, reply(text), "{}", submit=None)


def modal_value(view: dict[str, Any], block_id: str) -> str | None:
    """The value a person gave in a modal input (text, select or user), or None."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if not isinstance(state, dict):
        return None
    for key in ("value", "selected_user", "selected_date"):
        if state.get(key):
            return str(state[key])
    option = state.get("selected_option")
    if isinstance(option, dict) and option.get("value"):
        return str(option["value"])
    return None


# ---------------------------------------------------------------- importing from Slack

IMPORT_FILETYPES = ["docx", "pdf", "txt", "xlsx", "csv"]
PREVIEW_SECTIONS = 40  # of a message's 50 blocks; the rest say what was left out, and the buttons
PREVIEW_LINES = 100  # a preview longer than this is for the command line's --dry-run
LEARNING_LINES = 25  # themes suggested and alike items: one section, then how many more
LEARNING_HEAD = (
    "*Themes suggested* (with the words that suggested them) *and earlier findings and actions "
    "alike*; confirm or change them with `/lscb theme REF +code -code`:"
)


def import_modal(meta: str) -> dict[str, Any]:
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": "file",
            "label": _plain("Index or tracker"),
            "element": {
                "type": "file_input",
                "action_id": "value",
                "filetypes": IMPORT_FILETYPES,
                "max_files": 1,
            },
        },
        context(
            "A Learning and Improvement Index (.docx, .pdf, .txt) or an action tracker "
            "(.xlsx, .csv). You will see what it would change before anything is stored."
        ),
    ]
    return modal(ids.MODAL_IMPORT, "Import", blocks, meta, submit="Preview")


def learning_blocks(lines: Sequence[str]) -> list[Block]:
    """The import's theme suggestions and alike items (`LearningSummary.lines()`, document words
    escaped) in one section under Slack's 3000 characters, then how many more there are: at most
    two blocks, however long the list."""
    if not lines:
        return []
    text = LEARNING_HEAD
    shown = 0
    for line in lines[:LEARNING_LINES]:
        entry = "\n• " + escape(_one_line(line, 400))
        if len(text) + len(entry) > MAX_SECTION:
            break
        text += entry
        shown += 1
    blocks = [section(text)]
    if len(lines) > shown:
        blocks.append(
            context(
                f"…and {len(lines) - shown:,} more: `lscb import FILE --dry-run` on the command "
                "line lists every one."
            )
        )
    return blocks


def import_progress(name: str, done: int, total: int) -> list[Block]:
    text = f":hourglass: Reading *{escape(name)}*"
    if total:
        text += f": {done:,} of {total:,} activities ({100 * done // total}%)"
    return [section(text + "…")]


def import_preview(
    name: str,
    counts: str,
    lines: Sequence[str],
    value: str | None,
    *,
    note: str | None = None,
    learning: Sequence[str] = (),
) -> list[Block]:
    """What importing `name` would do, line by line (document text escaped), then the themes it
    would suggest and the earlier items alike (`learning`), with Import and Cancel buttons;
    `value` None: there is nothing to import."""
    blocks: list[Block] = []
    if note:
        blocks.append(section(f":warning: {escape(note)}"))
    blocks.append(
        section(f"*Preview of {escape(name)}*: nothing is stored until you press Import.")
    )
    blocks.append(context(escape(counts)))
    body = text_sections([escape(_one_line(line, 600)) for line in lines[:PREVIEW_LINES]])
    if len(body) > PREVIEW_SECTIONS or len(lines) > PREVIEW_LINES:
        blocks += body[:PREVIEW_SECTIONS]
        blocks.append(
            context(
                f"…and more ({len(lines):,} lines in all): `lscb import FILE --dry-run` on the "
                "command line lists every one."
            )
        )
    else:
        blocks += body
    blocks += learning_blocks(learning)
    if value is None:
        blocks.append(
            section("Nothing to import: the document says what it said at the last import.")
        )
        return blocks
    blocks.append(
        {
            "type": "actions",
            "block_id": "import",
            "elements": [
                button("Import", ids.BUTTON_IMPORT, value, style="primary"),
                button("Cancel", ids.BUTTON_IMPORT_CANCEL, value),
            ],
        }
    )
    return blocks


# ------------------------------------------------------------------ themes


def _mark_line(m: ThemeMark) -> str:
    if m.state == ThemeState.SUGGESTED:
        said = ", ".join(f"“{escape(w)}”" for w in (m.words or "").split("; ") if w)
        how = f"suggested by {said}" if said else "suggested"
    else:
        how = f"{m.state.value}"
    return f"• *{escape(m.code)}* {escape(m.name)} — _{how}_"


def render_item_themes(item: ThemedItem, done: str | None = None) -> list[Block]:
    """A finding's or action's themes, each suggestion with the words that made it."""
    blocks: list[Block] = []
    if done:
        blocks.append(section(f":white_check_mark: {escape(done)}"))
    blocks.append(section(f"*{item.ref}* {escape(_one_line(item.text, 300))}"))
    lines = [_mark_line(m) for m in item.marks] or ["No themes yet."]
    blocks += text_sections(["*Themes*", *lines])[:40]
    blocks.append(
        context(
            f"Confirm or change: `/lscb theme {item.ref} +code -code` · keep every suggestion: "
            f"`/lscb theme {item.ref} confirm` · all themes: `/lscb themes`"
        )
    )
    return blocks


def _review_name(r: ReviewLine, shared: bool) -> str:
    if r.name is None or (shared and r.confidential):
        return f"{r.ref} _confidential review_"
    return f"{r.ref} {escape(_one_line(r.name, 80))}"


def _theme_counts(t: ThemeReport) -> str:
    counts = t.brag_counts()
    order = (*BRAG_ORDER, Brag.CANCELLED)
    brag = " ".join(f"{b.emoji} {counts[b.value]}" for b in order if counts.get(b.value))
    return (
        f"{len(t.reviews)} review{'s' if len(t.reviews) != 1 else ''} · {t.finding_count} "
        f"finding{'s' if t.finding_count != 1 else ''} · {len(t.actions)} "
        f"action{'s' if len(t.actions) != 1 else ''}" + (f" {brag}" if brag else "")
    )


def render_themes(rows: Sequence[ThemeReport], *, shared: bool = False) -> list[Block]:
    """Recurring learning: each theme, how often it was raised and when, its actions' BRAG,
    and where it was raised again after its actions were signed off. Confidential reviews by
    reference only (always, when shared)."""
    blocks: list[Block] = [section("*Recurring learning: the lessons that keep coming back*")]
    if not rows:
        return blocks + [
            section("No themes yet: the business unit loads them with the organisation file.")
        ]
    for t in rows[: MAX_MESSAGE_BLOCKS - 3]:
        lines = [f"*{escape(t.name)}* (`{escape(t.code)}`) · {_theme_counts(t)}"]
        lines += [f":warning: {escape(flag)}" for flag in t.raised_again]
        if t.reviews:
            seen = ", ".join(f"{r.when:%m/%Y} {_review_name(r, shared)}" for r in t.reviews[-6:])
            more = f" (and {len(t.reviews) - 6} earlier)" if len(t.reviews) > 6 else ""
            lines.append(f"Raised by: {seen}{more}")
        blocks.append(section(clip("\n".join(lines), MAX_SECTION)))
    blocks.append(context("One theme with its findings: `/lscb themes CODE`"))
    return blocks


def render_theme(t: ThemeReport, *, shared: bool = False) -> list[Block]:
    """One theme: each review raising it, oldest first, with its findings; its actions."""
    lines = [f"*{escape(t.name)}* (`{escape(t.code)}`) · {_theme_counts(t)}"]
    lines += [f":warning: {escape(flag)}" for flag in t.raised_again]
    blocks: list[Block] = [section("\n".join(lines))]
    body = []
    for r in t.reviews:
        body.append(f"*{r.when:%m/%Y}* {_review_name(r, shared)}")
        for f in r.findings:
            if f.text is None or (shared and r.confidential):
                body.append(f"    {f.ref}")
            else:
                body.append(f"    {f.ref} {escape(_one_line(f.text, 160))}")
    actions = []
    for a in t.actions:
        text = (
            "_confidential review_"
            if a.text is None or (shared and a.confidential)
            else escape(_one_line(a.text, 120))
        )
        actions.append(f"• *{a.ref}* {escape(a.brag_label)} · {text}")
    if body:
        blocks += text_sections(["*Reviews and findings*", *body])
    if actions:
        blocks += text_sections(["*Actions on it*", *actions])
    if len(blocks) > MAX_MESSAGE_BLOCKS - 1:
        blocks = blocks[: MAX_MESSAGE_BLOCKS - 1]
        blocks.append(
            context("More than fits here: `lscb themes CODE` or the workbook's Themes sheet.")
        )
    return blocks


def themes_modal(themes: Sequence[Theme], item: ThemedItem, meta: str) -> dict[str, Any]:
    """The card's Themes form: the themes to keep, the suggestions and the words behind them."""
    options = [
        {"text": _plain(f"{t.name} ({t.code})", 75), "value": t.code} for t in themes[:MAX_OPTIONS]
    ]
    chosen = {m.code for m in item.current}
    element: Block = {
        "type": "multi_static_select",
        "action_id": "value",
        "placeholder": _plain("Choose the themes"),
        "options": options,
    }
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    suggested = [_mark_line(m) for m in item.marks if m.state == ThemeState.SUGGESTED]
    blocks: list[Block] = [section(f"*{item.ref}* {escape(_one_line(item.text, 600))}")]
    if suggested:
        blocks.append(
            context(clip("Suggested from its text:\n" + "\n".join(suggested), MAX_SECTION))
        )
    blocks.append(
        {
            "type": "input",
            "block_id": "themes",
            "label": _plain("Themes"),
            "optional": True,
            "element": element,
        }
    )
    return modal(ids.MODAL_THEMES, f"Themes of {item.ref}", blocks, meta)


def modal_values(view: dict[str, Any], block_id: str) -> list[str]:
    """The values chosen in a modal's multi-select."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    options = state.get("selected_options") if isinstance(state, dict) else None
    return [str(o["value"]) for o in options or [] if isinstance(o, dict) and o.get("value")]
