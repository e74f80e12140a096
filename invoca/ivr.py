"""The IVR tree of an Invoca advertiser campaign: the node rules, the validator that answers in
Invoca's own error shape, a readable call-flow outline, and the form field that takes a tree.

Source of every rule: [004] "Advertiser Campaign IVRs" (node parameters, `*` = required; node
details: child counts and failover children; parameter details: enums) and its 403 example;
external-apis.md §2.2-2.3 (the `{record_calls, root}` wrapper, the singular `error` key).

A tree is either the wrapper Invoca's campaigns carry, `{"record_calls": true, "root": {node},
"caller_id": {...}}`, or a bare root node (as in the reference's 403 example). A node is
`{"node_type": "Menu", "prompt": "...", "children": [node, ...]}`; a Menu, NumberQuestion or
YesOrNo node may end its child list with failover children marked `"keypress_failover_type":
"Wrong"` (a wrong key) or `"None"` (no key).
"""

import json
import re
from dataclasses import dataclass

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from campaignhub import phones
from campaignhub.cleaning import parse_json
from invoca import conditions

# Bounds that keep hostile input cheap; far beyond any call flow a caller could sit through.
MAX_DEPTH = 25
MAX_NODES = 500
MAX_TEXT = 5000
MAX_PHRASES = 50
MAX_JSON_CHARS = 200_000

NUMBER_QUESTION_TYPES = ("Digits", "Number", "PhoneNumber", "Date", "Currency", "Time", "ZipCode")
# Seconds before the promotional text is sent, with the reference's own names for them.
SMS_PROMO_DELAYS = {
    1: "Immediately",
    1800: "30 minutes",
    86400: "1 day",
    604800: "7 days",
    2592000: "30 days",
}
KEYPRESS_FAILOVER_TYPES = ("Wrong", "None")
CALLER_ID_SETTINGS = ("original", "promo", "specific", "partial")

EMPTY = "cannot be empty"
UNKNOWN = "is not a known parameter"


@dataclass(frozen=True)
class NodeRule:
    """What one node type takes: required and optional parameters (besides the parameters
    every node may carry, `COMMON`), how many regular children (`min_children` to
    `max_children`), and whether failover children may follow them."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    min_children: int
    max_children: int
    failovers: bool
    usage: str


NODE_RULES: dict[str, NodeRule] = {
    "Menu": NodeRule(
        ("prompt",),
        ("asr_phrases", "confirm_response_enabled"),
        1,
        9,
        True,
        "Lets the caller choose from up to 9 options, one key each.",
    ),
    # The reference marks destination_extension required, yet none of its own example trees
    # carry one: it is taken as optional (no extension), and checked when given.
    "Connect": NodeRule(
        ("destination_phone_number", "destination_country_code"),
        ("prompt", "destination_extension", "asr_phrases"),
        0,
        0,
        False,
        "Forwards the call to a phone number after an optional prompt.",
    ),
    "EndCall": NodeRule(
        (), ("prompt", "asr_phrases"), 0, 0, False, "Ends the call after an optional prompt."
    ),
    "SmsPromo": NodeRule(
        ("prompt", "sms_promo_copy"),
        ("sms_promo_delay", "sms_promo_sender", "asr_phrases"),
        1,
        1,
        False,
        "Offers a promotional text message (the caller presses 9 to accept), then goes on.",
    ),
    "Condition": NodeRule(
        ("condition",),
        ("asr_phrases",),
        2,
        2,
        False,
        "Runs the first child when the condition holds, else the second.",
    ),
    # Not in the reference's parameter table; its details name a radius in miles.
    "NearestBranch": NodeRule(
        (),
        ("prompt", "radius_miles", "asr_phrases"),
        1,
        1,
        False,
        "Forwards to the nearest branch; the child runs when none is within the radius.",
    ),
    "VerifyLocation": NodeRule(
        (),
        ("prompt", "asr_phrases"),
        1,
        1,
        False,
        "Has the caller confirm their location, then goes on.",
    ),
    "DynamicRoute": NodeRule(
        ("dynamic_route_destination",),
        ("prompt", "asr_phrases"),
        1,
        1,
        False,
        "Forwards to the number held in a custom data field; the child runs when it cannot.",
    ),
    "AnyKeyPress": NodeRule(
        ("prompt",),
        ("asr_phrases",),
        2,
        2,
        False,
        "Runs the first child if the caller presses any key, else the second.",
    ),
    "NumberQuestion": NodeRule(
        ("prompt", "number_question_type"),
        (
            "confirm_response_enabled",
            "error_prompt_disabled",
            "custom_error_prompt_text",
            "caller_response_custom_data_partner_name",
            "asr_phrases",
        ),
        1,
        1,
        True,
        "Asks for a multi-digit answer (a phone number, a date...), then goes on.",
    ),
    "YesOrNo": NodeRule(
        ("prompt",),
        (
            "confirm_response_enabled",
            "error_prompt_disabled",
            "custom_error_prompt_text",
            "asr_phrases",
        ),
        2,
        2,
        True,
        "Runs the first child on yes (1), the second on no (2).",
    ),
}
NODE_TYPES = tuple(NODE_RULES)
# Carried by any node: its type and children, its place among failover children, and the
# recorded-prompt fields Invoca itself returns (as in the reference's 403 example).
COMMON = ("node_type", "children", "keypress_failover_type")
RECORDED_PROMPT = ("prompt_id_from_network", "prompt_url", "prompt_recieved")
ALL_PARAMETERS = {
    *COMMON,
    *RECORDED_PROMPT,
    *(name for rule in NODE_RULES.values() for name in rule.required + rule.optional),
}
TREE_KEYS = ("root", "record_calls", "caller_id")

# Said after a field's help text where its node type does not require it (NODE_RULES): a Menu
# needs its prompt ("cannot be empty"), a Connect may go without.
OPTIONAL_HELP = {"prompt": "Empty means no prompt."}

# Labels and input kinds of every parameter, for the editor and for error sentences.
FIELDS = {
    "prompt": ("Prompt", "textarea", "What the caller hears first."),
    "destination_phone_number": ("Destination phone number", "text", "Digits only."),
    "destination_country_code": ("Destination country code", "text", "e.g. 1 for US/Canada."),
    "destination_extension": (
        "Destination extension",
        "text",
        "Keys pressed after connecting; each comma is a one-second pause.",
    ),
    "sms_promo_copy": ("Text message", "textarea", "Sent when the caller accepts the offer."),
    "sms_promo_delay": ("Send the text", "select", ""),
    "sms_promo_sender": ("Sender email", "text", "Shown in the text; defaults to sms@invoca.net."),
    "condition": ("Condition", "condition", "e.g. mobile and pressed[2], duration >= 1 min 30 sec"),
    "radius_miles": ("Radius (miles)", "number", ""),
    "dynamic_route_destination": (
        "Custom data field",
        "text",
        "Partner name of the field holding the destination.",
    ),
    "number_question_type": ("Question type", "select", ""),
    "confirm_response_enabled": ("Read the answer back for confirmation", "checkbox", ""),
    "error_prompt_disabled": ("No error sound or prompt", "checkbox", ""),
    "custom_error_prompt_text": ("Error prompt", "textarea", "Played on an invalid answer."),
    "caller_response_custom_data_partner_name": (
        "Save the answer to custom data field",
        "text",
        "Partner name of the field.",
    ),
    "asr_phrases": (
        "Speech phrases",
        "phrases",
        "Comma-separated words a caller may say to choose this option.",
    ),
}

DIGITS = re.compile(r"[0-9]+")
EXTENSION = re.compile(r"[0-9*#,]*")
SPECIFIC_MASK = re.compile(r"\+?[0-9][0-9 ().-]*")
PARTIAL_MASK = re.compile(r"[0-9Xx][0-9Xx ().-]*")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    if not isinstance(value, str):
        return ["must be text"]
    if len(value) > MAX_TEXT:
        return [f"is too long (at most {MAX_TEXT} characters)"]
    return []


def _flag(value, *, required: bool) -> list[str]:
    return [] if value is None or isinstance(value, bool) else ["must be true or false"]


def _one_of(allowed) -> list[str]:
    listed = ", ".join(str(item) for item in allowed)
    return [f"is not included in the list ({listed})"]


def _number_question_type(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    return [] if value in NUMBER_QUESTION_TYPES else _one_of(NUMBER_QUESTION_TYPES)


def _sms_promo_delay(value, *, required: bool) -> list[str]:
    if value is None:
        return []
    if isinstance(value, int) and not isinstance(value, bool) and value in SMS_PROMO_DELAYS:
        return []
    return _one_of(SMS_PROMO_DELAYS)


def _country_code(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    if not isinstance(value, str) or not DIGITS.fullmatch(value) or len(value) > 3:
        return ['must be 1 to 3 digits, e.g. "1"']
    if phonenumbers.region_code_for_country_code(int(value)) == "ZZ":
        return ["is not a country calling code"]
    return []


def _phone_number(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    if not isinstance(value, str) or not DIGITS.fullmatch(value):
        return ['must be digits only, e.g. "8004377950"']
    if len(value) > 15:
        return ["is too long (at most 15 digits)"]
    return []


def _extension(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    if not isinstance(value, str) or not EXTENSION.fullmatch(value) or len(value) > 50:
        return ["may hold only digits, * and #, with commas for pauses (at most 50)"]
    return []


def _sender(value, *, required: bool) -> list[str]:
    problems = _text(value, required=required)
    if problems or _blank(value):
        return problems
    try:
        validate_email(value)
    except ValidationError:
        return ["must be an email address"]
    return []


def _radius(value, *, required: bool) -> list[str]:
    if value is None:
        return []
    number_types = (int, float)
    if isinstance(value, bool) or not isinstance(value, number_types) or not 0 < value <= 1000:
        return ["must be a number of miles above 0 (at most 1000)"]
    return []


def _phrases(value, *, required: bool) -> list[str]:
    if value is None:
        return []
    shape = 'must be a list of {"phrase": "..."} objects'
    if not isinstance(value, list):
        return [shape]
    if len(value) > MAX_PHRASES:
        return [f"has too many phrases (at most {MAX_PHRASES})"]
    for item in value:
        if not isinstance(item, dict) or set(item) != {"phrase"}:
            return [shape]
        if _text(item["phrase"], required=True):
            return ["phrases must be non-empty text"]
    return []


def _condition(value, *, required: bool) -> list[str]:
    if _blank(value):
        return [EMPTY] if required else []
    if not isinstance(value, str):
        return ["must be text"]
    parsed = conditions.parse(value)
    return [] if parsed.valid else [parsed.message]


def _recorded(value, *, required: bool) -> list[str]:
    return [] if value is None or isinstance(value, str | bool | int) else ["must be text"]


def _plain_text(value, *, required: bool) -> list[str]:
    return _text(value, required=required)


CHECKS = {
    "prompt": _plain_text,
    "destination_phone_number": _phone_number,
    "destination_country_code": _country_code,
    "destination_extension": _extension,
    "sms_promo_copy": _plain_text,
    "sms_promo_delay": _sms_promo_delay,
    "sms_promo_sender": _sender,
    "condition": _condition,
    "radius_miles": _radius,
    "dynamic_route_destination": _plain_text,
    "number_question_type": _number_question_type,
    "confirm_response_enabled": _flag,
    "error_prompt_disabled": _flag,
    "custom_error_prompt_text": _plain_text,
    "caller_response_custom_data_partner_name": _plain_text,
    "asr_phrases": _phrases,
    "prompt_id_from_network": _recorded,
    "prompt_url": _recorded,
    "prompt_recieved": _recorded,
}


def _known_type(node_type) -> str | None:
    """`node_type` when it names a node type, else None (whatever JSON value it is)."""
    return node_type if isinstance(node_type, str) and node_type in NODE_RULES else None


def _add(errors: dict, field: str, messages: list[str]) -> None:
    if messages:
        errors.setdefault(field, []).extend(messages)


def _failover_type(node):
    """A child's failover type as given (None for a regular child: absent, null or blank)."""
    value = node.get("keypress_failover_type") if isinstance(node, dict) else None
    return None if _blank(value) else value


def _check_parameters(node: dict, node_type: str | None, errors: dict) -> None:
    rule = NODE_RULES.get(node_type)
    if rule is None:
        # Without a known type only the values of parameters some type takes are checked.
        for name, value in node.items():
            if name in CHECKS:
                _add(errors, name, CHECKS[name](value, required=False))
            elif name not in ALL_PARAMETERS:
                _add(errors, name, [UNKNOWN])
        return
    own = (*rule.required, *rule.optional, *RECORDED_PROMPT)
    for name in own:
        if name in rule.required or name in node:
            _add(errors, name, CHECKS[name](node.get(name), required=name in rule.required))
    if node_type == "Connect" and not errors.keys() & {
        "destination_phone_number",
        "destination_country_code",
    }:
        _add(errors, "destination_phone_number", _dialable(node))
    for name, value in node.items():
        if name in own or name in COMMON:
            continue
        if name not in ALL_PARAMETERS:
            _add(errors, name, [UNKNOWN])
        elif not _blank(value):
            _add(errors, name, [f"is not a parameter of {node_type} nodes"])


def _dialable(node: dict) -> list[str]:
    code, number = node["destination_country_code"], node["destination_phone_number"]
    try:
        parsed = phonenumbers.parse(f"+{code}{number}")
    except phonenumbers.NumberParseException:
        return [f"is not a phone number for country code {code}"]
    if not phonenumbers.is_valid_number(parsed):
        return [f"is not a valid phone number for country code {code}"]
    return []


def _check_children(node_type: str | None, children: list, errors: dict) -> None:
    """Messages about a node's regular child count, under its `children`."""
    rule = NODE_RULES.get(node_type)
    if rule is None:
        return
    regular = [child for child in children if _failover_type(child) is None]
    count = len(regular)
    if rule.max_children == 0:
        if children:
            _add(errors, "children", [f"must be empty ({node_type} nodes may not have children)"])
        return
    besides = " besides failover children" if rule.failovers else ""
    if rule.min_children == rule.max_children and count != rule.min_children:
        wanted = "1 child" if rule.min_children == 1 else f"{rule.min_children} children"
        _add(errors, "children", [f"must have exactly {wanted}{besides} (has {count})"])
    elif not rule.min_children <= count <= rule.max_children:
        _add(
            errors,
            "children",
            [
                f"must have between {rule.min_children} and {rule.max_children} "
                f"children{besides} (has {count})"
            ],
        )


def _failover_problems(parent_type: str | None, children: list) -> dict[int, list[str]]:
    """Messages for the `keypress_failover_type` of each child, by index."""
    problems: dict[int, list[str]] = {}
    parent_rule = NODE_RULES.get(parent_type)
    seen: set[str] = set()
    last_regular = max(
        (index for index, child in enumerate(children) if _failover_type(child) is None),
        default=-1,
    )
    for index, child in enumerate(children):
        value = _failover_type(child)
        if value is None:
            continue
        if value not in KEYPRESS_FAILOVER_TYPES:
            problems[index] = _one_of(KEYPRESS_FAILOVER_TYPES)
        elif parent_rule is not None and not parent_rule.failovers:
            problems[index] = [
                "is only allowed on children of Menu, NumberQuestion or YesOrNo nodes"
            ]
        elif value in seen:
            problems[index] = ["has already been taken by another child"]
        elif index < last_regular:
            problems[index] = ["must come after the regular children, at the end of the list"]
        if value in KEYPRESS_FAILOVER_TYPES:
            seen.add(value)
    return problems


@dataclass
class _Frame:
    node: object
    depth: int
    errors: dict
    slots: list  # (index, child frame) for each child walked


def _walk(root, errors: dict, *, failover_problem: list[str] | None = None) -> bool:
    """Validate `root` and its descendants into `errors` (Invoca's nested shape) without
    recursion; returns False when the tree had more than MAX_NODES nodes."""
    top = _Frame(root, 1, errors, [])
    order = [top]
    pending = [(top, failover_problem)]
    complete = True
    while pending:
        frame, own_failover = pending.pop()
        node = frame.node
        if not isinstance(node, dict):
            _add(frame.errors, "base", ["must be an object"])
            continue
        node_type = node.get("node_type")
        if _blank(node_type):
            _add(frame.errors, "node_type", [EMPTY])
        known_type = _known_type(node_type)
        if known_type is None and not _blank(node_type):
            _add(frame.errors, "node_type", _one_of(NODE_TYPES))
        _check_parameters(node, known_type, frame.errors)
        if own_failover:
            _add(frame.errors, "keypress_failover_type", own_failover)
        children = node.get("children")
        if children is None:
            children = []
        if not isinstance(children, list):
            _add(frame.errors, "children", ["must be a list"])
            continue
        _check_children(known_type, children, frame.errors)
        if not children:
            continue
        if frame.depth >= MAX_DEPTH:
            _add(frame.errors, "children", [f"are nested too deeply (at most {MAX_DEPTH} levels)"])
            continue
        problems = _failover_problems(known_type, children)
        for index, child in enumerate(children):
            if len(order) >= MAX_NODES:
                complete = False
                break
            child_frame = _Frame(child, frame.depth + 1, {}, [])
            frame.slots.append((index, child_frame))
            order.append(child_frame)
            pending.append((child_frame, problems.get(index)))
    # Children were walked after their parents: assemble their errors bottom-up.
    for frame in reversed(order):
        entries = [{str(index): child.errors} for index, child in frame.slots if child.errors]
        if entries:
            frame.errors.setdefault("children", []).extend(entries)
    return complete


def validate_caller_id(value) -> dict | None:
    """Errors of a `caller_id` object (`{"setting": "partial", "mask": "800-555-XXXX"}`), in
    the same `{field: [messages]}` shape, or None when it is valid. [004, "Caller ID options"]:
    `original` (the default) and `promo` take no mask; `specific` takes a phone number as its
    mask, `partial` a mask with X for the digits replaced."""
    if not isinstance(value, dict):
        return {"base": ["must be an object"]}
    errors: dict = {}
    setting = value.get("setting")
    mask = value.get("mask")
    for name in value:
        if name not in ("setting", "mask"):
            _add(errors, name, [UNKNOWN])
    if _blank(setting):
        _add(errors, "setting", [EMPTY])
    elif setting not in CALLER_ID_SETTINGS:
        _add(errors, "setting", _one_of(CALLER_ID_SETTINGS))
    if setting in ("specific", "partial"):
        if _blank(mask):
            _add(errors, "mask", [EMPTY])
        elif not isinstance(mask, str) or len(mask) > 30:
            _add(errors, "mask", ["must be text of at most 30 characters"])
        elif setting == "specific":
            digits = sum(ch.isdigit() for ch in mask)
            if not SPECIFIC_MASK.fullmatch(mask) or not 7 <= digits <= 15:
                _add(errors, "mask", ['must be a phone number, e.g. "800-555-5555"'])
        else:
            slots = sum(ch.isdigit() or ch in "Xx" for ch in mask)
            if not PARTIAL_MASK.fullmatch(mask) or "X" not in mask.upper() or not 7 <= slots <= 15:
                _add(errors, "mask", ['must be digits with X for hidden ones, e.g. "800-555-XXXX"'])
    elif setting in ("original", "promo") and not _blank(mask):
        _add(errors, "mask", [f"must be blank for the {setting} setting"])
    return errors or None


def validate_tree(tree) -> dict | None:
    """Validate an IVR tree before anything is sent to Invoca.

    Returns None for a valid tree, else Invoca's nested error shape (the body of its 403
    under `error`): `{"ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}}`.
    Errors of the root node sit directly under `ivr_tree`; a node's `children` list holds
    messages about its child list (strings) followed by one `{"<index>": {errors}}` entry per
    child with errors, in child order, the index being the child's position (its keypress
    minus one, for a Menu). A value that is not a tree at all is `{"ivr_tree": [message]}`.

    Never raises, whatever JSON value it is given: the walk is iterative and stops at
    MAX_DEPTH levels and MAX_NODES nodes, which are errors too.
    """
    if tree is None or tree == "":
        return {"ivr_tree": [EMPTY]}
    if not isinstance(tree, dict):
        return {"ivr_tree": ["must be an object"]}
    errors: dict = {}
    if "root" in tree or "node_type" not in tree:
        for name in tree:
            if name not in TREE_KEYS:
                _add(errors, name, [UNKNOWN])
        if "record_calls" in tree:
            _add(errors, "record_calls", _flag(tree["record_calls"], required=False))
        if tree.get("caller_id") is not None:
            caller_id = validate_caller_id(tree["caller_id"])
            if caller_id:
                errors["caller_id"] = caller_id
        root = tree.get("root")
        if root is None:
            _add(errors, "root", [EMPTY])
        elif not isinstance(root, dict):
            _add(errors, "root", ["must be an object"])
        else:
            root_errors: dict = {}
            complete = _walk(root, root_errors)
            _merge(errors, root_errors)
            if not complete:
                _add(errors, "base", [f"has too many nodes (at most {MAX_NODES})"])
    elif not _walk(tree, errors):
        _add(errors, "base", [f"has too many nodes (at most {MAX_NODES})"])
    _root_failover(tree, errors)
    return {"ivr_tree": errors} if errors else None


def _merge(errors: dict, more: dict) -> None:
    for name, value in more.items():
        if name in errors and isinstance(errors[name], list) and isinstance(value, list):
            errors[name].extend(value)
        else:
            errors[name] = value


def _root_failover(tree: dict, errors: dict) -> None:
    root = root_of(tree)
    if isinstance(root, dict) and root.get("keypress_failover_type") is not None:
        _add(errors, "keypress_failover_type", ["is only allowed on child nodes"])


def root_of(tree):
    """The root node of a tree in either shape (wrapper or bare node), else None."""
    if not isinstance(tree, dict):
        return None
    if "root" in tree or "node_type" not in tree:
        return tree.get("root") if isinstance(tree.get("root"), dict) else None
    return tree


def child_label(parent_type: str | None, children: list, index: int) -> str:
    """What leads a caller to child `index` of a `parent_type` node: "Key 2", "Wrong key",
    "If true", "Otherwise", "Yes (1)", ... (the same words the editor uses)."""
    failover = _failover_type(children[index])
    if failover == "Wrong":
        return "Wrong key"
    if failover == "None":
        return "No key"
    regular = sum(1 for child in children[:index] if _failover_type(child) is None)
    labels = {
        "Condition": ("If true", "Otherwise"),
        "AnyKeyPress": ("Any key pressed", "No key pressed"),
        "YesOrNo": ("Yes (1)", "No (2)"),
        "NumberQuestion": ("After the answer",),
        "SmsPromo": ("After the offer",),
        "VerifyLocation": ("After verifying the location",),
        "NearestBranch": ("No branch nearby",),
        "DynamicRoute": ("If it cannot route",),
    }.get(_known_type(parent_type))
    if parent_type == "Menu":
        return f"Key {regular + 1}"
    if labels and regular < len(labels):
        return labels[regular]
    return f"Child {index + 1}"


def _short(value, default: str = "?") -> str:
    """A parameter as outline text: blank values as `default`, long ones cut to 120 characters."""
    if _blank(value):
        return default
    text = value.strip() if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:119] + "…"


def _typed_destination(node: dict) -> tuple[str, str]:
    """A Connect node's `(country code, number)` as outline text, "?" for a blank one."""
    return _short(node.get("destination_country_code")), _short(
        node.get("destination_phone_number")
    )


def destination_text(node: dict, region: str = phones.DEFAULT_REGION) -> str:
    """A Connect node's destination as pages show a phone number (`phones.for_display`):
    country code 1 and 8004377950 read "(800) 437-7950" for a US account (`region`, ISO 3166),
    "+1 800-437-7950" for others; one that is not a phone number reads as typed, "+1 800?"."""
    code, number = _typed_destination(node)
    if "?" not in (code, number):
        typed = f"+{code}{number}"
        shown = phones.for_display(typed, region or phones.DEFAULT_REGION)
        if shown != typed:
            return shown
    return f"+{code} {number}"


def destinations(tree, region: str = phones.DEFAULT_REGION) -> dict[str, str]:
    """`{"+18004377950": "(800) 437-7950"}`: the destination of each Connect node of `tree`,
    keyed by its country code and number as typed after a "+", shown as `destination_text`
    shows it; numbers that do not read as phone numbers are left out. Bounded like
    `call_flow`."""
    found: dict[str, str] = {}
    root = root_of(tree)
    pending = [(root, 0)] if root is not None else []
    seen = 0
    while pending and seen < MAX_NODES:
        node, depth = pending.pop()
        seen += 1
        if not isinstance(node, dict):
            continue
        if _known_type(node.get("node_type")) == "Connect":
            code, number = _typed_destination(node)
            shown = destination_text(node, region)
            if shown != f"+{code} {number}":
                found[f"+{code}{number}"] = shown
        children = node.get("children")
        if isinstance(children, list) and depth + 1 < MAX_DEPTH:
            pending.extend((child, depth + 1) for child in children)
    return found


def _describe(node: dict, region: str) -> str:
    node_type = _known_type(node.get("node_type"))
    prompt = _short(node.get("prompt"), "")
    said = f': "{prompt}"' if prompt else ""
    if node_type == "Connect":
        extension = _short(node.get("destination_extension"), "")
        ext = f" ext. {extension}" if extension else ""
        return f"Connect to {destination_text(node, region)}{ext}{said}"
    if node_type == "EndCall":
        return f"End the call{said}"
    if node_type == "Condition":
        return f"Check: {_short(node.get('condition'))}"
    if node_type == "SmsPromo":
        delay_s = node.get("sms_promo_delay")
        delay = SMS_PROMO_DELAYS.get(delay_s if isinstance(delay_s, int) else 1, "Immediately")
        copy = _short(node.get("sms_promo_copy"), "")
        text = f' "{copy}"' if copy else ""
        return f"Text offer (sent {delay.lower()}){text}{said}"
    if node_type == "NumberQuestion":
        return f"Ask for {_short(node.get('number_question_type'), 'a number')}{said}"
    if node_type == "DynamicRoute":
        return f"Route to the number in {_short(node.get('dynamic_route_destination'))}"
    if node_type:
        return f"{node_type}{said}"
    return "Unknown node"


def call_flow(tree, region: str = phones.DEFAULT_REGION) -> list[tuple[int, str]]:
    """An outline of what a caller hears and which key leads where, as (depth, line) pairs:

        (0, 'Menu: "Press 1 for sales"'), (1, 'Key 1 → Connect to (800) 437-7950'), ...

    A destination reads as `destination_text` writes it for `region` (the account's country,
    ISO 3166). Bounded like `validate_tree`; an unreadable tree gives an empty outline.
    """
    root = root_of(tree)
    if root is None:
        return []
    lines: list[tuple[int, str]] = []
    pending: list[tuple[object, int, str]] = [(root, 0, "")]
    while pending and len(lines) < MAX_NODES:
        node, depth, label = pending.pop()
        if not isinstance(node, dict):
            lines.append((depth, f"{label}(not a node)"))
            continue
        lines.append((depth, f"{label}{_describe(node, region)}"))
        children = node.get("children")
        if not isinstance(children, list) or depth + 1 >= MAX_DEPTH:
            continue
        node_type = node.get("node_type")
        for index in reversed(range(len(children))):
            prefix = f"{child_label(node_type, children, index)} → "
            pending.append((children[index], depth + 1, prefix))
    return lines


def tree_errors(errors) -> dict | None:
    """`{"ivr_tree": ...}` out of any dict holding the tree's errors under `ivr_tree` (what
    `validate_tree` returns, or a form's whole Invoca-shaped error dict) or Invoca's 403 body
    `{"error": {"ivr_tree": ...}}`; None when there are none."""
    if not isinstance(errors, dict):
        return None
    if "ivr_tree" not in errors and isinstance(errors.get("error"), dict):
        errors = errors["error"]
    found = errors.get("ivr_tree")
    return {"ivr_tree": found} if found else None


def error_lines(errors, tree=None) -> list[str]:
    """Invoca-shaped errors as sentences naming the node, e.g. "Menu > Key 1 (Connect):
    Destination phone number cannot be empty." Takes what `tree_errors` takes; `tree` (when
    given) names nodes by their type and the key that leads to them."""
    errors = tree_errors(errors)
    if errors is None:
        return []
    top = errors["ivr_tree"]
    if isinstance(top, list):
        return [f"IVR tree {message}." for message in top if isinstance(message, str)]
    root = root_of(tree)
    lines: list[str] = []
    root_name = _known_type(root.get("node_type")) if isinstance(root, dict) else None
    pending = [(top, root, root_name or "Root")]
    while pending and len(lines) < 200:
        node_errors, node, where = pending.pop(0)
        if not isinstance(node_errors, dict):
            continue
        children = node.get("children") if isinstance(node, dict) else None
        node_type = node.get("node_type") if isinstance(node, dict) else None
        for name, messages in node_errors.items():
            if not isinstance(messages, list):
                continue
            label = FIELDS.get(name, (name.replace("_", " ").capitalize(),))[0]
            for message in messages:
                if isinstance(message, str):
                    lines.append(_sentence(where, "" if name == "base" else label, message))
                elif isinstance(message, dict) and name == "children":
                    for key, child_errors in message.items():
                        child, step = None, f"Child {key}"
                        if (
                            isinstance(children, list)
                            and key.isdigit()
                            and int(key) < len(children)
                        ):
                            child = children[int(key)]
                            step = child_label(node_type, children, int(key))
                            child_type = (
                                _known_type(child.get("node_type"))
                                if isinstance(child, dict)
                                else None
                            )
                            if child_type:
                                step = f"{step} ({child_type})"
                        pending.append((child_errors, child, f"{where} > {step}"))
    return lines


def _sentence(where: str, label: str, message: str) -> str:
    end = "" if message.endswith(".") else "."
    if not label:
        return f"{where}: {message[:1].upper()}{message[1:]}{end}"
    # The condition parser's messages are sentences of their own.
    joint = ": " if message[:1].isupper() else " "
    return f"{where}: {label}{joint}{message}{end}"


def editor_schema() -> dict:
    """The node rules as the IVR editor reads them (one source for server and browser)."""
    return {
        "types": {
            name: {
                "required": list(rule.required),
                "optional": list(rule.optional),
                "min_children": rule.min_children,
                "max_children": rule.max_children,
                "failovers": rule.failovers,
                "usage": rule.usage,
            }
            for name, rule in NODE_RULES.items()
        },
        "fields": {
            name: {
                "label": label,
                "kind": kind,
                "help": help_text,
                "optional_help": OPTIONAL_HELP.get(name, ""),
            }
            for name, (label, kind, help_text) in FIELDS.items()
        },
        "choices": {
            "number_question_type": [[value, value] for value in NUMBER_QUESTION_TYPES],
            "sms_promo_delay": [[value, label] for value, label in SMS_PROMO_DELAYS.items()],
        },
        "failover_types": list(KEYPRESS_FAILOVER_TYPES),
        # Kept on a node whatever its type (a type change drops the other parameters).
        "common": [*COMMON, *RECORDED_PROMPT],
    }


class IvrTreeField(forms.Field):
    """A form field taking an IVR tree as JSON text (the IVR editor's textarea).

    Cleans to the tree (a dict), or None when left empty and not required. A tree that
    `validate_tree` refuses raises a ValidationError with code "ivr_tree" whose
    `params["ivr_errors"]` holds the Invoca-shaped errors; `ivr_errors(form)` reads them back
    for the editor. A re-rendered form shows the text exactly as it was sent.
    """

    widget = forms.Textarea
    default_error_messages = {
        "invalid_json": "Enter the IVR tree as JSON: %(reason)s",
        "too_long": "The IVR tree is too long (at most %(limit)s characters).",
        "ivr_tree": "The IVR tree has errors; they are marked on the nodes below.",
    }

    def to_python(self, value):
        if isinstance(value, dict | list):
            return value
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if len(value) > MAX_JSON_CHARS:
            raise ValidationError(
                self.error_messages["too_long"], code="too_long", params={"limit": MAX_JSON_CHARS}
            )
        try:
            return parse_json(value)
        except ValueError as exc:
            raise ValidationError(
                self.error_messages["invalid_json"],
                code="invalid_json",
                params={"reason": str(exc).removeprefix("Malformed JSON: ")},
            ) from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        errors = validate_tree(value)
        if errors:
            raise ValidationError(
                self.error_messages["ivr_tree"], code="ivr_tree", params={"ivr_errors": errors}
            )

    def bound_data(self, data, initial):
        return data

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        try:
            return json.dumps(value, indent=2, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return ""


def ivr_errors(form, name: str = "ivr_tree") -> dict | None:
    """The Invoca-shaped errors an `IvrTreeField` named `name` raised on `form`, else None."""
    for error in form.errors.as_data().get(name, []) if form.is_bound else []:
        if error.code == "ivr_tree" and error.params:
            return error.params["ivr_errors"]
    return None
