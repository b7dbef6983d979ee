"""From a parsed `/lscb` command to an answer: call the domain, render the result.

No rules here: permissions, status changes and dates are the domain's. Each command runs in one
unit of work; a DomainError becomes a short answer saying what was wrong, and nothing is changed.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import commands as cmd
from bot.listeners.deps import Deps
from jobs.owed import preview_digest
from models import actions as ops
from models import digest, notices, themes
from models.brag import BragRules, rate
from models.calendar import local_date
from models.dates import DateError, ImpossibleDate, parse_date, split_leading_date
from models.errors import DomainError, InvalidInput, NotFound, Refused
from models.history import slack_ids_in
from models.people import (
    add_slack_person,
    names_of_slack_ids,
    owners_kept_by_name,
    person_by_name,
    person_by_slack_id,
)
from models.permissions import Actor, Op, can_preview_digest, can_see, can_see_review, check
from models.queries import (
    ActionFilter,
    all_committees,
    committee_for_channel,
    find_reviews,
    list_actions,
    list_reviews,
    load_events,
    page_actions,
    require_committee,
)
from models.schema import Action, Committee, Person, Review, action_ref

log = logging.getLogger(__name__)

IMPORT_REFUSED = (
    "Importing documents is for admins (the business unit named in the organisation file): "
    "an import can change many actions at once. Send the file to one of them."
)


@dataclass
class Answer:
    text: str
    blocks: list[bk.Block] = field(default_factory=list)
    share: bool = False
    modal: dict[str, Any] | None = None  # open this form instead of answering
    upload: tuple[str, bytes] | None = None  # filename and content of a report

    @classmethod
    def say(cls, text: str, *, share: bool = False) -> Answer:
        return cls(bk.clip(text, 3000), bk.reply(text), share)

    @classmethod
    def of(cls, blocks: list[bk.Block], *, share: bool = False) -> Answer:
        return cls(bk.fallback_text(blocks), blocks[: bk.MAX_MESSAGE_BLOCKS], share)


@dataclass(frozen=True)
class Where:
    """Where a command was typed: who, in which channel, and the text itself (for paging)."""

    user_id: str
    channel_id: str = ""
    channel_name: str | None = None
    text: str = ""
    response_url: str | None = None


def command_error(e: cmd.CommandError) -> Answer:
    text = str(e)
    if "/lscb help" not in text:
        text += "\n`/lscb help` lists every command."
    return Answer.say(text)


def answer_text(deps: Deps, where: Where, *, offset: int = 0) -> Answer:
    """Parse and answer; never raises for anything a person could type."""
    try:
        command = cmd.parse_command(where.text)
    except cmd.CommandError as e:
        return command_error(e)
    return answer(deps, command, where, offset=offset)


def answer(deps: Deps, command: cmd.Command, where: Where, *, offset: int = 0) -> Answer:
    try:
        return _answer(deps, command, where, offset)
    except cmd.CommandError as e:
        return command_error(e)
    except DomainError as e:
        return Answer.say(e.message)


def _actor(s: Session, user_id: str) -> Actor:
    return ops.actor_for_slack_id(s, user_id)


def card_answer(
    action: Action, actor: Actor, now: datetime, rules: BragRules, done: str | None = None
) -> Answer:
    """The action's card as `actor` sees it, rated at `now`, after a ✅ line saying what was done."""
    card = bk.render_action_card(action, rate(action, now, rules), actor, rules=rules)
    if done:
        card = [bk.section(f":white_check_mark: {done}"), *card]
    return Answer.of(card)


def _card(deps: Deps, s: Session, actor: Actor, ref: str, done: str | None = None) -> Answer:
    action = ops.get_visible_action(s, actor, ref)
    return card_answer(action, actor, deps.now(), deps.rules, done)


def _change(
    deps: Deps, where: Where, ref: str, change: Callable[[Session, Actor], object], done: str
) -> Answer:
    def fn(s: Session) -> Answer:
        actor = _actor(s, where.user_id)
        change(s, actor)
        return _card(deps, s, actor, ref, done)

    return deps.run(fn)


def _answer(deps: Deps, command: cmd.Command, where: Where, offset: int) -> Answer:
    now = deps.now()
    match command:
        case cmd.Help(topic):
            return Answer.say(cmd.help_text(topic))
        case cmd.ListActions():
            return deps.run(lambda s: _list(deps, s, command, where, offset))
        case cmd.Show(ref, share):

            def show(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                action = ops.get_visible_action(s, actor, ref)
                rules = deps.rules
                card = bk.render_action_card(
                    action,
                    rate(action, now, rules),
                    actor,
                    rules=rules,
                    shared=share,
                    **({} if share else history_of(s, action, actor)),
                )
                return Answer.of(card, share=share)

            return deps.run(show)
        case cmd.Update(ref, word, note):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.update(s, a, ref, word=word, note=note, now=now),
                f"{ref} updated.",
            )
        case cmd.Note(ref, note_text):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.add_note(s, a, ref, text=note_text, now=now),
                f"Note added to {ref}.",
            )
        case cmd.Done(ref, evidence):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.mark_done(s, a, ref, evidence=evidence, now=now),
                f"{ref} is complete and awaits sign-off by its committee's chair.",
            )
        case cmd.SignOff(ref, impact, review_text):
            # `review <date>` sets the day to check the impact; any other text is the evidence.
            review_on = _review_day(review_text, now, deps.rules, "signoff")
            given = None if review_on is not None else impact
            done = (
                f"{ref} signed off; its impact is to be reviewed on {bk.uk_date(review_on)}."
                if review_on
                else f"{ref} signed off, with its evidence of impact."
            )
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.sign_off(s, a, ref, impact=given, review_on=review_on, now=now),
                done,
            )
        case cmd.Measure(ref, text):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.set_measure(s, a, ref, text=text, now=now),
                f"{ref}: how we will know it worked is recorded.",
            )
        case cmd.Impact(ref, evidence, review_text):
            day = _review_day(review_text, now, deps.rules, "impact")
            if day is not None:
                return _change(
                    deps,
                    where,
                    ref,
                    lambda s, a: ops.set_impact_review(s, a, ref, when=day, now=now),
                    f"The impact of {ref} is to be reviewed on {bk.uk_date(day)}.",
                )
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.record_impact(s, a, ref, evidence=evidence, now=now),
                f"Evidence of impact recorded for {ref}.",
            )
        case cmd.Reopen(ref, reason):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.reopen(s, a, ref, reason=reason, now=now),
                f"{ref} reopened.",
            )
        case cmd.Due(ref, rest):
            try:
                when, reason = split_leading_date(rest, local_date(now, deps.rules.tz))
            except DateError as e:
                raise cmd.CommandError(str(e), cmd.USAGE["due"]) from None

            def due(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                action = ops.change_due(s, actor, ref, when=when, reason=reason, now=now)
                if ops.date_requested(action):
                    done = (
                        f"New date {bk.uk_date(action.requested_due_date)} requested for {ref}: "
                        f"it stays due {bk.uk_date(action.due_date)} until its chair approves."
                    )
                    return _card(deps, s, actor, ref, done)
                return _card(
                    deps, s, actor, ref, f"{ref} is now due {bk.uk_date(action.due_date)}."
                )

            return deps.run(due)
        case cmd.Assign(ref, user_id, code, name):
            profile = slack_profile(deps, user_id) if user_id else None

            def assign(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                # The action first: a refusal must not depend on who was named.
                ops.get_visible_action(s, actor, ref)
                owner: Person | None = None
                if user_id:
                    owner = slack_person(s, user_id, profile)
                    if owner is None:
                        raise InvalidInput(f"Slack does not know <@{user_id}>.")
                elif name:
                    owner = person_by_name(s, name)
                committee = _committee(s, code) if code else None
                ops.assign(s, actor, ref, owner=owner, committee=committee, now=now)
                if owner is None:
                    done = f"{ref} is now {code}'s."
                elif owner.slack_id:
                    done = f"{ref} assigned to <@{owner.slack_id}>."
                else:
                    done = f"{ref} assigned to {bk.escape(owner.name)} (not in Slack)."
                return _card(deps, s, actor, ref, done)

            return deps.run(assign)
        case cmd.Cancel(ref, reason):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.cancel(s, a, ref, reason=reason, now=now),
                f"{ref} cancelled.",
            )
        case cmd.Edit(ref, new_text):
            return _change(
                deps,
                where,
                ref,
                lambda s, a: ops.edit(s, a, ref, text=new_text, now=now),
                f"{ref} reworded; the old wording is kept in its history.",
            )
        case cmd.Merge(ref, into, reason):

            def merge(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                ops.merge(s, actor, ref, into=into, reason=reason, now=now)
                return _card(
                    deps,
                    s,
                    actor,
                    into,
                    f"{ref} merged into {into} as a duplicate and cancelled; its history is "
                    f"shown with {into}'s.",
                )

            return deps.run(merge)
        case cmd.Add():
            return deps.run(lambda s: _add(deps, s, command, where))
        case cmd.Reviews(kind, share):

            def reviews(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                found = list_reviews(s, actor, kind)
                title = f"Reviews{f' of type “{kind}”' if kind else ''}"
                return Answer.of(
                    bk.render_review_list(found, title=title, shared=share), share=share
                )

            return deps.run(reviews)
        case cmd.ShowReview(ref, share):

            def review(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                found = _review(s, actor, ref)
                rules = deps.rules
                page = page_actions(
                    s,
                    ActionFilter(review_id=found.id),
                    now,
                    rules,
                    viewer=actor,
                    limit=bk.PAGE_SIZE,
                )
                blocks = bk.render_review(found, page, actor, rules=rules, shared=share)
                return Answer.of(blocks, share=share)

            return deps.run(review)
        case cmd.Digest(code):

            def digest(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                committee = _digest_committee(s, actor, code, where)
                allowed = can_preview_digest(actor, committee.id)
                if not allowed:
                    raise Refused(allowed.reason)
                parts = preview_digest(s, committee.id, now, deps.rules)
                note = "Preview: only you can see this."
                if len(parts) > 1:
                    note += f" When posted, it continues in {len(parts) - 1} more message(s) in a thread."
                blocks = [bk.context(note), *parts[0]["blocks"]]
                return Answer.of(blocks)

            return deps.run(digest)
        case cmd.Report(fmt):
            return _report(deps, where, fmt)
        case cmd.Import():

            def import_form(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                if not actor.is_admin:
                    raise Refused(IMPORT_REFUSED)
                meta = bk.metadata(response_url=where.response_url)
                return Answer("Import a document", modal=bk.import_modal(meta))

            return deps.run(import_form)
        case cmd.ThemeChange(ref, add, remove, confirm):

            def theme(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                if not (add or remove or confirm):
                    return Answer.of(bk.render_item_themes(themes.item_themes(s, actor, ref)))
                item = themes.change_themes(
                    s, actor, ref, add=add, remove=remove, confirm=confirm, now=now
                )
                current = ", ".join(m.code for m in item.current) or "none"
                return Answer.of(bk.render_item_themes(item, f"Themes of {item.ref}: {current}."))

            return deps.run(theme)
        case cmd.Themes(code, share):

            def recurring(s: Session) -> Answer:
                actor = _actor(s, where.user_id)
                rows = themes.recurring(s, actor, now, deps.rules, code=code)
                if code is not None:
                    return Answer.of(bk.render_theme(rows[0], shared=share), share=share)
                return Answer.of(bk.render_themes(rows, shared=share), share=share)

            return deps.run(recurring)
    raise AssertionError(f"unhandled command {type(command).__name__}")  # pragma: no cover


def _review_day(text: str | None, now: datetime, rules: BragRules, verb: str) -> date | None:
    """The impact review date `text` gives (read as `/lscb due` reads dates), or None when it is
    not a date (then it is evidence). A date that does not exist is refused, not taken as
    evidence: "review 31/02/2027" meant a date."""
    if not text:
        return None
    try:
        return parse_date(text, local_date(now, rules.tz))
    except ImpossibleDate as e:
        raise cmd.CommandError(str(e), cmd.USAGE[verb]) from None
    except DateError:
        return None


def slack_profile(deps: Deps, user_id: str) -> dict[str, Any] | None:
    """Name, time zone and e-mail of a Slack user the app does not know yet (users.info)."""
    with deps.session_factory() as s:
        if person_by_slack_id(s, user_id) is not None:
            return None
    try:
        user = deps.client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        raise InvalidInput(
            f"Slack could not tell me who <@{user_id}> is ({e.response.get('error', 'error')})."
        ) from None
    if user.get("deleted"):
        raise InvalidInput(f"<@{user_id}>'s Slack account is deactivated.")
    if user.get("is_bot"):
        raise InvalidInput(f"<@{user_id}> is a bot: actions need a person.")
    profile = user.get("profile") or {}
    name = user.get("real_name") or profile.get("real_name") or user.get("name") or user_id
    return {"name": str(name), "tz": user.get("tz"), "email": profile.get("email")}


def slack_person(s: Session, user_id: str, profile: dict[str, Any] | None) -> Person | None:
    """The person with this Slack id. `profile` is `slack_profile`'s answer: with one, the person
    was not known a moment ago, so add them (add_slack_person looks once more, in this unit of
    work, and keeps anyone added meanwhile); without one they were known, so just look them up."""
    if profile is not None:
        return add_slack_person(s, user_id, **profile)
    return person_by_slack_id(s, user_id)


def _committee(s: Session, code: str) -> Committee:
    return require_committee(s, code)


def _review(s: Session, actor: Actor, ref: str) -> Review:
    return visible_review(s, actor, ref)


def visible_review(s: Session, actor: Actor, ref: str, *, field: str | None = None) -> Review:
    """The one review `ref` names among those `actor` may see; several are listed to choose
    from. Reviews the person may not see are never counted or named: the answer is the same
    whether they exist or not."""
    found = [r for r in find_reviews(s, ref) if can_see_review(actor, r)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput(
            f"No review you can see matches “{bk.escape(bk.clip(ref, 40))}”. "
            "`/lscb reviews` lists them.",
            field=field,
        )
    shown = "; ".join(f"{r.ref} {bk.escape(bk.clip(r.name, 80))}" for r in found[:8])
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    raise InvalidInput(
        f"“{bk.escape(bk.clip(ref, 40))}” matches {len(found)} reviews: {shown}{more}. "
        "Give its reference, like R-3.",
        field=field,
    )


def history_of(s: Session, action: Action, viewer: Actor) -> dict[str, Any]:
    """What a card needs to show the action's history in people's words: its events, the
    actions merged into it with theirs, and the names of the Slack ids they mention."""
    events = load_events(s, action)
    duplicates = [(d, load_events(s, d)) for d in ops.duplicates_of(s, action)]
    ids_seen = slack_ids_in(events)
    for d, evs in duplicates:
        if can_see(viewer, d):
            ids_seen |= slack_ids_in(evs)
    return {
        "events": events,
        "duplicates": duplicates,
        "names": names_of_slack_ids(s, ids_seen),
    }


def _channel_committee(s: Session, where: Where) -> Committee | None:
    if not where.channel_id:
        return None
    return committee_for_channel(s, where.channel_id, where.channel_name)


def _digest_committee(s: Session, actor: Actor, code: str | None, where: Where) -> Committee:
    if code:
        return _committee(s, code)
    here = _channel_committee(s, where)
    if here is not None:
        return here
    chaired = [c for c in all_committees(s) if c.id in actor.chairs]
    if len(chaired) == 1:
        return chaired[0]
    raise cmd.CommandError("Which committee's digest?", cmd.USAGE["digest"])


SCOPE_TITLES = {
    "mine": "Your actions",
    "all": "Current actions",
    "overdue": "Overdue actions",
    "due": "Actions due soon",
    "unassigned": "Unassigned actions (no owner or no due date)",
    "drift": "Drifting actions (no recent update)",
    "complete": "Complete actions awaiting sign-off",
}
SCOPE_STATUS = {"mine": "current", "all": "current", "complete": "complete"}


def _list(deps: Deps, s: Session, c: cmd.ListActions, where: Where, offset: int) -> Answer:
    actor = _actor(s, where.user_id)
    scope = c.scope or ("mine" if not (c.person or c.channel or c.committee or c.review) else "all")
    owner_id = None
    if scope == "mine" and not c.person:
        if actor.person_id is None:
            return Answer.say(
                "You are not in the organisation file, so you own no actions. "
                "`/lscb actions all` lists the actions you can see."
            )
        owner_id = actor.person_id
    code = c.committee
    if c.channel is not None:
        committee = committee_for_channel(s, c.channel.id, c.channel.name)
        if committee is None:
            raise NotFound(f"No committee uses <#{c.channel.id}>. Try `committee CODE` instead.")
        code = committee.code
    elif code:
        code = _committee(s, code).code
    review = _review(s, actor, c.review) if c.review else None
    f = ActionFilter(
        status=SCOPE_STATUS.get(scope, scope),
        owner_id=owner_id,
        owner_slack_id=c.person,
        committee_code=code,
        review_id=review.id if review else None,
    )
    rules = deps.rules
    page = page_actions(s, f, deps.now(), rules, viewer=actor, offset=offset, limit=bk.PAGE_SIZE)
    title = SCOPE_TITLES[scope]
    if c.person:
        title += f" owned by <@{c.person}>" if scope != "mine" else f" of <@{c.person}>"
    if code:
        title += f" · {code}"
    if review is not None:
        title += f" · {review.ref}"
    blocks = bk.render_action_page(
        page.rows,
        actor,
        offset=page.offset,
        total=page.total,
        counts=page.counts_by_brag,
        title=title,
        rules=rules,
        command_text=where.text,
        shared=c.share,
        empty="Nothing here." if scope != "mine" else "You own no current actions.",
    )
    if scope == "mine" and not c.share:
        blocks.append(
            bk.context("Everyone's: `/lscb actions all` · by committee: `committee CODE`")
        )
    if scope == "unassigned" and actor.is_admin and not c.share:
        blocks.extend(_kept_by_name(s))
    return Answer.of(blocks, share=c.share)


KEPT_BY_NAME_SHOWN = 20


def _kept_by_name(s: Session) -> list[dict[str, Any]]:
    """For admins triaging: owners an import kept by name, in neither the organisation file
    nor Slack, with their open actions (at most `KEPT_BY_NAME_SHOWN` people)."""
    kept = owners_kept_by_name(s)
    if not kept:
        return []
    lines = [
        f"• {bk.escape(name)}: "
        + ", ".join(action_ref(n) for n in numbers[:10])
        + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
        for name, numbers in kept[:KEPT_BY_NAME_SHOWN]
    ]
    if len(kept) > KEPT_BY_NAME_SHOWN:
        lines.append(f"…and {len(kept) - KEPT_BY_NAME_SHOWN} more people")
    return [
        bk.section(
            "*Owners kept by name from an import* (not in the organisation file, not in "
            "Slack: reminded through their committee's channel)\n" + "\n".join(lines)
        ),
        bk.context(
            "Check each name, then add the person to the organisation file (`lscb org load`), "
            "or give the actions another owner with `/lscb assign A-12 @person`."
        ),
    ]


def _add(deps: Deps, s: Session, c: cmd.Add, where: Where) -> Answer:
    actor = _actor(s, where.user_id)
    committee = _committee(s, c.committee) if c.committee else _channel_committee(s, where)
    if c.text is None:
        # The form lets a chair pick the committee; an admin may add anywhere.
        decision = check(
            actor,
            Op.CREATE,
            committee_id=committee.id if committee else next(iter(actor.chairs), None),
        )
        if not decision:
            raise Refused(decision.reason)
        if c.review:
            _review(s, actor, c.review)  # the form is not opened on a review out of reach
        meta = bk.metadata(response_url=where.response_url)
        return Answer(
            "Add an action",
            modal=bk.add_modal(
                all_committees(s),
                meta,
                c.review,
                committee=committee.code if committee else None,
                people=people_not_in_slack(s),
            ),
        )
    review = _review(s, actor, c.review) if c.review else None
    action = ops.create_action(
        s, actor, text=c.text, now=deps.now(), review=review, committee=committee
    )
    card = _card(deps, s, actor, action.ref, f"Added {action.ref}.")
    card.blocks.append(
        bk.context(
            f"Give it an owner and a date: `/lscb assign {action.ref} @person` and "
            f"`/lscb due {action.ref} <date> <reason>`"
        )
    )
    return card


def people_not_in_slack(s: Session) -> list[Person]:
    """People the add form offers beside Slack's picker: owners named in the organisation file
    who have no Slack account."""
    return list(
        s.scalars(
            select(Person)
            .where(Person.slack_id.is_(None), Person.active.is_(True))
            .order_by(Person.name)
            .limit(100)
        )
    )


def _report(deps: Deps, where: Where, fmt: str) -> Answer:
    if importlib.util.find_spec("reports.export") is None:
        return Answer.say("Board reports are not available from Slack yet.")
    from reports import export
    from reports.paper import board_paper

    def build(s: Session) -> Answer:
        actor = _actor(s, where.user_id)
        if fmt == "paper":
            # Tabled in public: confidential reviews by reference only, whoever asks.
            filename, content = board_paper(s, deps.now(), deps.rules)
            title = "Board paper (Word)"
            return Answer(title, bk.reply(title), upload=(filename, content))
        filename, content = export(s, actor, fmt, deps.now(), deps.rules)
        return Answer(
            f"Board report ({fmt})", bk.reply(f"Board report ({fmt})"), upload=(filename, content)
        )

    return deps.run(build)


def home_view(deps: Deps, user_id: str) -> dict[str, Any]:
    """App Home: my actions by BRAG; for chairs and admins, their committees' trouble spots."""
    now = deps.now()
    rules = deps.rules  # one reading for the whole tab: the ratings and their names agree

    def build(s: Session) -> dict[str, Any]:
        actor = _actor(s, user_id)
        mine = []
        if actor.person_id is not None:
            mine = list_actions(
                s, ActionFilter(status="current", owner_id=actor.person_id), now, rules
            )
            # Soonest due first; build_home splits them by BRAG, keeping this order in each group.
            mine.sort(key=lambda r: r[0].due_date or now.date())
        committees = [c for c in all_committees(s) if actor.is_admin or c.id in actor.chairs]
        watches: list[bk.CommitteeWatch] = []
        if committees:
            # The weekly digest's sections, counted in the database; the first few of each.
            since = now - timedelta(days=7)
            per_section = 3 if len(committees) == 1 else 1
            found = digest.committee_sections(
                s, [c.id for c in committees], now, rules, actor, per_section, since
            )
            names = {
                "amber": rules.amber_days,
                "drift": rules.drift_days,
                "since": f"{local_date(since, rules.tz):%d/%m/%Y}",
            }
            for c in committees:
                here = found[c.id]
                watches.append(
                    bk.CommitteeWatch(
                        c,
                        [
                            bk.WatchSection(
                                sec.title.format(**names),
                                here.counts.get(sec.key, 0),
                                here.rows.get(sec.key, []),
                                f"`/lscb digest committee {c.code}`",
                            )
                            for sec in digest.SECTIONS
                        ],
                    )
                )
        mode = None
        if actor.person_id is not None:
            mode = notices.mode_of(s.get(Person, actor.person_id))
        return bk.build_home(actor, mine, rules, watches, notice_mode=mode)

    return deps.run(build)
