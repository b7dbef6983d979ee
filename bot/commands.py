"""The `/lscb` grammar: command text in, a typed command out (or a CommandError saying why).

Pure: no database, no Slack. Forgiving of case and spacing. With Slack's escaping on, a mention
arrives as `<@U123|name>` and a channel as `<#C123|name>`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from models.actions import UPDATE_WORDS, normalise_update_word
from models.errors import clean_text, typed

USAGE: dict[str, str] = {
    "help": "/lscb help",
    "actions": "/lscb actions [mine|all|overdue|due|unassigned|drift|complete] [@person] "
    "[#channel | committee CODE] [review REF] [share]",
    "show": "/lscb show A-12 [share]",
    "update": "/lscb update A-12 <not-started|in-progress|on-track|at-risk|off-track> [note]",
    "note": "/lscb note A-12 <progress note>",
    "done": "/lscb done A-12 <evidence of completion>",
    "signoff": "/lscb signoff A-12 <evidence of impact | review <date>>",
    "reopen": "/lscb reopen A-12 <reason>",
    "due": "/lscb due A-12 <date> <reason>",
    "assign": '/lscb assign A-12 <@person | "Name"> [committee CODE]',
    "add": "/lscb add [review REF] [committee CODE] [text]",
    "cancel": "/lscb cancel A-12 <reason>",
    "edit": "/lscb edit A-12 <new wording>",
    "merge": "/lscb merge A-24 into A-28 <reason>",
    "reviews": "/lscb reviews [type] [share]",
    "review": "/lscb review REF [share]",
    "digest": "/lscb digest [committee CODE]",
    "report": "/lscb report [xlsx|csv|paper]",
    "import": "/lscb import",
    "theme": "/lscb theme A-12|R-3.2 [+code] [-code] [confirm]",
    "themes": "/lscb themes [CODE] [share]",
    "measure": "/lscb measure A-12 <how we will know it worked>",
    "impact": "/lscb impact A-12 <evidence of impact | review <date>>",
}

VERB_ALIASES = {
    "list": "actions",
    "action": "actions",
    "ls": "actions",
    "sign-off": "signoff",
    "sign_off": "signoff",
    "signed-off": "signoff",
    "complete": "done",
    "notes": "note",
    "date": "due",
    "reassign": "assign",
    "new": "add",
    "create": "add",
    "?": "help",
    "-h": "help",
    "--help": "help",
    "export": "report",
    "withdraw": "cancel",
    "reword": "edit",
    "duplicate": "merge",
    "measures": "measure",
}

SCOPES = ("mine", "all", "overdue", "due", "unassigned", "drift", "complete")
SCOPE_ALIASES = {
    "my": "mine",
    "me": "mine",
    "everyone": "all",
    "late": "overdue",
    "soon": "due",
    "drifting": "drift",
    "completed": "complete",
    "awaiting": "complete",
}
REPORT_FORMATS = ("xlsx", "csv", "paper")
REPORT_ALIASES = {"docx": "paper", "word": "paper", "board": "paper", "board-paper": "paper"}
# "review in 6 months", "re-audit on 31/03/2027": a sign-off's impact review date, not evidence.
REVIEW_DATE = re.compile(
    r"^(?:impact\s+)?(?:review|re-?audit|check)(?:\s+(?:on|by|date|it))?\s*:?\s+(\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
# The keyword with no date after it ("review", "re-audit on"): a date is missing.
REVIEW_ALONE = re.compile(
    r"^(?:impact\s+)?(?:review|re-?audit|check)(?:\s+(?:on|by|date|it))?\s*:?$", re.IGNORECASE
)

MENTION = re.compile(r"^<@([UW][A-Z0-9]{1,30})(?:\|[^>]*)?>$")
CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{1,30})(?:\|([^>]*))?>$")
REF = re.compile(r"^a\s*-?\s*(\d{1,9})$", re.IGNORECASE)
CODE = re.compile(r"^[A-Za-z0-9&_\-]{1,32}$")
REVIEW_REF = re.compile(r"^r-?(\d{1,9})$", re.IGNORECASE)
# A mention or channel may carry spaces in its label (`<@U1|Jane Smith>`): keep it one token.
TOKEN = re.compile(r"<[^<>]*>|\"[^\"]*\"?|“[^”]*”?|\S+")


class CommandError(ValueError):
    """What was wrong with the command text, and the form that would work."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def __str__(self) -> str:
        if self.usage:
            return f"{self.message}\nThe form is `{self.usage}`"
        return self.message


@dataclass(frozen=True)
class Channel:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ListActions:
    scope: str | None = None  # one of SCOPES; None means "mine"
    person: str | None = None  # Slack user id
    channel: Channel | None = None
    committee: str | None = None
    review: str | None = None
    share: bool = False


@dataclass(frozen=True)
class Show:
    ref: str
    share: bool = False


@dataclass(frozen=True)
class Update:
    ref: str
    word: str
    note: str | None = None


@dataclass(frozen=True)
class Note:
    ref: str
    text: str


@dataclass(frozen=True)
class Done:
    ref: str
    evidence: str


@dataclass(frozen=True)
class SignOff:
    ref: str
    impact: str | None = None
    # The text after "review" when the rest may be a date: the handler reads it with the clock,
    # and takes the whole text as evidence of impact when it is not a date.
    review_on: str | None = None


@dataclass(frozen=True)
class Measure:
    ref: str
    text: str


@dataclass(frozen=True)
class Impact:
    ref: str
    evidence: str
    review_on: str | None = None  # as for SignOff


@dataclass(frozen=True)
class Reopen:
    ref: str
    reason: str


@dataclass(frozen=True)
class Due:
    ref: str
    rest: str  # "<date> <reason>": the date is read with the clock, by the handler


@dataclass(frozen=True)
class Assign:
    ref: str
    user_id: str | None  # a Slack user, or
    committee: str | None = None
    name: str | None = None  # the name of someone in the organisation file (not in Slack)


@dataclass(frozen=True)
class Cancel:
    ref: str
    reason: str


@dataclass(frozen=True)
class Edit:
    ref: str
    text: str


@dataclass(frozen=True)
class Merge:
    ref: str
    into: str
    reason: str


@dataclass(frozen=True)
class Add:
    review: str | None = None
    committee: str | None = None
    text: str | None = None  # None: open the form


@dataclass(frozen=True)
class Reviews:
    type: str | None = None
    share: bool = False


@dataclass(frozen=True)
class ShowReview:
    ref: str
    share: bool = False


@dataclass(frozen=True)
class Digest:
    committee: str | None = None


@dataclass(frozen=True)
class Report:
    format: str = "xlsx"


@dataclass(frozen=True)
class Import:
    """Admins: a form to upload an index or tracker, then a preview to confirm."""


@dataclass(frozen=True)
class ThemeChange:
    """`/lscb theme REF …`: with no change, show the item's themes and what suggested them."""

    ref: str  # an action or a finding (R-3.2: review R-3, its second finding)
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    confirm: bool = False


@dataclass(frozen=True)
class Themes:
    code: str | None = None
    share: bool = False


Command = (
    Help
    | ListActions
    | Show
    | Update
    | Note
    | Done
    | SignOff
    | Reopen
    | Due
    | Assign
    | Cancel
    | Edit
    | Merge
    | Add
    | Reviews
    | ShowReview
    | Digest
    | Report
    | Import
    | ThemeChange
    | Themes
    | Measure
    | Impact
)


def _quote(text: str, limit: int = 40) -> str:
    """What was typed, quoted back inert (no live mention or link in the app's voice)."""
    return typed(text.replace("`", "'"), limit)


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _unquote(token: str) -> str:
    return token.strip('"“”').strip()


def _ref(verb: str, token: str | None) -> str:
    if token is None:
        raise CommandError(f"`{verb}` needs an action reference, like A-12.", USAGE[verb])
    m = REF.match(token)
    if not m:
        raise CommandError(
            f"“{_quote(token)}” is not an action reference: they look like A-12.", USAGE[verb]
        )
    return f"A-{int(m[1])}"


def _split_ref(verb: str, rest: str) -> tuple[str, str]:
    """The action reference at the start of `rest` (`A-12`, `a12`, `A - 12`) and what follows."""
    m = re.match(r"^\s*(a\s*-?\s*\d{1,9})\b(.*)$", rest, re.IGNORECASE | re.DOTALL)
    if m:
        return _ref(verb, m[1]), m[2].strip()
    first = rest.split(None, 1)
    return _ref(verb, first[0] if first else None), ""


def _code(verb: str, token: str | None) -> str:
    if token is None or not CODE.match(token):
        raise CommandError(
            "`committee` needs a committee code, like QAEC."
            if token is None
            else f"“{_quote(token)}” is not a committee code (codes look like QAEC).",
            USAGE[verb],
        )
    return token.upper()


def _take_share(tokens: list[str]) -> tuple[list[str], bool]:
    kept = [t for t in tokens if t.lower() not in ("share", "--share")]
    return kept, len(kept) != len(tokens)


def parse_command(text: str | None) -> Command:
    """Read the text after `/lscb`. Raises CommandError with a short reason and the right form."""
    text = clean_text(text or "").replace("\u00a0", " ").strip()
    if not text:
        return Help()
    head, _, rest = text.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + " " + rest
    verb = head.lower().strip()
    verb = VERB_ALIASES.get(verb, verb)
    rest = rest.strip()
    if verb == "sign" and rest.lower().startswith("off"):
        verb, rest = "signoff", rest[3:].strip()
    parser = _PARSERS.get(verb)
    if parser is None:
        close = difflib.get_close_matches(verb, list(USAGE), n=1, cutoff=0.6)
        hint = f" Did you mean `/lscb {close[0]}`?" if close else ""
        raise CommandError(
            f"I don't know the command “{_quote(head, 30)}”.{hint} `/lscb help` lists them all."
        )
    return parser(verb, rest)


def _help(verb: str, rest: str) -> Command:
    topic = rest.split()[0].lower() if rest.split() else None
    topic = VERB_ALIASES.get(topic, topic) if topic else None
    return Help(topic if topic in USAGE else None)


def _actions(verb: str, rest: str) -> Command:
    tokens, share = _take_share(_tokens(rest))
    scope = person = committee = review = None
    channel: Channel | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        low = SCOPE_ALIASES.get(low, low)
        if low in SCOPES:
            if scope is not None and scope != low:
                raise CommandError(
                    f"Choose one of {', '.join(SCOPES)} (you gave {scope} and {low}).", USAGE[verb]
                )
            scope = low
        elif m := MENTION.match(tok):
            if person is not None and person != m[1]:
                raise CommandError("Name one person at a time.", USAGE[verb])
            person = m[1]
        elif m := CHANNEL.match(tok):
            channel = Channel(m[1], (m[2] or None))
        elif low == "committee":
            i += 1
            committee = _code(verb, tokens[i] if i < len(tokens) else None)
        elif low == "review":
            i += 1
            if i >= len(tokens):
                raise CommandError("`review` needs a review reference, like R-3.", USAGE[verb])
            review = _unquote(tokens[i])
            if not review:
                raise CommandError("`review` needs a review reference, like R-3.", USAGE[verb])
        elif tok.startswith("@"):
            raise CommandError(
                f"Pick the person from Slack's list as you type @ (“{_quote(tok)}” was sent as "
                "plain text).",
                USAGE[verb],
            )
        elif tok.startswith("#"):
            raise CommandError(
                f"Pick the channel from Slack's list as you type # (“{_quote(tok)}” was sent as "
                "plain text), or use `committee CODE`.",
                USAGE[verb],
            )
        else:
            raise CommandError(f"I don't understand “{_quote(tok)}” here.", USAGE[verb])
        i += 1
    if channel is not None and committee is not None:
        raise CommandError("Give a #channel or a committee, not both.", USAGE[verb])
    return ListActions(scope, person, channel, committee, review, share)


def _show(verb: str, rest: str) -> Command:
    tokens, share = _take_share(_tokens(rest))
    ref, extra = _split_ref(verb, " ".join(tokens))
    if extra:
        raise CommandError(f"I don't understand “{_quote(extra)}” after {ref}.", USAGE[verb])
    return Show(ref, share)


def _update(verb: str, rest: str) -> Command:
    ref, after = _split_ref(verb, rest)
    words = after.split()
    if not words:
        raise CommandError(f"Say how {ref} is going.", USAGE[verb])
    for n in (2, 1):
        if len(words) >= n:
            key = normalise_update_word(" ".join(words[:n]))
            if key in UPDATE_WORDS:
                note = after.split(None, n)[n] if len(words) > n else None
                return Update(ref, key, note.strip() if note else None)
    raise CommandError(
        f"“{_quote(words[0], 30)}” is not a status: use one of {', '.join(UPDATE_WORDS)}.",
        USAGE[verb],
    )


def _text_command(
    what: str,
    cls: type[Note] | type[Done] | type[Reopen] | type[Cancel] | type[Edit] | type[Measure],
) -> Callable[[str, str], Command]:
    def parse(verb: str, rest: str) -> Command:
        ref, body = _split_ref(verb, rest)
        if not body:
            raise CommandError(f"{what} is needed for {ref}.", USAGE[verb])
        return cls(ref, body)

    return parse


def _review_date(body: str) -> str | None:
    m = REVIEW_DATE.match(body)
    return m[1].strip() if m else None


def signoff_forms(ref: str) -> str:
    """The two ways to sign off, as the sign-off form asks: evidence of impact, or a date."""
    return (
        f"`/lscb signoff {ref} <evidence of impact>`, or to check it later "
        f"`/lscb signoff {ref} review <date>` (e.g. `review in 6 months`, `review 31/03/2027`)"
    )


def _signoff(verb: str, rest: str) -> Command:
    """Sign-off asks for evidence of impact, or an impact review date: one of the two."""
    ref, body = _split_ref(verb, rest)
    if not body:
        raise CommandError(
            f"Signing off {ref} needs its evidence of impact, or a date to review it: "
            f"{signoff_forms(ref)}. Nothing was changed."
        )
    if REVIEW_ALONE.match(body):
        raise CommandError(
            f"When should the impact of {ref} be reviewed? {signoff_forms(ref)}. "
            "Nothing was changed."
        )
    return SignOff(ref, body, _review_date(body))


def _impact(verb: str, rest: str) -> Command:
    ref, body = _split_ref(verb, rest)
    if not body:
        raise CommandError(
            f"Give the evidence of impact for {ref}, or `review <date>` to check it later.",
            USAGE[verb],
        )
    return Impact(ref, body, _review_date(body))


def _due(verb: str, rest: str) -> Command:
    ref, body = _split_ref(verb, rest)
    if not body:
        raise CommandError(f"Give the new date for {ref}, and why it changes.", USAGE[verb])
    return Due(ref, body)


def _assign(verb: str, rest: str) -> Command:
    ref, body = _split_ref(verb, rest)
    tokens = _tokens(body)
    person = committee = None
    words: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if m := MENTION.match(tok):
            if person is not None and person != m[1]:
                raise CommandError("An action has one owner: mention one person.", USAGE[verb])
            person = m[1]
        elif tok.lower() == "committee":
            i += 1
            committee = _code(verb, tokens[i] if i < len(tokens) else None)
        elif tok.startswith("@"):
            raise CommandError(
                f"Pick the person from Slack's list as you type @ (“{_quote(tok)}” was sent as "
                'plain text), or give the name of someone not in Slack in quotes: "Jo Bloggs".',
                USAGE[verb],
            )
        elif tok.startswith("<"):
            raise CommandError(f"I don't understand “{_quote(tok)}” here.", USAGE[verb])
        else:
            words.append(_unquote(tok))
        i += 1
    name = " ".join(w for w in words if w).strip() or None
    if person is not None and name is not None:
        raise CommandError(
            f"An action has one owner: mention them, or give a name, not both (“{_quote(name)}”).",
            USAGE[verb],
        )
    if person is None and name is None:
        if committee is not None:
            return Assign(ref, None, committee)
        raise CommandError(
            f"Who will own {ref}? Mention them, or give the name of someone not in Slack.",
            USAGE[verb],
        )
    return Assign(ref, person, committee, name)


def _merge(verb: str, rest: str) -> Command:
    ref, body = _split_ref(verb, rest)
    m = re.match(r"^(?:into\s+|in\s+to\s+|with\s+)?(a\s*-?\s*\d{1,9})\b(.*)$", body, re.I | re.S)
    if not m:
        raise CommandError(
            f"Say which action {ref} duplicates: `merge {ref} into A-28 <reason>`.", USAGE[verb]
        )
    into = _ref(verb, re.sub(r"\s+", "", m[1]))
    reason = m[2].strip()
    if not reason:
        raise CommandError(f"A reason for merging {ref} into {into} is needed.", USAGE[verb])
    return Merge(ref, into, reason)


def _add(verb: str, rest: str) -> Command:
    review = committee = None
    body = rest
    while True:
        m = re.match(r"^(review|committee)\s+(\"[^\"]*\"|“[^”]*”|\S+)\s*(.*)$", body, re.I | re.S)
        if not m:
            break
        if m[1].lower() == "review":
            review = _unquote(m[2])
            if not review:
                raise CommandError("`review` needs a review reference, like R-3.", USAGE[verb])
        else:
            committee = _code(verb, m[2])
        body = m[3]
    body = body.strip()
    return Add(review, committee, body or None)


def _reviews(verb: str, rest: str) -> Command:
    tokens, share = _take_share(_tokens(rest))
    kind = " ".join(_unquote(t) for t in tokens).strip()
    return Reviews(kind or None, share)


def _review(verb: str, rest: str) -> Command:
    tokens, share = _take_share(_tokens(rest))
    ref = " ".join(_unquote(t) for t in tokens).strip()
    if not ref:
        raise CommandError("Which review? Give its reference, like R-3.", USAGE[verb])
    m = REVIEW_REF.match(ref)
    return ShowReview(f"R-{int(m[1])}" if m else ref, share)


def _digest(verb: str, rest: str) -> Command:
    tokens = _tokens(rest)
    if tokens and tokens[0].lower() == "committee":
        tokens = tokens[1:]
        if not tokens:
            raise CommandError("`committee` needs a committee code, like QAEC.", USAGE[verb])
    if len(tokens) > 1:
        raise CommandError(f"I don't understand “{_quote(' '.join(tokens))}”.", USAGE[verb])
    return Digest(_code(verb, tokens[0]) if tokens else None)


def _report(verb: str, rest: str) -> Command:
    words = rest.lower().split()
    if not words:
        return Report()
    fmt = words[0].lstrip(".")
    fmt = REPORT_ALIASES.get(fmt, fmt)
    if fmt == "paper" and len(words) > 1 and words[1] == "paper":
        words = words[1:]
    if fmt not in REPORT_FORMATS or len(words) > 1:
        raise CommandError(
            f"Reports come as xlsx, csv or paper (the board paper), not “{_quote(rest, 20)}”.",
            USAGE[verb],
        )
    return Report(fmt)


def _import(verb: str, rest: str) -> Command:
    if rest.strip():
        raise CommandError(
            "The file is chosen in the form `/lscb import` opens (or send it to me in a direct "
            "message).",
            USAGE[verb],
        )
    return Import()


FINDING_REF = re.compile(r"^r-?(\d{1,9})[.](\d{1,5})$", re.IGNORECASE)
THEME_CODE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,63}$", re.IGNORECASE)


def _typed(text: str, limit: int = 40) -> str:
    """What was typed, quoted short and escaped so Slack shows it as text, never as a mention."""
    return _quote(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _theme(verb: str, rest: str) -> Command:
    tokens = _tokens(rest)
    if not tokens:
        raise CommandError(
            "Which action or finding? Give A-12, or R-3.2 for a finding.", USAGE[verb]
        )
    head = tokens.pop(0)
    if m := FINDING_REF.match(head):
        ref = f"R-{int(m[1])}.{int(m[2])}"
    elif REF.match(head):
        ref = _ref(verb, head)
    else:
        raise CommandError(
            f"“{_typed(head)}” is not an action or a finding: they look like A-12 and R-3.2.",
            USAGE[verb],
        )
    add: list[str] = []
    remove: list[str] = []
    confirm = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        sign, code = tok[:1], tok[1:]
        if sign in "+-" and not code and i + 1 < len(tokens):  # "+ neglect"
            i += 1
            code = tokens[i]
        if tok.lower() in ("confirm", "ok", "yes"):
            confirm = True
        elif sign in "+-" and THEME_CODE.match(code):
            (add if sign == "+" else remove).append(code.lower())
        else:
            raise CommandError(
                f"“{_typed(tok)}” is not a theme change: use +code to add a theme, -code to "
                "remove one, or confirm to keep every suggestion.",
                USAGE[verb],
            )
        i += 1
    return ThemeChange(ref, tuple(add), tuple(remove), confirm)


def _themes(verb: str, rest: str) -> Command:
    tokens, share = _take_share(_tokens(rest))
    if len(tokens) > 1:
        raise CommandError(f"Give one theme code, not “{_typed(' '.join(tokens))}”.", USAGE[verb])
    if tokens and not THEME_CODE.match(tokens[0]):
        raise CommandError(
            f"“{_typed(tokens[0])}” is not a theme code (codes look like domestic-abuse).",
            USAGE[verb],
        )
    return Themes(tokens[0].lower() if tokens else None, share)


_PARSERS = {
    "help": _help,
    "actions": _actions,
    "show": _show,
    "update": _update,
    "note": _text_command("A progress note", Note),
    "done": _text_command("Evidence of completion (what was done, where it can be seen)", Done),
    "signoff": _signoff,
    "reopen": _text_command("A reason for reopening", Reopen),
    "due": _due,
    "assign": _assign,
    "cancel": _text_command("A reason for cancelling", Cancel),
    "edit": _text_command("The new wording", Edit),
    "merge": _merge,
    "add": _add,
    "reviews": _reviews,
    "review": _review,
    "digest": _digest,
    "report": _report,
    "import": _import,
    "theme": _theme,
    "themes": _themes,
    "measure": _text_command("How we will know it worked", Measure),
    "impact": _impact,
}


SIGNOFF_HELP = (
    "Sign-off asks for evidence of impact, or a date to review it: "
    "`/lscb signoff A-12 <evidence of impact>` or `/lscb signoff A-12 review <date>` "
    "(e.g. `review in 6 months`)."
)


def help_text(topic: str | None = None) -> str:
    if topic == "signoff":
        return SIGNOFF_HELP
    if topic in USAGE:
        return f"`{USAGE[topic]}`"
    lines = [
        "*/lscb* — the board's improvement actions. Replies are only for you unless you add `share`."
    ]
    lines += [f"• `{form}`" for form in USAGE.values()]
    lines.append(SIGNOFF_HELP)
    lines.append(
        "Dates are read the British way: 31/03/2027, 31 March 2027, end of March, Q3 2026/27, "
        "next Friday, in 2 weeks."
    )
    return "\n".join(lines)
