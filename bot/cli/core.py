"""Core subcommands: db, org, actions, show."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select

from bot.cli.base import (
    CliContext,
    CliError,
    add_now_argument,
    emit_json,
    path_arg,
    subcommand_group,
)
from models import actions as ops
from models.actions import get_action
from models.brag import rate
from models.calendar import LONDON
from models.history import event_words, slack_ids_in
from models.migrate import upgrade
from models.org import OrgFileError, apply_org, org_brag_rules, read_org_file
from models.people import names_of_slack_ids, person_by_slack_id_or_name
from models.permissions import Actor
from models.queries import (
    ActionFilter,
    action_to_dict,
    event_to_dict,
    list_actions,
    load_events,
    require_committee,
)
from models.schema import Action, Committee, Person
from models.words import plural

# The command line is the business unit's own tool: it acts as an admin, and says so in the
# history.
CLI_ACTOR = Actor.system("command line")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    up = db_sub.add_parser("upgrade", help="create or upgrade the tables to the latest version")
    up.set_defaults(func=cmd_db_upgrade)

    org_sub = subcommand_group(sub, "org", "the organisation: committees, people, roles")
    load = org_sub.add_parser("load", help="load committees, people and roles from a TOML file")
    load.add_argument("file", type=path_arg)
    load.add_argument("--json", action="store_true", help="print a JSON summary")
    load.set_defaults(func=cmd_org_load)

    actions = sub.add_parser("actions", help="list actions")
    act_sub = actions.add_subparsers(dest="actions_command", metavar="SUBCOMMAND", required=True)
    ls = act_sub.add_parser("list", help="list actions with their BRAG rating")
    ls.add_argument(
        "--status",
        help="not-started, in-progress, complete, signed-off, cancelled, unassigned, open, overdue, drift, due",
    )
    ls.add_argument("--brag", help="blue, red, amber, green, unassigned")
    ls.add_argument("--owner", metavar="SLACK_ID|NAME", help="a Slack id, or a person's name")
    ls.add_argument("--committee", metavar="CODE")
    ls.add_argument("--json", action="store_true")
    add_now_argument(ls)
    ls.set_defaults(func=cmd_actions_list)

    show = sub.add_parser("show", help="one action and its history")
    show.add_argument("ref", help="A-12")
    show.add_argument("--json", action="store_true")
    add_now_argument(show)
    show.set_defaults(func=cmd_show)

    cancel = sub.add_parser("cancel", help="cancel an action, with the reason")
    cancel.add_argument("ref", help="A-12")
    cancel.add_argument("reason", nargs="+")
    cancel.add_argument("--json", action="store_true")
    cancel.set_defaults(func=cmd_cancel)

    edit = sub.add_parser("edit", help="change an action's wording (the old one is kept)")
    edit.add_argument("ref", help="A-12")
    edit.add_argument("text", nargs="+", help="the new wording")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(func=cmd_edit)

    merge = sub.add_parser(
        "merge", help="merge a duplicate into another action: lscb merge A-24 into A-28 REASON"
    )
    merge.add_argument("ref", help="the duplicate, A-24")
    merge.add_argument("rest", nargs="+", metavar="[into] A-28 REASON")
    merge.add_argument("--json", action="store_true")
    merge.set_defaults(func=cmd_merge)

    assign = sub.add_parser("assign", help="give an action an owner (a Slack id or a name)")
    assign.add_argument("ref", help="A-12")
    assign.add_argument("owner", nargs="*", metavar="SLACK_ID|NAME")
    assign.add_argument("--committee", metavar="CODE")
    assign.add_argument("--json", action="store_true")
    assign.set_defaults(func=cmd_assign)


def cmd_db_upgrade(args: argparse.Namespace, ctx: CliContext) -> int:
    upgrade(ctx.settings.database_url)
    print("Database is at the latest version.", file=sys.stderr)
    return 0


def cmd_org_load(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        org = read_org_file(args.file)
    except OrgFileError as e:
        raise CliError(str(e)) from None
    store = ctx.store()
    with store.session_factory.begin() as s:
        summary = apply_org(s, org, now=ctx.clock.now())
        committees = s.scalars(select(func.count()).select_from(Committee)).one()
        people = s.scalars(select(func.count()).select_from(Person)).one()
    result = {
        "committees": committees,
        "people": people,
        "committees_added": summary.committees_added,
        "committees_updated": summary.committees_updated,
        "people_added": summary.people_added,
        "people_updated": summary.people_updated,
        "roles_added": summary.roles_added,
        "roles_removed": summary.roles_removed,
        "people_dropped": summary.people_dropped,
        "dropped_owners": [
            {"name": name, "actions": refs} for name, refs in summary.dropped_owners
        ],
        "changed": summary.changed,
    }
    if args.json:
        emit_json(result)
    else:
        state = "updated" if summary.changed else "already up to date"
        print(
            f"Organisation {state}: {plural(committees, 'committee')}, "
            f"{plural(people, 'person', 'people')} "
            f"(+{summary.committees_added} committees, +{summary.people_added} people, "
            f"{summary.committees_updated + summary.people_updated} changed, "
            f"roles +{summary.roles_added}/-{summary.roles_removed}"
            + (
                f", {plural(summary.people_dropped, 'person', 'people')} dropped"
                if summary.people_dropped
                else ""
            )
            + ").",
            file=sys.stderr,
        )
    for name, refs in summary.dropped_owners:
        n = len(refs)
        print(
            f"Warning: {name} is no longer in the organisation file; the "
            f"{plural(n, 'current action')} they owned now {'has' if n == 1 else 'have'} no owner "
            f"and {'is' if n == 1 else 'are'} listed by `/lscb actions unassigned`: "
            f"{', '.join(refs)}.",
            file=sys.stderr,
        )
    return 0


def status_word(value: str) -> str:
    """A status as the command line's flags spell it: not-started, in-progress, signed-off."""
    return value.replace("_", "-")


def cmd_actions_list(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    now = ctx.clock.now()
    with store.session_factory() as s:
        owner_id = None
        if args.owner:
            owner_id = person_by_slack_id_or_name(s, args.owner).id
        code = require_committee(s, args.committee).code if args.committee else None
        f = ActionFilter(status=args.status, brag=args.brag, owner_id=owner_id, committee_code=code)
        rows = list_actions(s, f, now, org_brag_rules(s, ctx.settings.brag_rules))
        data = [action_to_dict(a, r) for a, r in rows]
    if args.json:
        emit_json(data)
        return 0
    if not data:
        print("No actions match.", file=sys.stderr)
        return 0
    for d in data:
        due = _day_first(d["due_date"]) or "no date"
        owner = d["owner"] or "no owner"
        text = d["text"] if len(d["text"]) <= 70 else d["text"][:69] + "…"
        print(
            f"{d['ref']:>7}  {d['brag']:<10} {status_word(d['status']):<12} {due:<10}  {d['committee'] or '-':<6} {owner:<20} {text}"
        )
    print(f"{plural(len(data), 'action')}.", file=sys.stderr)
    return 0


def _day_first(iso: str | None) -> str | None:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else None


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    now = ctx.clock.now()
    with store.session_factory() as s:
        action = get_action(s, args.ref)
        data = action_to_dict(action, rate(action, now, org_brag_rules(s, ctx.settings.brag_rules)))
        data["findings"] = [{"number": f.number, "text": f.text} for f in action.findings]
        events = load_events(s, action)
        data["events"] = [event_to_dict(e) for e in events]
        data["source_url"] = action.source_url
        data["evidence_links"] = action.evidence_link_list
        data["reopen_reason"] = action.reopen_reason
        data["duplicate_of"] = action.duplicate_of.ref if action.duplicate_of else None
        duplicates = ops.duplicates_of(s, action)
        data["duplicates"] = [d.ref for d in duplicates]
        dup_events = {d.ref: load_events(s, d) for d in duplicates}
        seen = slack_ids_in(events)
        for evs in dup_events.values():
            seen |= slack_ids_in(evs)
        names = names_of_slack_ids(s, seen)
        lines = [_event_line(e, names) for e in events]
        for ref, evs in dup_events.items():
            lines += [f"{ref}: {_event_line(e, names)}" for e in evs]
    if args.json:
        emit_json(data)
        return 0
    print(f"{data['ref']} [{data['brag']}] {status_word(data['status'])}: {data['text']}")
    print(
        f"  owner: {data['owner'] or '-'}  committee: {data['committee'] or '-'}  "
        f"due: {_day_first(data['due_date']) or '-'}"
    )
    if data["review"]:
        print(f"  review: {data['review']} ({data['review_ref']})")
    if data["reopen_reason"]:
        print(f"  reopened: {data['reopen_reason']}")
    for title, key in (
        ("evidence of completion", "evidence_of_completion"),
        ("evidence of impact", "evidence_of_impact"),
    ):
        if data[key]:
            print(f"  {title}: {data[key]}")
    for link in data["evidence_links"]:
        print(f"  evidence: {link}")
    if data["source_url"]:
        print(f"  source: {data['source_url']}")
    if data["duplicate_of"]:
        print(f"  merged into {data['duplicate_of']} as a duplicate")
    if data["duplicates"]:
        print(f"  duplicates merged in: {', '.join(data['duplicates'])}")
    print("  history:")
    for line in lines:
        print(f"    {line}")
    return 0


def _event_line(e: object, names: dict[str, str]) -> str:
    from models.schema import ActionEvent

    assert isinstance(e, ActionEvent)
    who = e.actor.name if e.actor is not None else names.get(e.actor_label, e.actor_label)
    local = e.at.astimezone(LONDON)
    return f"{local:%d/%m/%Y %H:%M}  {who}: {event_words(e.kind, e.before, e.after, e.note, names)}"


def _changed(ctx: CliContext, ref: str, change: object, done: str, as_json: bool) -> int:
    """Run one change as the business unit, then say what was done (or print the action)."""
    store = ctx.store()
    now = ctx.clock.now()
    with store.session_factory.begin() as s:
        assert callable(change)
        action: Action = change(s, now)
        data = action_to_dict(action, rate(action, now, org_brag_rules(s, ctx.settings.brag_rules)))
    if as_json:
        emit_json(data)
    else:
        print(done.format(ref=data["ref"]), file=sys.stderr)
    return 0


def cmd_cancel(args: argparse.Namespace, ctx: CliContext) -> int:
    reason = " ".join(args.reason)
    return _changed(
        ctx,
        args.ref,
        lambda s, now: ops.cancel(s, CLI_ACTOR, args.ref, reason=reason, now=now),
        "{ref} cancelled.",
        args.json,
    )


def cmd_edit(args: argparse.Namespace, ctx: CliContext) -> int:
    text = " ".join(args.text)
    return _changed(
        ctx,
        args.ref,
        lambda s, now: ops.edit(s, CLI_ACTOR, args.ref, text=text, now=now),
        "{ref} reworded; the old wording is kept in its history.",
        args.json,
    )


def cmd_merge(args: argparse.Namespace, ctx: CliContext) -> int:
    rest = list(args.rest)
    if rest and rest[0].lower() == "into":
        rest = rest[1:]
    if len(rest) < 2:
        raise CliError(
            f"say which action {args.ref} duplicates, and why: lscb merge {args.ref} into A-28 REASON"
        )
    into, reason = rest[0], " ".join(rest[1:])

    def merge(s: object, now: object) -> Action:
        _, target = ops.merge(s, CLI_ACTOR, args.ref, into=into, reason=reason, now=now)  # type: ignore[arg-type]
        return target

    return _changed(
        ctx,
        args.ref,
        merge,
        f"{ops.get_ref(args.ref)} merged into {{ref}} as a duplicate and cancelled.",
        args.json,
    )


def cmd_assign(args: argparse.Namespace, ctx: CliContext) -> int:
    who = " ".join(args.owner).strip()
    if not who and not args.committee:
        raise CliError(
            f"who will own {args.ref}? lscb assign {args.ref} SLACK_ID|NAME [--committee CODE]"
        )

    def assign(s: object, now: object) -> Action:
        owner = person_by_slack_id_or_name(s, who) if who else None  # type: ignore[arg-type]
        committee = require_committee(s, args.committee) if args.committee else None  # type: ignore[arg-type]
        return ops.assign(s, CLI_ACTOR, args.ref, owner=owner, committee=committee, now=now)  # type: ignore[arg-type]

    return _changed(ctx, args.ref, assign, "{ref} assigned.", args.json)
