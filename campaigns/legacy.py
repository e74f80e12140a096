"""Moving in from the old campaign service: its MongoDB export of campaign documents [000],
read, mapped onto our campaigns and written through `services.import_campaign`.

Decisions, so a re-run or a dry run is predictable:

- The export is MongoDB Extended JSON (canonical or relaxed), one document per line
  (`mongoexport`'s default) or one JSON array (`--jsonArray`). A line that is not JSON is
  rejected on its own; an array that is not JSON cannot be read at all (`LegacyExportError`).
- A document's `_id` is kept as `Campaign.legacy_id`: importing it again updates that campaign
  (through the services, so every rule and tally holds), and a document that changed nothing
  leaves it untouched.
- People (`owner`, `selected_user[].id`) are legacy user ObjectIds, found in the users export
  and matched by email (case-insensitive) to members of the target account only. A document
  naming someone who cannot be matched is rejected with that person in the reason, never
  imported without them: leads would silently go to fewer representatives. Add the member (or
  fix the export) and run again.
- A document deleted in the old service (`is_deleted: true`) arrives as a deleted campaign, so
  its history and id mapping are kept; it does not count towards tracking-number uniqueness.
- Imports never send the disconnection alert: the old service sent it when it happened.
- `pipeline_id` / `stage_id` name the old CRM's pipeline, which does not move in: a new campaign
  arrives with deals off (noted in the result) and a re-run never changes the deal pipeline
  settings staff chose here. `deal_value` and `currency` are imported.
- A lead source that ties a campaign to a record of its own (an Invoca advertiser campaign)
  needs that link, which the old service never kept: add it to the document under the
  campaign API's key (`invoca_campaign_id`), or the document is rejected saying so.
- Every document carries the old tenant's `account_id` (an ObjectId; a document without one,
  or with anything else there, is rejected). The old account an account was moved in from is
  remembered (`Account.legacy_account`) by the first run that imports anything: documents of
  any other old account are rejected, in that run and every later one, so two tenants are never
  merged into one account. Until then the first document read decides (unless `legacy_account`
  is given). An old account already moved into another account is rejected, naming that
  account, unless `allow_moved_elsewhere`.
- A campaign changed here since the import last wrote it (renamed, paused, deleted…; the deal
  pipeline settings aside) is kept as it is (`Action.KEPT`, naming the fields) unless
  `overwrite_changes`: a re-run never silently undoes what staff did. What the import wrote is
  kept on the campaign (`Campaign.legacy_values`); a campaign imported before that was kept is
  only updated when it still matches the export or with `overwrite_changes`.
- `created_at` must be a date after 1970-01-01 and not in the future: "zero time" placeholders
  (`0001-01-01T00:00:00Z`) are rejected like any other value that is no date.
- A document nested more than `MAX_DEPTH` levels deep is rejected on its own (the old service
  never nested more than a few).
- A dry run holds no lock for long: each document is computed in a transaction of its own,
  rolled back at once, against the campaigns here plus the earlier documents' tracking numbers
  (a form campaign's name made unique may differ from a real run's when two documents of the
  export share it).
- The old service's `instasites` and `instareport` campaigns were lead forms it generated
  from its templates of those names [000]: they arrive as form campaigns, each document's
  result noting it. Any other value that is none of our lead sources is rejected.
- An export without a single document (an empty file, blank lines, `[]`) is an error
  (`NO_DOCUMENTS`), not a run that imported nothing.
- `updated_at` and the in-house form ids of the old service are not kept: the campaign's
  `updated_at` is the import's, and a form campaign gets a new public form address.
"""

import itertools
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bson import json_util
from bson.decimal128 import Decimal128
from bson.errors import BSONError
from bson.json_util import JSONOptions
from bson.objectid import ObjectId
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaignhub.cleaning import has_bad_text
from campaignhub.fields import LINE_ENDINGS, clean_name
from campaignhub.models import Account, Membership
from campaigns import services, sources
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, Integration

logger = logging.getLogger(__name__)

# Dates arrive as `{"$date": …}` in UTC; read them as aware datetimes.
JSON_OPTIONS = JSONOptions(tz_aware=True, tzinfo=UTC)
# What json_util raises for a value it cannot turn into its BSON type (a bad `$oid`, `$date`…).
UNREADABLE = (ValueError, TypeError, ArithmeticError, OverflowError, BSONError)
# How deep a document may nest objects and lists (the old service's go 3 levels deep).
MAX_DEPTH = 32
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep."
# A `created_at` on or before this is a placeholder for "no date" (Unix's zero, or the
# "zero time" 0001-01-01 other systems write), not when a campaign was made.
EARLIEST_CREATED_AT = datetime(1970, 1, 1, tzinfo=UTC)
# The snapshot fields chosen here that an import never changes (see `map_document`).
CHOSEN_HERE = {"create_deal", "pipeline_id", "stage_id"}

# The old service's `integration` values that are no lead source of ours: its InstaSites and
# InstaReport campaigns were lead forms it generated from its templates of those names [000]
# ("InstaSite/InstaReport campaigns automatically create forms from templates"), so they
# arrive as lead form campaigns, each with a note saying so (`_integration`). Value -> the
# template's name.
LEGACY_FORM_TEMPLATES = {"instasites": "InstaSites", "instareport": "InstaReport"}

# The fields a dry run and an update report, in the API's names; `selected_user` lists each
# representative as `email` or `email custom_number`.
SNAPSHOT_FIELDS = [
    "campaign_name",
    "integration",
    "owner",
    "page_id",
    "page_url",
    "tracking_number",
    "selected_user",
    "notification_type",
    "email_details",
    "sms_details",
    "add_to_crm",
    "add_person_or_business",
    "create_deal",
    "pipeline_id",
    "stage_id",
    "deal_value",
    "currency",
    "status",
    "is_deleted",
    "created_at",
]


class LegacyExportError(Exception):
    """The export as a whole cannot be read (a JSON array with a syntax error), holds no
    document at all (`NO_DOCUMENTS`), or cannot go into this account (`legacy_account` is not
    the old account it was moved in from)."""


# An export that is empty, blank lines only or an empty JSON array: most likely the wrong
# file or a failed export, never a run that did its work.
NO_DOCUMENTS = (
    "The export holds no campaign documents (the file is empty, or holds only blank lines or "
    "an empty JSON array): nothing was imported. Check that it is the old service's campaigns "
    "export (mongoexport of its campaigns) and run again."
)


class Rejected(Exception):
    """One document cannot be imported; the message is the reason a person reads."""


class Kept(Exception):
    """The campaign was changed here since it was moved in and is left as it is; the message
    is the reason a person reads; `campaign_id` and `campaign_name` the campaign's."""

    def __init__(self, message, campaign):
        super().__init__(message)
        self.campaign_id, self.campaign_name = campaign.pk, campaign.campaign_name


class ImportInterrupted(Exception):
    """The import was interrupted (Ctrl-C): `result` holds every document decided before, and
    `result.interrupted_at` where it stopped (that document was not written)."""

    def __init__(self, result):
        super().__init__(f"interrupted at {result.interrupted_at or 'the start'}")
        self.result = result


class Action:
    """What an import did with a document (`DocumentOutcome.action`)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # Changed here since it was moved in: left as it is (`reason` says why).
    KEPT = "kept"
    REJECTED = "rejected"


@dataclass
class DocumentOutcome:
    """What became of one document of the export.

    `where` is `line <n>` (one document per line) or `item <n>` (a JSON array), 1-based;
    `legacy_id` its `_id` ("" when unreadable); `action` one of `Action`; `campaign_id` our
    campaign (None when rejected, and for a create in a dry run); `changes` maps each field
    of `SNAPSHOT_FIELDS` that differs to `(before, after)` (`before` None for a create);
    `reason` why it was rejected or kept; `notes` what was imported differently from the
    document.
    """

    where: str
    legacy_id: str
    action: str
    campaign_id: int | None = None
    campaign_name: str = ""
    changes: dict = field(default_factory=dict)
    reason: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """Every document's outcome, in export order; `warnings` about the users export;
    `dry_run` True when nothing was written; `legacy_account` the old tenant moved;
    `interrupted_at` where an interrupted import stopped ("" when it ran to the end)."""

    dry_run: bool
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    legacy_account: str = ""
    interrupted_at: str = ""

    def _with(self, action):
        return [outcome for outcome in self.outcomes if outcome.action == action]

    @property
    def created(self) -> list[DocumentOutcome]:
        return self._with(Action.CREATED)

    @property
    def updated(self) -> list[DocumentOutcome]:
        return self._with(Action.UPDATED)

    @property
    def unchanged(self) -> list[DocumentOutcome]:
        return self._with(Action.UNCHANGED)

    @property
    def kept(self) -> list[DocumentOutcome]:
        return self._with(Action.KEPT)

    @property
    def rejected(self) -> list[DocumentOutcome]:
        return self._with(Action.REJECTED)

    def summary(self) -> str:
        """One line: `Created 3, updated 1, unchanged 2, rejected 4.` (a dry run says
        `Would create …`); `, kept 1 changed here` before the rejections when any was kept."""
        kept = len(self.kept)
        if self.dry_run:
            counts = f"Would create {len(self.created)}, update {len(self.updated)}, leave "
            counts += f"{len(self.unchanged)} unchanged"
            counts += f", keep {kept} changed here" if kept else ""
            return f"{counts}; reject {len(self.rejected)}."
        counts = f"Created {len(self.created)}, updated {len(self.updated)}, unchanged "
        counts += f"{len(self.unchanged)}"
        counts += f", kept {kept} changed here" if kept else ""
        return f"{counts}, rejected {len(self.rejected)}."


# Reading the export


class DuplicateKey(ValueError):
    """An object of the export names the same key twice (which value was meant is unknown)."""


def _object_pairs(pairs):
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise DuplicateKey(f"the key {json.dumps(key, ensure_ascii=False)} appears twice.")
    return json_util.object_pairs_hook(pairs, JSON_OPTIONS)


def _decode(text: str):
    """Extended JSON -> Python (ObjectId, aware datetimes…); raises json.JSONDecodeError,
    DuplicateKey or one of `UNREADABLE`."""
    return json.loads(text, object_pairs_hook=_object_pairs)


def _plain(text: str):
    """The text as plain JSON, for what a document that cannot be read still says (its
    `_id`), or None."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _too_deep(value) -> bool:
    """True when objects and lists nest more than `MAX_DEPTH` levels deep in `value` (walked
    without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _read(where, text):
    """One document's text -> `(where, document, problem)` as `read_documents` yields it."""
    try:
        document = _decode(text)
    except json.JSONDecodeError as exc:
        return where, None, f"not valid JSON at column {exc.colno}: {exc.msg}."
    except DuplicateKey as exc:
        return where, _plain(text), str(exc)
    except UNREADABLE as exc:
        return where, _plain(text), f"not valid Extended JSON: {exc}."
    except RecursionError:
        # Deeper than the decoder can follow: nothing of it can be read.
        return where, None, TOO_DEEP
    if _too_deep(document):
        return where, None, TOO_DEEP
    return where, document, ""


def _array_items(text: str) -> list[str]:
    """The texts of a JSON array's items, split without decoding them (so an item too deep
    to decode is only that item's problem). Raises LegacyExportError when the text is not an
    array of that shape (an item's own syntax is checked when it is decoded)."""
    items, depth, in_string, escaped = [], 0, False, False
    position = text.index("[") + 1
    for index in range(position, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}" and depth:
            depth -= 1
        elif depth == 0 and char in ",]":
            item = text[position:index]
            if item.strip() or char == "," or items:
                items.append(item)
            position = index + 1
            if char == "]":
                if text[position:].strip():
                    raise LegacyExportError("The export is not a valid JSON array: text after it.")
                return items
    raise LegacyExportError("The export is not a valid JSON array: it does not end.")


def read_documents(lines: Iterable[str]) -> Iterator[tuple[str, object, str]]:
    """The documents of a MongoDB Extended JSON export, as `(where, document, problem)`.

    `lines` is the export's text in lines (an open text file). One document per line is read
    lazily; blank lines are skipped. A JSON array (the first character is `[`) is read whole.
    `problem` is "" or why the line could not be read: then `document` is the line as plain
    JSON when it is JSON at all (to name its `_id`), else None. Raises LegacyExportError for an
    array that is not valid JSON or names a key twice in an object.
    """
    lines = iter(lines)
    head = []
    for line in lines:
        head.append(line.lstrip("\ufeff") if not head else line)
        if line.strip():
            break
    if "".join(head).lstrip().startswith("["):
        yield from _read_array("".join(itertools.chain(head, lines)))
        return
    for number, line in enumerate(itertools.chain(head, lines), start=1):
        if line.strip():
            yield _read(f"line {number}", line.strip())


def _read_array(text):
    try:
        documents = _decode(text)
    except DuplicateKey as exc:
        raise LegacyExportError(f"The export cannot be read: {exc}") from None
    except UNREADABLE as exc:
        raise LegacyExportError(f"The export is not a valid JSON array: {exc}") from None
    except RecursionError:
        # An item nests deeper than the decoder can follow: read the items one by one, and
        # only the deep ones are rejected.
        documents = None
    if isinstance(documents, list):
        for number, document in enumerate(documents, start=1):
            problem = TOO_DEEP if _too_deep(document) else ""
            yield f"item {number}", None if problem else document, problem
        return
    if documents is not None:
        raise LegacyExportError("The export is not a valid JSON array: it is not an array.")
    read = [_read(f"item {number}", item) for number, item in enumerate(_array_items(text), 1)]
    for _where, _document, problem in read:
        if problem and problem != TOO_DEEP:
            # The array is not valid JSON after all: read whole, it could not be read either.
            raise LegacyExportError(f"The export is not a valid JSON array: {problem}")
    yield from read


def _oid(value) -> str:
    """An ObjectId (or its 24-digit hex, or `{"$oid": hex}` read as plain JSON) as lower-case
    hex; "" for anything else."""
    if isinstance(value, dict):
        value = value.get("$oid")
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, str) and ObjectId.is_valid(value.strip()):
        return value.strip().lower()
    return ""


def read_users(lines: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The users export: `{user ObjectId hex: email in lower case}` and a warning per user
    document that could not be read or has no `_id` or email (a campaign naming that person
    is then rejected as not in the users export). Raises LegacyExportError as
    `read_documents` does."""
    users, warnings = {}, []
    for where, document, problem in read_documents(lines):
        if problem:
            warnings.append(f"users export {where}: {problem}")
            continue
        if not isinstance(document, dict):
            warnings.append(f"users export {where}: not a JSON object")
            continue
        user_id = _oid(document.get("_id"))
        email = document.get("email")
        if not user_id or not isinstance(email, str) or "@" not in email:
            warnings.append(f"users export {where}: no _id or no email; skipped")
            continue
        users[user_id] = email.strip().lower()
    return users, warnings


# Mapping one document onto our campaign data


def _describe(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime):
        return "a date"
    return "a number" if isinstance(value, float | Decimal128) else type(value).__name__


def _one_line(text: str) -> str:
    """A header line the old service stored with line breaks in it (a subject, a Reply-To
    name): each break a space, as its emails wrote it (our forms refuse one typed)."""
    return LINE_ENDINGS.sub(" ", text)


def _text(value, name, numbers=True) -> str:
    """Text as the old service stored it; whole numbers (a page id, a phone number kept as a
    number) become their digits unless `numbers` is False (a name, as the API would refuse
    it); anything else is refused, never guessed at."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, ObjectId):
        return str(value)
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Rejected(f"{name}: expected text, got {_describe(value)}.")


def _flag(document, name, default):
    value = document.get(name)
    return default if value is None else value


def _object(value, name) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Rejected(f"{name}: expected an object, got {_describe(value)}.")
    return value


def _deal_value(value):
    if value is None or value == "":
        return None
    if isinstance(value, Decimal128):
        return str(value.to_decimal())
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Rejected(f"deal_value: expected a number, got {_describe(value)}.")
    return str(value)


def _created_at(value):
    """When the old service created the campaign (aware; naive values are UTC). Raises Rejected
    for a value that is no date (`2023-13-45` too), a date still to come (a campaign cannot
    have been created then, and it would sort above every real one), or one on or before
    `EARLIEST_CREATED_AT` (a placeholder for "no date", such as the "zero time"
    0001-01-01T00:00:00Z, which no time zone west of UTC could even show)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            # Shaped like a date, but not one (month 13, day 45).
            parsed = None
        if parsed is None:
            raise Rejected("created_at: not a date.")
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed > timezone.now():
        raise Rejected(f"created_at: {parsed.isoformat()} is in the future.")
    if parsed <= EARLIEST_CREATED_AT:
        raise Rejected(
            f"created_at: {parsed.isoformat()} is not after 1970-01-01, a placeholder for no "
            "date rather than when the campaign was made."
        )
    return parsed


def _attachment(item, index):
    if isinstance(item, str):
        return {"name": item.rstrip("/").rsplit("/", 1)[-1], "url": item}
    if isinstance(item, dict):
        url = _text(item.get("url"), f"email_details.attachments[{index}].url")
        name = item.get("name") or item.get("filename") or url.rstrip("/").rsplit("/", 1)[-1]
        return {"name": _text(name, f"email_details.attachments[{index}].name"), "url": url}
    raise Rejected(f"email_details.attachments[{index}]: expected a URL or an object.")


def _email_details(value):
    details = _object(value, "email_details")
    if not details:
        return {}
    reply_to = _object(details.get("reply_to"), "email_details.reply_to")
    attachments = details.get("attachments") or []
    if not isinstance(attachments, list):
        raise Rejected("email_details.attachments: expected a list.")
    # Only the fields of [000]'s email_details; the old service's own (`_id`) are left behind.
    return {
        "subject": _one_line(_text(details.get("subject"), "email_details.subject")),
        "message": _text(details.get("message"), "email_details.message"),
        "from": _text(details.get("from"), "email_details.from"),
        "reply_to": {
            "email": _text(reply_to.get("email"), "email_details.reply_to.email"),
            "name": _one_line(_text(reply_to.get("name"), "email_details.reply_to.name")),
        },
        "attachments": [_attachment(item, index) for index, item in enumerate(attachments)],
    }


def _sms_details(value):
    details = _object(value, "sms_details")
    if not details:
        return {}
    return {
        "message": _text(details.get("message"), "sms_details.message"),
        "from": _text(details.get("from"), "sms_details.from"),
    }


@dataclass
class _People:
    """Legacy user ObjectIds -> our user ids, through the users export's emails and the
    target account's members."""

    users: dict[str, str]
    members: dict[str, int]

    def resolve(self, value, name) -> int:
        legacy_user = _oid(value)
        if not legacy_user:
            raise Rejected(f"{name}: not a user id.")
        email = self.users.get(legacy_user)
        if email is None:
            raise Rejected(f"{name}: user {legacy_user} is not in the users export.")
        user_id = self.members.get(email)
        if user_id is None:
            raise Rejected(f"{name}: user {legacy_user} ({email}) is not a member of this account.")
        return user_id


def _representatives(value, people):
    if value is None:
        return []
    if not isinstance(value, list):
        raise Rejected(f"selected_user: expected a list, got {_describe(value)}.")
    representatives = []
    for index, entry in enumerate(value):
        name = f"selected_user[{index}]"
        if not isinstance(entry, dict):
            raise Rejected(f"{name}: expected an object, got {_describe(entry)}.")
        representatives.append(
            {
                "id": people.resolve(entry.get("id"), name),
                "custom_number": _text(entry.get("custom_number"), f"{name}.custom_number"),
            }
        )
    return representatives


def _show_id(value) -> str:
    """An id of the old service as a note quotes it: ObjectId hex, or the value as JSON."""
    return _oid(value) or json.dumps(value, ensure_ascii=False, default=str)


def _integration(value) -> tuple[str, str]:
    """A document's `integration` -> (our `Integration` value, a note or ""). Our lead
    sources are taken as they are; the old service's `instasites` and `instareport` become
    form campaigns with a note saying so (`LEGACY_FORM_TEMPLATES`). Raises Rejected for a
    missing or unknown value, naming our lead sources."""
    text = _text(value, "integration").strip().lower()
    if not text:
        raise Rejected("integration: missing.")
    if text in Integration.values:
        return text, ""
    if text in LEGACY_FORM_TEMPLATES:
        return Integration.FORM, (
            f"imported as a lead form campaign: the old service's {text!r} campaigns were lead "
            f"forms it made from its {LEGACY_FORM_TEMPLATES[text]} template."
        )
    known = ", ".join(Integration.values)
    raise Rejected(f"integration: unknown integration {text!r} (known: {known}).")


def map_document(document, *, people, existing=None) -> tuple[dict, list[str]]:
    """One legacy campaign document -> (`CampaignForm` data, notes), or raises Rejected.

    `existing` is the campaign imported from it before (it keeps the deal pipeline settings
    chosen here). Values are passed on as the old service stored them; the form applies our
    rules (E.164 numbers, page URL normalisation, choices) afterwards.
    """
    notes = []
    # Stored by the old service as it is: its control characters are removed here (a person
    # typing one on our pages is refused instead, `NameField`).
    campaign_name = _text(document.get("campaign_name"), "campaign_name", numbers=False)
    if isinstance(campaign_name, str):
        campaign_name = clean_name(campaign_name)
    integration, integration_note = _integration(document.get("integration"))
    if integration_note:
        notes.append(integration_note)
    owner = document.get("owner")
    legacy_deal = _flag(document, "create_deal", False)
    if not isinstance(legacy_deal, bool):
        raise Rejected("create_deal: Must be true or false.")
    if existing is not None:
        deal = {
            "create_deal": existing.create_deal,
            "pipeline_id": existing.pipeline_id,
            "stage_id": existing.stage_id,
        }
    else:
        deal = {"create_deal": False, "pipeline_id": "", "stage_id": ""}
    if legacy_deal and not deal["create_deal"]:
        pipeline = document.get("pipeline_id")
        named = (
            f"pipeline {_show_id(pipeline)} of the old CRM does not exist here"
            if pipeline not in (None, "")
            else "the document names no pipeline"
        )
        notes.append(
            f"deals are off: {named}; choose a pipeline and a stage on the campaign to create "
            "deals."
        )
    data = {
        "campaign_name": campaign_name,
        "integration": integration,
        "owner": None if owner is None else people.resolve(owner, "owner"),
        "page_id": _text(document.get("page_id"), "page_id"),
        "page_url": _text(document.get("page_url"), "page_url"),
        "tracking_number": _text(document.get("tracking_number"), "tracking_number"),
        "selected_user": _representatives(document.get("selected_user"), people),
        "notification_type": _text(document.get("notification_type"), "notification_type"),
        "email_details": _email_details(document.get("email_details")),
        "sms_details": _sms_details(document.get("sms_details")),
        # The old service's defaults [000]: add_to_crm true, status true, is_deleted false.
        "add_to_crm": _flag(document, "add_to_crm", True),
        "add_person_or_business": _text(
            document.get("add_person_or_business"), "add_person_or_business"
        ),
        **deal,
        "deal_value": _deal_value(document.get("deal_value")),
        "currency": _text(document.get("currency"), "currency").strip().upper(),
        "status": _flag(document, "status", True),
        "is_deleted": _flag(document, "is_deleted", False),
    }
    # A lead source tied to a record of its own (Invoca: the advertiser campaign whose calls
    # become leads) needs that link; the old service kept none, so a document may carry it
    # under the campaign API's key. Without it, the form says what is missing.
    for key in sources.link_keys():
        if document.get(key) is not None:
            data[key] = _text(document[key], key)
    if owner is None:
        notes.append("no owner in the document: only the account's admins see the campaign.")
    return data, notes


def _form_reason(form) -> str:
    return "; ".join(
        f"{name}: {message}" if name != "__all__" else message
        for name, messages in form.errors.items()
        for message in messages
    )


# Comparing a campaign before and after


def snapshot(campaign_id) -> dict:
    """The campaign's `SNAPSHOT_FIELDS`, and the link of its lead source if it has one
    (`sources.link_values`), as plain JSON values read fresh from the database."""
    campaign = Campaign.objects.select_related("owner").get(pk=campaign_id)
    representatives = [
        f"{row.user.email} {row.custom_number}".strip()
        for row in campaign.assignments.select_related("user")
    ]
    values = {name: getattr(campaign, name) for name in SNAPSHOT_FIELDS if hasattr(campaign, name)}
    values.update(
        sources.link_values(campaign),
        owner=campaign.owner.email if campaign.owner else None,
        selected_user=representatives,
        deal_value=None if campaign.deal_value is None else str(campaign.deal_value),
        created_at=campaign.created_at.astimezone(UTC).isoformat(),
    )
    names = SNAPSHOT_FIELDS + sorted(set(values) - set(SNAPSHOT_FIELDS))
    return {name: values[name] for name in names}


def _differences(before, after) -> dict:
    return {
        name: (None if before is None else before.get(name), value)
        for name, value in after.items()
        if before is None or before.get(name) != value
    }


def fingerprint(values: dict) -> dict:
    """A `snapshot` without the fields chosen here (`CHOSEN_HERE`): what an import keeps in
    `Campaign.legacy_values` to tell later whether the campaign was changed here since."""
    return {name: value for name, value in values.items() if name not in CHOSEN_HERE}


def _changed_here(remembered: dict, now: dict) -> list[str]:
    """The names of the fields of `now` (a snapshot) that differ from what the import left
    (`remembered`, a fingerprint), in snapshot order."""
    now = fingerprint(now)
    names = list(now) + [name for name in remembered if name not in now]
    return [name for name in names if remembered.get(name) != now.get(name)]


# The old account being moved


def _moved_elsewhere(account, tenant):
    """Another account already moved in from the old account `tenant`, or None."""
    return (
        Account.objects.filter(legacy_account=tenant).exclude(pk=account.pk).order_by("pk").first()
    )


def _moved_elsewhere_reason(other, tenant) -> str:
    return (
        f'the old account {tenant} was already moved into "{other.name}" (account {other.pk}); '
        "importing it into a second account needs --allow-moved-elsewhere."
    )


def _moving(account, legacy_account, allow_moved_elsewhere) -> str:
    """The old account to move into `account`: the one it was moved in from, else
    `legacy_account` ("" to let the first document decide). Raises LegacyExportError when
    `legacy_account` is another than the one remembered, or was moved into another account
    (unless `allow_moved_elsewhere`)."""
    account.legacy_account = Account.objects.values_list("legacy_account", flat=True).get(
        pk=account.pk
    )
    remembered = account.legacy_account
    if legacy_account and remembered and legacy_account != remembered:
        raise LegacyExportError(
            f'"{account.name}" was moved in from the old account {remembered}: the old account '
            f"{legacy_account} cannot be imported into it."
        )
    if legacy_account and not remembered and not allow_moved_elsewhere:
        other = _moved_elsewhere(account, legacy_account)
        if other is not None:
            raise LegacyExportError(_moved_elsewhere_reason(other, legacy_account).capitalize())
    return remembered or legacy_account


# The import


@dataclass
class _Run:
    """One import into `account`: the documents' ids seen so far (and where), and the old
    tenant being moved (kept on `result`)."""

    account: object
    people: _People
    result: ImportResult
    overwrite_changes: bool = False
    allow_moved_elsewhere: bool = False
    seen: dict = field(default_factory=dict)
    # A dry run's earlier documents, rolled back: by legacy id, the tracking number each
    # campaign would hold live ("" for none), its name and its id (None for a create).
    planned: dict = field(default_factory=dict)

    def outcome(self, where, document, problem) -> DocumentOutcome:
        if problem:
            legacy_id = _oid(document.get("_id")) if isinstance(document, dict) else ""
            return DocumentOutcome(where, legacy_id, Action.REJECTED, reason=problem)
        if not isinstance(document, dict):
            return DocumentOutcome(where, "", Action.REJECTED, reason="not a JSON object.")
        legacy_id = _oid(document.get("_id"))
        outcome = DocumentOutcome(where, legacy_id, Action.REJECTED)
        outcome.campaign_name = document.get("campaign_name") or ""
        if not isinstance(outcome.campaign_name, str):
            outcome.campaign_name = ""
        try:
            self._import(document, outcome)
        except Rejected as exc:
            outcome.action, outcome.campaign_id, outcome.changes = Action.REJECTED, None, {}
            outcome.reason = str(exc)
        except Kept as exc:
            outcome.action, outcome.campaign_id, outcome.changes = Action.KEPT, exc.campaign_id, {}
            outcome.reason, outcome.notes = str(exc), []
            outcome.campaign_name = exc.campaign_name
        return outcome

    def _check_identity(self, document, legacy_id) -> str:
        """Raises Rejected for a document that cannot be imported whatever it says; returns
        its old account (ObjectId hex)."""
        if not legacy_id:
            raise Rejected("_id: missing or not an ObjectId.")
        if legacy_id in self.seen:
            raise Rejected(f"_id: the same document appears earlier ({self.seen[legacy_id]}).")
        tenant = self._check_account(document.get("account_id"))
        if has_bad_text(document):
            raise Rejected(
                "contains text that cannot be stored: bytes that are not UTF-8, a NUL byte "
                "or a lone surrogate."
            )
        return tenant

    def _check_account(self, value) -> str:
        if value is None:
            raise Rejected("account_id: missing; every document names its old account.")
        tenant = _oid(value)
        if not tenant:
            shown = _show_id(value)
            shown = shown if len(shown) <= 40 else f"{shown[:40]}…"
            raise Rejected(f"account_id: not an ObjectId ({shown}).")
        moving = self.result.legacy_account
        if moving and tenant != moving:
            which = (
                f'the one "{self.account.name}" was moved in from'
                if self.account.legacy_account == moving
                else "the one being moved"
            )
            raise Rejected(
                f"account_id: the document belongs to the old account {tenant}, not {moving}, "
                f"{which}."
            )
        if not moving:
            other = None if self.allow_moved_elsewhere else _moved_elsewhere(self.account, tenant)
            if other is not None:
                raise Rejected(f"account_id: {_moved_elsewhere_reason(other, tenant)}")
            self.result.legacy_account = tenant
        return tenant

    def _remember(self, tenant):
        """The account was moved in from `tenant`: remembered by the first write."""
        if self.result.dry_run or self.account.legacy_account:
            return
        accounts = Account.objects.filter(pk=self.account.pk, legacy_account="")
        if not accounts.update(legacy_account=tenant):
            # Another import remembered one first.
            current = Account.objects.values_list("legacy_account", flat=True).get(
                pk=self.account.pk
            )
            if current != tenant:
                raise Rejected(
                    f"account_id: the document belongs to the old account {tenant}, not "
                    f'{current}, the one "{self.account.name}" was moved in from.'
                )
        self.account.legacy_account = tenant

    def _import(self, document, outcome):
        legacy_id = outcome.legacy_id
        tenant = self._check_identity(document, legacy_id)
        self.seen[legacy_id] = outcome.where
        existing = Campaign.objects.for_account(self.account).filter(legacy_id=legacy_id).first()
        data, outcome.notes = map_document(document, people=self.people, existing=existing)
        form = CampaignForm(data=data, account=self.account, campaign=existing)
        if not form.is_valid():
            raise Rejected(_form_reason(form))
        created_at = _created_at(document.get("created_at"))
        before = snapshot(existing.pk) if existing else None
        remembered = existing.legacy_values if existing else None
        if remembered is not None and not self.overwrite_changes:
            changed = _changed_here(remembered, before)
            if changed:
                raise Kept(
                    f"kept: changed here since it was moved in ({', '.join(changed)}); "
                    "--overwrite-changes applies the export.",
                    existing,
                )
        self._plan_tracking_number(form.cleaned_data, legacy_id)
        # A savepoint: a campaign left as it was undoes only its rewrite.
        with transaction.atomic():
            try:
                campaign, created = services.import_campaign(
                    account=self.account,
                    legacy_id=legacy_id,
                    data=form.cleaned_data,
                    created_at=created_at,
                )
            except services.DuplicateTrackingNumber as exc:
                raise Rejected(self._duplicate_reason(exc, form.cleaned_data, legacy_id)) from None
            except ValidationError as exc:
                # A lead source's link taken by another campaign since the form checked it.
                raise Rejected("; ".join(exc.messages)) from None
            after = snapshot(campaign.pk)
            changes = _differences(before, after)
            if existing is not None and not changes:
                # Nothing differs: undo the rewrite, so the campaign, its `updated_at` and
                # open pages stay as they were.
                transaction.set_rollback(True)
            elif existing is not None and remembered is None and not self.overwrite_changes:
                # Imported before the import kept what it wrote: whether staff changed it
                # since cannot be told, so it is not overwritten (this savepoint is undone).
                raise Kept(
                    "kept: moved in before imports remembered what they wrote, so changes made "
                    f"here cannot be told from the export's ({', '.join(changes)}); "
                    "--overwrite-changes applies the export.",
                    existing,
                )
            else:
                Campaign.objects.filter(pk=campaign.pk).update(legacy_values=fingerprint(after))
        if existing is not None and not changes and remembered != fingerprint(after):
            # It matches the export: what a later run compares with.
            Campaign.objects.filter(pk=campaign.pk).update(legacy_values=fingerprint(after))
        outcome.changes = changes
        outcome.campaign_name = campaign.campaign_name
        outcome.campaign_id = None if created and self.result.dry_run else campaign.pk
        if created:
            outcome.action = Action.CREATED
        elif changes:
            outcome.action = Action.UPDATED
        else:
            outcome.action = Action.UNCHANGED
        if self.result.dry_run:
            number = "" if campaign.is_deleted else campaign.tracking_number
            self.planned[legacy_id] = (number, campaign.campaign_name, outcome.campaign_id)
        self._remember(tenant)

    def _plan_tracking_number(self, data, legacy_id):
        """In a dry run, the earlier documents' campaigns were rolled back: a tracking number
        one of them would hold live is taken (raises Rejected), and one a campaign here would
        give up is freed in this document's transaction (rolled back too)."""
        number = data.get("tracking_number")
        if not self.result.dry_run or not number:
            return
        for other, (held, name, campaign_id) in self.planned.items():
            if other != legacy_id and held == number and not data.get("is_deleted"):
                ids = ([f"#{campaign_id}"] if campaign_id else []) + [f"legacy {other}"]
                raise Rejected(
                    f"tracking_number: {services.DUPLICATE_TRACKING_NUMBER} {number} is used "
                    f'by the live campaign "{name}" ({", ".join(ids)}).'
                )
        holders = (
            Campaign.objects.for_account(self.account)
            .filter(tracking_number=number, is_deleted=False, legacy_id__in=list(self.planned))
            .exclude(legacy_id=legacy_id)
        )
        for holder in holders:
            if self.planned[holder.legacy_id][0] != number:
                Campaign.objects.filter(pk=holder.pk).update(tracking_number="")

    def _duplicate_reason(self, exc, data, legacy_id):
        holder = (
            Campaign.objects.for_account(self.account)
            .filter(tracking_number=data["tracking_number"], is_deleted=False)
            .exclude(legacy_id=legacy_id)
            .first()
        )
        if holder is None:
            return f"tracking_number: {exc} {data['tracking_number']}."
        ids = [f"#{holder.pk}"] + ([f"legacy {holder.legacy_id}"] if holder.legacy_id else [])
        return (
            f"tracking_number: {exc} {data['tracking_number']} is used by the live campaign "
            f'"{holder}" ({", ".join(ids)}).'
        )


def import_legacy_campaigns(
    *,
    account,
    campaigns: Iterable[str],
    users: Iterable[str],
    dry_run: bool = False,
    legacy_account: str = "",
    overwrite_changes: bool = False,
    allow_moved_elsewhere: bool = False,
    on_outcome: Callable[[DocumentOutcome], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> ImportResult:
    """Import the old service's campaign export into `account`; returns an ImportResult.

    `campaigns` and `users` are the exports' text in lines (open text files), see
    `read_documents`. `legacy_account` (ObjectId hex) is the old tenant to move; by default the
    one `account` was moved in from, else the first document's `account_id`.
    `allow_moved_elsewhere` lets an old account already moved into another account be copied
    into this one too; `overwrite_changes` applies the export to campaigns changed here since
    they were moved in (else kept, `Action.KEPT`).

    Each document is imported in a transaction of its own. `dry_run` computes what a real run
    would do (each document sees the ones before it: their ids and tracking numbers) with
    every document's transaction rolled back at once, so nothing is written, no live event or
    alert leaves, and no lock is held longer than one document takes.

    `on_warning(text)` is called for each warning about the users export before any document
    is read, `on_outcome(outcome)` as soon as each document is decided, `progress(n)` after
    every `progress_every` documents. Raises LegacyExportError when an export cannot be read
    at all, holds no document (`NO_DOCUMENTS`, once read: nothing was written), or
    `legacy_account` cannot go into `account` (see `_moving`); a bad document is only ever
    rejected, with its reason, and the others go on. Raises ImportInterrupted on
    KeyboardInterrupt (Ctrl-C), holding what was done so far.
    """
    user_emails, warnings = read_users(users)
    for warning in warnings if on_warning is not None else []:
        on_warning(warning)
    members = {
        email.lower(): user_id
        for user_id, email in Membership.objects.for_account(account).values_list(
            "user_id", "user__email"
        )
    }
    moving = _moving(account, legacy_account, allow_moved_elsewhere)
    result = ImportResult(dry_run=dry_run, warnings=warnings, legacy_account=moving)
    run = _Run(
        account=account,
        people=_People(user_emails, members),
        result=result,
        overwrite_changes=overwrite_changes,
        allow_moved_elsewhere=allow_moved_elsewhere,
    )
    documents = read_documents(campaigns)
    last, where = "", ""
    try:
        for count, (where, document, problem) in enumerate(documents, start=1):
            try:
                # Each document in a transaction of its own; a dry run's is rolled back at once.
                with transaction.atomic():
                    outcome = run.outcome(where, document, problem)
                    if dry_run:
                        transaction.set_rollback(True)
            except Exception as exc:
                # One document must never stop the others; the reason names what went wrong.
                logger.exception("Could not import the legacy campaign at %s", where)
                legacy_id = _oid(document.get("_id")) if isinstance(document, dict) else ""
                outcome = DocumentOutcome(
                    where, legacy_id, Action.REJECTED, reason=f"could not be saved: {exc}"
                )
            result.outcomes.append(outcome)
            last, where = where, ""
            if on_outcome is not None:
                on_outcome(outcome)
            if progress is not None and count % progress_every == 0:
                progress(count)
    except KeyboardInterrupt:
        result.interrupted_at = where or (f"after {last}" if last else "the start")
        raise ImportInterrupted(result) from None
    if not result.outcomes:
        raise LegacyExportError(NO_DOCUMENTS)
    return result
