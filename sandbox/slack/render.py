"""Show Block Kit messages and views as terminal text, for the sandbox.

Buttons and menus are numbered (``[1] Update  [2] Done``) and modal inputs lettered
(``(a) New due date``) so a person at the prompt can ``press 2`` or fill ``a``. The rendering
returns those elements in order, each able to build what Slack would send the app when it is
used (``Interactive.action``, ``InputField.state_value``).
"""

from __future__ import annotations

import html
import json
import re
import string
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NameLookup = Callable[[str], str | None]

SELECTED_KEY = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
TEXT_VALUE_TYPES = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
)
ONE_OPTION_TYPES = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
MANY_OPTION_TYPES = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
KIND_HINT = {
    "static_select": "choose",
    "external_select": "choose",
    "users_select": "person",
    "multi_users_select": "people",
    "conversations_select": "conversation",
    "channels_select": "channel",
    "multi_static_select": "choose several",
    "checkboxes": "tick any",
    "radio_buttons": "choose one",
    "datepicker": "date, YYYY-MM-DD",
    "timepicker": "time, HH:MM",
    "datetimepicker": "date and time",
    "plain_text_input": "text",
    "email_text_input": "e-mail",
    "url_text_input": "link",
    "number_input": "number",
    "rich_text_input": "text",
    "file_input": "file",
    "overflow": "more",
}


def _option_label(option: Mapping[str, Any]) -> str:
    return str((option.get("text") or {}).get("text", option.get("value", "")))


def _match_option(options: Sequence[Mapping[str, Any]], wanted: str) -> Mapping[str, Any]:
    wanted_folded = wanted.strip().casefold()
    for option in options:
        if str(option.get("value", "")).casefold() == wanted_folded:
            return option
    for option in options:
        if _option_label(option).casefold() == wanted_folded:
            return option
    labels = ", ".join(_option_label(o) for o in options)
    raise ValueError(f"no option {wanted!r}; the options are: {labels}")


def _options_of(element: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return tuple(options)


@dataclass(frozen=True)
class Interactive:
    """A button or menu a person can use; ``number`` is what they type after ``press``."""

    number: int
    type: str
    action_id: str | None
    block_id: str | None
    label: str
    value: str | None = None
    url: str | None = None
    style: str | None = None
    options: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    element: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def needs_choice(self) -> bool:
        return self.type != "button" and self.type != "workflow_button"

    def action(
        self, selected: str | None = None, *, action_ts: str | None = None
    ) -> dict[str, Any]:
        """The entry Slack puts in a ``block_actions`` payload's ``actions`` when this is used.

        ``selected`` is an option's value or label, a user or channel id, or a date, for menus.
        """
        entry: dict[str, Any] = {
            "type": self.type,
            "action_id": self.action_id,
            "block_id": self.block_id,
            "action_ts": action_ts or f"{time.time():.6f}",
        }
        if self.type == "button":
            entry["text"] = {"type": "plain_text", "text": self.label, "emoji": True}
            if self.value is not None:
                entry["value"] = self.value
            if self.style:
                entry["style"] = self.style
            return entry
        if selected is None:
            raise ValueError(f"[{self.number}] {self.label}: say which one to choose")
        entry.update(_selection(self.type, self.options, selected))
        return entry


@dataclass(frozen=True)
class InputField:
    """An input of a modal; ``letter`` is what a person types to fill it."""

    letter: str
    type: str
    block_id: str | None
    action_id: str | None
    label: str
    optional: bool = False
    multiline: bool = False
    initial: str | None = None
    options: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)

    def state_value(self, raw: str) -> dict[str, Any]:
        """What Slack puts at ``view.state.values[block_id][action_id]`` for this answer."""
        value: dict[str, Any] = {"type": self.type}
        if self.type in TEXT_VALUE_TYPES:
            value["value"] = raw
        elif self.type == "rich_text_input":
            value["rich_text_value"] = {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "text", "text": raw}],
                    }
                ],
            }
        elif self.type == "file_input":
            # The answer is the file objects Slack gives for uploaded files (share_file), as JSON.
            value["files"] = json.loads(raw) if raw.strip() else []
        else:
            value.update(_selection(self.type, self.options, raw))
        return value


@dataclass(frozen=True)
class Rendered:
    text: str
    actions: list[Interactive]
    inputs: list[InputField]


def _selection(kind: str, options: Sequence[Mapping[str, Any]], raw: str) -> dict[str, Any]:
    if kind in ONE_OPTION_TYPES:
        return {"selected_option": dict(_match_option(options, raw))}
    if kind in MANY_OPTION_TYPES:
        parts = [p for p in (s.strip() for s in raw.split(",")) if p]
        return {"selected_options": [dict(_match_option(options, p)) for p in parts]}
    key = SELECTED_KEY.get(kind)
    if key is None:
        raise ValueError(f"a {kind} cannot be filled from the prompt")
    if key.endswith("s") and kind.startswith("multi_"):
        return {key: [p.strip() for p in raw.split(",") if p.strip()]}
    if kind == "datetimepicker":
        return {key: int(raw)}
    return {key: raw.strip()}


def view_state(fields: Sequence[InputField], answers: Mapping[str, str]) -> dict[str, Any]:
    """``view.state`` for a view_submission, from answers keyed by input letter."""
    values: dict[str, dict[str, Any]] = {}
    for f in fields:
        if f.letter in answers and f.block_id and f.action_id:
            values.setdefault(f.block_id, {})[f.action_id] = f.state_value(answers[f.letter])
    return {"values": values}


# -------------------------------------------------------------------- mrkdwn

_LINK = re.compile(r"<([^<>\n]+)>")
_STYLES = [
    re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"),
    re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"),
]


# Slack's names for the emoji the app uses, as the characters a terminal shows; others stay as
# written (:name:), which is also how Slack shows an emoji it does not know.
EMOJI = {
    "red_circle": "\U0001f534",
    "large_orange_circle": "\U0001f7e0",
    "large_green_circle": "\U0001f7e2",
    "large_blue_circle": "\U0001f535",
    "white_circle": "\u26aa",
    "heavy_minus_sign": "\u2796",
    "bell": "\U0001f514",
    "hourglass": "\u231b",
    "rotating_light": "\U0001f6a8",
    "white_check_mark": "\u2705",
    "zzz": "\U0001f4a4",
    "calendar": "\U0001f4c6",
    "warning": "\u26a0\ufe0f",
}
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")


def mrkdwn_to_text(
    text: str, names: NameLookup | None = None, channels: NameLookup | None = None
) -> str:
    """Slack mrkdwn as plain text: styling dropped, mentions named, links spelled out."""
    links: list[str] = []

    def keep(match: re.Match[str]) -> str:
        links.append(_link(match.group(1), names, channels))
        return f"\x00{len(links) - 1}\x00"

    out = _LINK.sub(keep, text)
    for style in _STYLES:
        out = style.sub(r"\1", out)
    out = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), out)
    out = re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], out)
    return html.unescape(out)


def _link(inner: str, names: NameLookup | None, channels: NameLookup | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        found = names(target[1:]) if names else None
        return "@" + (found or label or target[1:])
    if target.startswith("#"):
        found = channels(target[1:]) if channels else None
        return "#" + (found or label or target[1:])
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        if special in ("here", "channel", "everyone"):
            return "@" + special
        return label or special
    if target.startswith("mailto:") and (not label or label == target[7:]):
        return target[7:]
    return f"{label} ({target})" if label and label != target else target


# -------------------------------------------------------------------- blocks


class _Renderer:
    def __init__(self, names: NameLookup | None, width: int, start: int) -> None:
        self.names = names
        self.width = max(width, 30)
        self.next_number = start
        self.actions: list[Interactive] = []
        self.inputs: list[InputField] = []
        self.lines: list[str] = []

    def text_of(self, obj: Any) -> str:
        if not isinstance(obj, Mapping):
            return ""
        text = str(obj.get("text", ""))
        if obj.get("type") == "mrkdwn":
            return mrkdwn_to_text(text, self.names)
        return html.unescape(text) if "&" in text else text

    def wrap(self, text: str, width: int | None = None) -> list[str]:
        width = width or self.width
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines += textwrap.wrap(paragraph, width) or [""]
        return lines

    def interactive(self, el: Mapping[str, Any], block_id: str | None) -> str:
        kind = str(el.get("type"))
        if kind == "button":
            label = self.text_of(el.get("text"))
        elif kind == "overflow":
            label = "more"
        else:
            label = self.text_of(el.get("placeholder")) or KIND_HINT.get(kind, kind)
        item = Interactive(
            number=self.next_number,
            type=kind,
            action_id=el.get("action_id"),
            block_id=block_id,
            label=label,
            value=el.get("value"),
            url=el.get("url"),
            style=el.get("style"),
            options=_options_of(el),
            element=el,
        )
        self.next_number += 1
        self.actions.append(item)
        shown = f"[{item.number}] {label}"
        if kind != "button":
            hint = KIND_HINT.get(kind, kind)
            choices = [_option_label(o) for o in item.options]
            shown += f" ({hint}: {' / '.join(choices)})" if choices else f" ({hint})"
        if item.url:
            shown += f" -> {item.url}"
        return shown

    def block(self, index: int, block: Mapping[str, Any]) -> None:
        kind = block.get("type")
        block_id = block.get("block_id") or f"block-{index}"
        out = self.lines
        if kind == "header":
            title = self.text_of(block.get("text"))
            out += [title, "=" * min(len(title), self.width)]
        elif kind == "divider":
            out.append("-" * self.width)
        elif kind == "section":
            if "text" in block:
                out += self.wrap(self.text_of(block["text"]))
            if block.get("fields"):
                out += self.columns([self.text_of(f) for f in block["fields"]])
            accessory = block.get("accessory")
            if isinstance(accessory, Mapping):
                if accessory.get("type") == "image":
                    out.append(f"[image: {accessory.get('alt_text', '')}]")
                else:
                    out.append("  " + self.interactive(accessory, block_id))
        elif kind == "context":
            parts = [
                f"[image: {e.get('alt_text', '')}]"
                if isinstance(e, Mapping) and e.get("type") == "image"
                else self.text_of(e)
                for e in block.get("elements") or []
            ]
            out += ["  " + line for line in self.wrap(" | ".join(parts), self.width - 2)]
        elif kind == "actions":
            shown = [
                self.interactive(e, block_id)
                for e in block.get("elements") or []
                if isinstance(e, Mapping)
            ]
            out += textwrap.wrap("  ".join(shown), self.width, break_long_words=False) or [""]
        elif kind == "input":
            self.input(block, block_id)
        elif kind == "image":
            title = self.text_of(block.get("title"))
            out.append(f"[image: {title or block.get('alt_text', '')}]")
        elif kind == "rich_text":
            out += self.wrap(_rich_text(block, self.names))
        elif kind == "markdown":
            out += self.wrap(str(block.get("text", "")))
        elif kind == "video":
            out.append(f"[video: {self.text_of(block.get('title'))}]")
        else:
            out.append(f"[{kind} block]")

    def input(self, block: Mapping[str, Any], block_id: str) -> None:
        el = block.get("element") if isinstance(block.get("element"), Mapping) else {}
        assert isinstance(el, Mapping)
        kind = str(el.get("type"))
        letter = string.ascii_lowercase[len(self.inputs) % 26]
        initial = el.get("initial_value") or el.get("initial_date") or el.get("initial_time")
        if isinstance(el.get("initial_option"), Mapping):
            initial = _option_label(el["initial_option"])
        field_ = InputField(
            letter=letter,
            type=kind,
            block_id=block.get("block_id") or block_id,
            action_id=el.get("action_id"),
            label=self.text_of(block.get("label")),
            optional=bool(block.get("optional")),
            multiline=bool(el.get("multiline")),
            initial=str(initial) if initial is not None else None,
            options=_options_of(el),
        )
        self.inputs.append(field_)
        hint = KIND_HINT.get(kind, kind) + (", several lines" if field_.multiline else "")
        line = f"({letter}) {field_.label}{' (optional)' if field_.optional else ''} [{hint}]"
        if field_.initial is not None:
            line += f" = {field_.initial}"
        self.lines.append(line)
        if field_.options:
            self.lines.append(
                "    options: " + " / ".join(_option_label(o) for o in field_.options)
            )
        if block.get("hint"):
            self.lines += [
                "    " + s for s in self.wrap(self.text_of(block["hint"]), self.width - 4)
            ]

    def columns(self, texts: list[str]) -> list[str]:
        col = (self.width - 3) // 2
        lines: list[str] = []
        for i in range(0, len(texts), 2):
            left = self.wrap(texts[i], col)
            right = self.wrap(texts[i + 1], col) if i + 1 < len(texts) else []
            for j in range(max(len(left), len(right))):
                a = left[j] if j < len(left) else ""
                b = right[j] if j < len(right) else ""
                lines.append(f"{a:<{col}}   {b}".rstrip())
        return lines

    def result(self) -> Rendered:
        return Rendered("\n".join(self.lines), self.actions, self.inputs)


def _rich_text(block: Mapping[str, Any], names: NameLookup | None) -> str:
    def inline(elements: Sequence[Any]) -> str:
        parts: list[str] = []
        for e in elements:
            if not isinstance(e, Mapping):
                continue
            kind = e.get("type")
            if kind == "text":
                parts.append(str(e.get("text", "")))
            elif kind == "link":
                url = str(e.get("url", ""))
                parts.append(f"{e['text']} ({url})" if e.get("text") else url)
            elif kind == "user":
                uid = str(e.get("user_id", ""))
                parts.append("@" + ((names(uid) if names else None) or uid))
            elif kind == "channel":
                parts.append("#" + str(e.get("channel_id", "")))
            elif kind == "emoji":
                parts.append(f":{e.get('name', '')}:")
        return "".join(parts)

    out: list[str] = []
    for part in block.get("elements") or []:
        kind = part.get("type")
        if kind == "rich_text_list":
            for n, item in enumerate(part.get("elements") or [], 1):
                bullet = f"{n}." if part.get("style") == "ordered" else "-"
                out.append(f"{bullet} {inline(item.get('elements') or [])}")
        elif kind == "rich_text_preformatted" or kind == "rich_text_quote":
            prefix = "> " if kind == "rich_text_quote" else "    "
            out += [prefix + line for line in inline(part.get("elements") or []).split("\n")]
        else:
            out.append(inline(part.get("elements") or []))
    return "\n".join(out)


def render_blocks(
    blocks: Sequence[Mapping[str, Any]],
    *,
    names: NameLookup | None = None,
    width: int = 80,
    start: int = 1,
) -> Rendered:
    renderer = _Renderer(names, width, start)
    for i, block in enumerate(blocks):
        if isinstance(block, Mapping):
            renderer.block(i, block)
    return renderer.result()


def render_message(
    message: Mapping[str, Any],
    *,
    names: NameLookup | None = None,
    width: int = 80,
    start: int = 1,
) -> Rendered:
    """A message as Slack shows it: its blocks, or its text when it has none."""
    blocks = message.get("blocks") or []
    if blocks:
        return render_blocks(blocks, names=names, width=width, start=start)
    text = mrkdwn_to_text(str(message.get("text") or ""), names)
    return Rendered("\n".join(_Renderer(names, width, start).wrap(text, width)), [], [])


def render_view(
    view: Mapping[str, Any],
    *,
    names: NameLookup | None = None,
    width: int = 80,
    start: int = 1,
) -> Rendered:
    """A modal or Home tab: title, blocks, and the modal's submit and close buttons."""
    renderer = _Renderer(names, width, start)
    title = renderer.text_of(view.get("title")) or ("Home" if view.get("type") == "home" else "")
    if title:
        renderer.lines += [
            f"+{'-' * (len(title) + 2)}+",
            f"| {title} |",
            f"+{'-' * (len(title) + 2)}+",
        ]
    for i, block in enumerate(view.get("blocks") or []):
        if isinstance(block, Mapping):
            renderer.block(i, block)
    if view.get("type") == "modal":
        submit = renderer.text_of(view.get("submit"))
        close = renderer.text_of(view.get("close")) or "Cancel"
        renderer.lines.append("")
        renderer.lines.append((f"<submit: {submit}>  " if submit else "") + f"<close: {close}>")
    return renderer.result()
