"""Block Kit limits, checked the way Slack checks them before it accepts a message or a view.

The limits come from Slack's Block Kit reference (blocks, block elements, composition objects,
view objects). Problems name where they are (``blocks[3].fields[2]``) and the size found, never
the text itself: the text may be safeguarding data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000  # longer `text` is refused with msg_too_long
MAX_ID = 255  # block_id, action_id, callback_id, external_id

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)

SELECTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
    }
)
MULTI_SELECTS = frozenset("multi_" + s for s in SELECTS)
PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
CHOICES = frozenset({"checkboxes", "radio_buttons"})
TEXT_INPUTS = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
)

ELEMENTS_IN: dict[str, frozenset[str]] = {
    "actions": frozenset(
        {"button", "overflow", "workflow_button", "rich_text_input"}
        | SELECTS
        | MULTI_SELECTS
        | PICKERS
        | CHOICES
    ),
    "section": frozenset(
        {"button", "overflow", "workflow_button", "image"}
        | SELECTS
        | MULTI_SELECTS
        | PICKERS
        | CHOICES
    ),
    "input": frozenset({"file_input"} | SELECTS | MULTI_SELECTS | PICKERS | CHOICES | TEXT_INPUTS),
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


def decode_json_arg(value: Any) -> Any:
    """Blocks and views arrive as JSON text in form bodies and as structures in JSON bodies."""
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value


def check_blocks_arg(value: Any, surface: Surface, where: str = "blocks") -> list[str]:
    try:
        blocks = decode_json_arg(value)
    except ValueError:
        return [f"{where}: not valid JSON"]
    return check_blocks(blocks, surface, where)


def check_view_arg(value: Any, where: str = "view") -> list[str]:
    try:
        view = decode_json_arg(value)
    except ValueError:
        return [f"{where}: not valid JSON"]
    return check_view(view, where)


def check_message_text(text: Any, where: str = "text") -> list[str]:
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return [f"{where}: {len(text)} characters, limit {MAX_MESSAGE_TEXT}"]
    return []


def check_view(view: Any, where: str = "view") -> list[str]:
    if not isinstance(view, Mapping):
        return [f"{where}: must be an object"]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"{where}.type: must be 'modal' or 'home', got {kind!r}"]
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(f"{where}.blocks: required")
    else:
        problems += check_blocks(blocks, kind, f"{where}.blocks")
    _max_str(problems, view, "private_metadata", 3000, where)
    _max_str(problems, view, "callback_id", MAX_ID, where)
    _max_str(problems, view, "external_id", MAX_ID, where)
    if kind == "modal":
        if "title" not in view:
            problems.append(f"{where}.title: required for a modal")
        for key in ("title", "submit", "close"):
            if key in view:
                problems += _text(view[key], f"{where}.{key}", limit=24, plain=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            problems.append(f"{where}.submit: required when the modal has input blocks")
    return problems


def check_blocks(blocks: Any, surface: Surface, where: str = "blocks") -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: must be an array of blocks"]
    problems: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks, limit {limit} in a {surface}")
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"{where}[{i}]"
        if not isinstance(block, Mapping):
            problems.append(f"{path}: must be an object")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id:
                problems.append(f"{path}.block_id: must be a non-empty string")
            else:
                if len(block_id) > MAX_ID:
                    problems.append(f"{path}.block_id: {len(block_id)} characters, limit {MAX_ID}")
                if block_id in seen_block_ids:
                    problems.append(f"{path}.block_id: repeats an earlier block_id")
                seen_block_ids.add(block_id)
        problems += _block(block, path)
    return problems


def _block(block: Mapping[str, Any], path: str) -> list[str]:
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return [f"{path}.type: unknown block type {kind!r}"]
    path = f"{path} ({kind})"
    p: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            p.append(f"{path}: needs text or fields")
        if "text" in block:
            p += _text(block["text"], f"{path}.text", limit=3000)
        if "fields" in block:
            for j, f in enumerate(_items(p, block["fields"], f"{path}.fields", "fields", 10)):
                p += _text(f, f"{path}.fields[{j}]", limit=2000)
        if "accessory" in block:
            p += _element(block["accessory"], f"{path}.accessory", ELEMENTS_IN["section"])
    elif kind == "header":
        p += _text(block.get("text"), f"{path}.text", limit=150, plain=True)
    elif kind == "context":
        p += _elements(block, path, 10, None)
    elif kind == "actions":
        p += _elements(block, path, 25, ELEMENTS_IN["actions"])
    elif kind == "context_actions":
        p += _elements(block, path, 5, frozenset({"feedback_buttons", "icon_button"}))
    elif kind == "input":
        p += _text(block.get("label"), f"{path}.label", limit=2000, plain=True)
        if "hint" in block:
            p += _text(block["hint"], f"{path}.hint", limit=2000, plain=True)
        if "element" not in block:
            p.append(f"{path}.element: required")
        else:
            p += _element(block["element"], f"{path}.element", ELEMENTS_IN["input"])
    elif kind == "image":
        p += _image(block, path, title_limit=2000)
    elif kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or not text:
            p.append(f"{path}.text: required")
        elif len(text) > 12000:
            p.append(f"{path}.text: {len(text)} characters, limit 12000")
    elif kind == "video":
        for key in ("alt_text", "title", "thumbnail_url", "video_url"):
            if key not in block:
                p.append(f"{path}.{key}: required")
        if "title" in block:
            p += _text(block["title"], f"{path}.title", limit=200, plain=True)
    return p


def _elements(
    block: Mapping[str, Any], path: str, limit: int, allowed: frozenset[str] | None
) -> list[str]:
    p: list[str] = []
    elements = _items(p, block.get("elements"), f"{path}.elements", "elements", limit)
    seen_action_ids: set[str] = set()
    for j, el in enumerate(elements):
        epath = f"{path}.elements[{j}]"
        if allowed is None:  # context: images and text objects
            if isinstance(el, Mapping) and el.get("type") == "image":
                p += _image(el, epath, title_limit=None)
            else:
                p += _text(el, epath, limit=3000)
            continue
        p += _element(el, epath, allowed)
        action_id = el.get("action_id") if isinstance(el, Mapping) else None
        if isinstance(action_id, str):
            if action_id in seen_action_ids:
                p.append(f"{epath}.action_id: repeats an action_id in the same block")
            seen_action_ids.add(action_id)
    return p


def _element(el: Any, path: str, allowed: frozenset[str]) -> list[str]:
    if not isinstance(el, Mapping):
        return [f"{path}: must be an object"]
    kind = el.get("type")
    if kind not in allowed:
        return [f"{path}.type: {kind!r} is not allowed here"]
    path = f"{path} ({kind})"
    p: list[str] = []
    _max_str(p, el, "action_id", MAX_ID, path)
    if "placeholder" in el:
        p += _text(el["placeholder"], f"{path}.placeholder", limit=150, plain=True)
    if "confirm" in el:
        p += _confirm(el["confirm"], f"{path}.confirm")
    if kind == "button":
        p += _text(el.get("text"), f"{path}.text", limit=75, plain=True)
        _max_str(p, el, "value", 2000, path)
        _max_str(p, el, "url", 3000, path)
        _max_str(p, el, "accessibility_label", 75, path)
        if "style" in el and el["style"] not in ("primary", "danger"):
            p.append(f"{path}.style: must be 'primary' or 'danger'")
    elif kind == "image":
        p += _image(el, path, title_limit=None)
    elif kind == "overflow":
        p += _options(el, path, limit=5, plain=True, allow_url=True)
    elif kind in CHOICES:
        p += _options(el, path, limit=10, plain=False, allow_url=False)
    elif kind in ("static_select", "multi_static_select"):
        if "options" in el and "option_groups" in el:
            p.append(f"{path}: options and option_groups are exclusive")
        if "option_groups" in el:
            groups = _items(p, el["option_groups"], f"{path}.option_groups", "groups", 100)
            for g, group in enumerate(groups):
                gpath = f"{path}.option_groups[{g}]"
                if not isinstance(group, Mapping):
                    p.append(f"{gpath}: must be an object")
                    continue
                p += _text(group.get("label"), f"{gpath}.label", limit=75, plain=True)
                p += _options(group, gpath, limit=100, plain=True, allow_url=False)
        else:
            p += _options(el, path, limit=100, plain=True, allow_url=False)
    elif kind == "plain_text_input":
        for key, low, high in (("min_length", 0, 3000), ("max_length", 1, 3000)):
            if key in el and not (isinstance(el[key], int) and low <= el[key] <= high):
                p.append(f"{path}.{key}: must be a whole number from {low} to {high}")
        _max_str(p, el, "initial_value", 3000, path)
    elif kind == "number_input":
        if not isinstance(el.get("is_decimal_allowed"), bool):
            p.append(f"{path}.is_decimal_allowed: required (true or false)")
    elif kind == "datepicker":
        if "initial_date" in el and not _DATE.match(str(el["initial_date"])):
            p.append(f"{path}.initial_date: must be YYYY-MM-DD")
    elif kind == "file_input":
        types = el.get("filetypes")
        if types is not None and not (
            isinstance(types, list) and all(isinstance(t, str) and t for t in types)
        ):
            p.append(f"{path}.filetypes: must be a list of file extensions")
        if "max_files" in el and not (
            isinstance(el["max_files"], int) and 1 <= el["max_files"] <= 10
        ):
            p.append(f"{path}.max_files: must be a whole number from 1 to 10")
    elif kind == "timepicker" and "initial_time" in el and not _TIME.match(str(el["initial_time"])):
        p.append(f"{path}.initial_time: must be HH:mm")
    if kind in MULTI_SELECTS and "max_selected_items" in el:
        m = el["max_selected_items"]
        if not isinstance(m, int) or m < 1:
            p.append(f"{path}.max_selected_items: must be 1 or more")
    return p


def _options(
    holder: Mapping[str, Any], path: str, *, limit: int, plain: bool, allow_url: bool
) -> list[str]:
    p: list[str] = []
    options = _items(p, holder.get("options"), f"{path}.options", "options", limit)
    if not options:
        return p
    for k, opt in enumerate(options):
        opath = f"{path}.options[{k}]"
        if not isinstance(opt, Mapping):
            p.append(f"{opath}: must be an object")
            continue
        p += _text(opt.get("text"), f"{opath}.text", limit=75, plain=plain)
        value = opt.get("value")
        if not isinstance(value, str) or not value:
            p.append(f"{opath}.value: required")
        elif len(value) > 150:
            p.append(f"{opath}.value: {len(value)} characters, limit 150")
        if "description" in opt:
            p += _text(opt["description"], f"{opath}.description", limit=75)
        if "url" in opt:
            if not allow_url:
                p.append(f"{opath}.url: only overflow menu options may have a url")
            _max_str(p, opt, "url", 3000, opath)
    # Slack refuses an initial option that is not one of the options offered.
    offered = [o.get("value") for o in options if isinstance(o, Mapping)]
    initial: list[Any] = []
    if isinstance(holder.get("initial_option"), Mapping):
        initial = [holder["initial_option"]]
    elif isinstance(holder.get("initial_options"), list):
        initial = holder["initial_options"]
    for opt in initial:
        if not isinstance(opt, Mapping) or opt.get("value") not in offered:
            p.append(f"{path}: initial option is not one of the options")
    return p


def _confirm(confirm: Any, path: str) -> list[str]:
    if not isinstance(confirm, Mapping):
        return [f"{path}: must be an object"]
    p: list[str] = []
    p += _text(confirm.get("title"), f"{path}.title", limit=100, plain=True)
    p += _text(confirm.get("text"), f"{path}.text", limit=300)
    p += _text(confirm.get("confirm"), f"{path}.confirm", limit=30, plain=True)
    p += _text(confirm.get("deny"), f"{path}.deny", limit=30, plain=True)
    return p


def _image(image: Mapping[str, Any], path: str, title_limit: int | None) -> list[str]:
    p: list[str] = []
    if "image_url" not in image and "slack_file" not in image:
        p.append(f"{path}: needs image_url or slack_file")
    _max_str(p, image, "image_url", 3000, path)
    alt = image.get("alt_text")
    if not isinstance(alt, str) or not alt:
        p.append(f"{path}.alt_text: required")
    elif len(alt) > 2000:
        p.append(f"{path}.alt_text: {len(alt)} characters, limit 2000")
    if title_limit is not None and "title" in image:
        p += _text(image["title"], f"{path}.title", limit=title_limit, plain=True)
    return p


def _text(obj: Any, path: str, *, limit: int, plain: bool = False) -> list[str]:
    if obj is None:
        return [f"{path}: required"]
    if not isinstance(obj, Mapping):
        return [f"{path}: must be a text object"]
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        return [f"{path}.type: must be plain_text or mrkdwn"]
    if plain and kind != "plain_text":
        return [f"{path}.type: must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{path}.text: must be at least 1 character"]
    if len(text) > limit:
        return [f"{path}.text: {len(text)} characters, limit {limit}"]
    return []


def _items(problems: list[str], value: Any, path: str, noun: str, limit: int) -> list[Any]:
    """The items of an array that must be non-empty and hold at most ``limit``; a problem is
    added when it is not one (and no items are given back) or holds too many (all are)."""
    if not isinstance(value, list) or not value:
        problems.append(f"{path}: must be a non-empty array")
        return []
    if len(value) > limit:
        problems.append(f"{path}: {len(value)} {noun}, limit {limit}")
    return value


def _max_str(problems: list[str], obj: Mapping[str, Any], key: str, limit: int, path: str) -> None:
    value = obj.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        problems.append(f"{path}.{key}: must be a string")
    elif len(value) > limit:
        problems.append(f"{path}.{key}: {len(value)} characters, limit {limit}")


def count_blocks(value: Any) -> int:
    """Blocks in a message or view argument, for logs that must not carry text."""
    try:
        decoded = decode_json_arg(value)
    except ValueError:
        return 0
    if isinstance(decoded, Mapping):
        decoded = decoded.get("blocks")
    return len(decoded) if isinstance(decoded, Sequence) and not isinstance(decoded, str) else 0
