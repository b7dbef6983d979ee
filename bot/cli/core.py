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
from models.actions import get_action
from models.brag import rate
from models.migrate import upgrade
from models.org import OrgFileError, apply_org, read_org_file
from models.queries import ActionFilter, action_to_dict, event_to_dict, list_actions, load_events
from models.schema import Committee, Person


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
    ls.add_argument("--owner", metavar="SLACK_ID")
    ls.add_argument("--committee", metavar="CODE")
    ls.add_argument("--json", action="store_true")
    add_now_argument(ls)
    ls.set_defaults(func=cmd_actions_list)

    show = sub.add_parser("show", help="one action and its history")
    show.add_argument("ref", help="A-12")
    show.add_argument("--json", action="store_true")
    add_now_argument(show)
    show.set_defaults(func=cmd_show)


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
        summary = apply_org(s, org)
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
        "changed": summary.changed,
    }
    if args.json:
        emit_json(result)
    else:
        state = "updated" if summary.changed else "already up to date"
        print(
            f"Organisation {state}: {committees} committees, {people} people "
            f"(+{summary.committees_added} committees, +{summary.people_added} people, "
            f"{summary.committees_updated + summary.people_updated} changed, "
            f"roles +{summary.roles_added}/-{summary.roles_removed}).",
            file=sys.stderr,
        )
    return 0


def cmd_actions_list(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    f = ActionFilter(
        status=args.status, brag=args.brag, owner_slack_id=args.owner, committee_code=args.committee
    )
    now = ctx.clock.now()
    with store.session_factory() as s:
        rows = list_actions(s, f, now, ctx.settings.brag_rules)
        data = [action_to_dict(a, r) for a, r in rows]
    if args.json:
        emit_json(data)
        return 0
    if not data:
        print("No actions match.", file=sys.stderr)
        return 0
    for d in data:
        due = d["due_date"] or "no date"
        owner = d["owner"] or "no owner"
        text = d["text"] if len(d["text"]) <= 70 else d["text"][:69] + "…"
        print(
            f"{d['ref']:>7}  {d['brag']:<10} {d['status']:<12} {due:<10}  {d['committee'] or '-':<6} {owner:<20} {text}"
        )
    print(f"{len(data)} actions.", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    now = ctx.clock.now()
    with store.session_factory() as s:
        action = get_action(s, args.ref)
        data = action_to_dict(action, rate(action, now, ctx.settings.brag_rules))
        data["findings"] = [{"number": f.number, "text": f.text} for f in action.findings]
        data["events"] = [event_to_dict(e) for e in load_events(s, action)]
    if args.json:
        emit_json(data)
        return 0
    print(f"{data['ref']} [{data['brag']}] {data['status']}: {data['text']}")
    print(
        f"  owner: {data['owner'] or '-'}  committee: {data['committee'] or '-'}  due: {data['due_date'] or '-'}"
    )
    if data["review"]:
        print(f"  review: {data['review']} ({data['review_ref']})")
    for e in data["events"]:
        change = f"{e['before'] or ''} → {e['after'] or ''}" if (e["before"] or e["after"]) else ""
        print(f"  {e['at'][:16]}  {e['actor_name']:<20} {e['kind']:<9} {change} {e['note'] or ''}")
    return 0
