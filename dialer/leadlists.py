"""Reading an uploaded lead list (CSV or .xlsx) row by row into validated contacts and row errors.

Lead lists arrive as people export them from spreadsheets (DESIGN.md, "Spreadsheets are real
input"): UTF-8 with or without Excel's BOM, UTF-16 ("Unicode text"), the Windows code page
cp1252 (Latin-1 plus curly quotes and the euro sign), `,` `;` or tab delimiters, CRLF, newlines
inside quoted fields, headers in any case with stray spaces, trailing empty rows, and phone
columns that a spreadsheet turned into numbers (`4.155550134E9`). Nothing in the file is lost
unsaid: a quote never closed refuses the file (naming its row), and a phone, name or email
running over lines (a quote closed late, which took the rows between) refuses its row, as does
any other value with a later line holding as many separators as a row (`ROW_IN_VALUE`), and
so does a value whose quote closes in its middle with text after it (`"Ann Lee,"unclosed`,
which the parser would read as `Ann Lee,unclosed`: `QUOTE_CLOSED_INSIDE`). The
reader streams: the file is never held in memory, valid rows are yielded one at a time, the
first `ERROR_LIMIT` row errors are kept for the response and every error is written to a
temporary CSV report.

Libraries and why:
- `csv` (stdlib) parses the text; `csv.Sniffer` picks the delimiter among `,` `;` and tab from a
  sample of whole lines, checked against the header line. Outside its `strict` mode (which
  raises for the whole file rather than naming a row and column) it reads a quote never closed
  as a value running to the end of the file, which `END_OF_FILE` given after the last line
  shows, and glues text after a closing quote onto the value, which `_quote_closed_inside`
  finds in the row's raw lines.
- `openpyxl` in read-only mode streams the first sheet of an .xlsx. Its shared-strings table
  (each distinct text in the workbook) is held in memory: CSV is the format for very large lists.
  A cell with a formula and no saved value (a file a program wrote, never opened in a
  spreadsheet app) reads as empty, like a cell written with no value: a sheet whose XML holds
  a formula at all (`_holds_formulas`, a scan of its raw bytes) marks such cells
  `MAYBE_FORMULA`, and its formulas are read in a second pass, started only at the first such
  cell, to refuse the row naming the column (`UNSAVED_FORMULA`).
- `phonenumbers`, through `campaignhub.phones.to_e164`, the one E.164 rule of the product.
- Django's `validate_email`, the rule every form's EmailField applies.
- `sqlite3` (stdlib) remembers the phones already accepted, in a private temporary database with
  a capped page cache, so a 1M-row file does not hold a million phone strings in memory.
- No statistical charset detector (`charset-normalizer` is installed): on a short list of names
  it confuses neighbouring code pages (cp1250 for cp1252), and spreadsheet exports use only the
  encodings above. The rule is deterministic instead: a BOM decides; else UTF-8 when the sample
  decodes as UTF-8, any byte later in the file that is not UTF-8 being read as cp1252; else
  cp1252 for the whole file.
"""

import codecs
import csv
import io
import itertools
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from string import ascii_uppercase
from typing import BinaryIO, Protocol

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from campaignhub.cleaning import clean_text
from campaignhub.phones import DEFAULT_REGION, InvalidPhoneNumber, PhoneExtension, to_e164

# Row errors kept in memory for the response; the error report file holds them all.
ERROR_LIMIT = 1000
# Longest values a contact keeps; a longer value is a row error, never cut.
NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
DATA_VALUE_MAX_LENGTH = 1000
# Columns a lead list may have: every extra column goes to the dialer with each contact.
COLUMN_LIMIT = 100
# Unused columns named one by one in the warnings; more are counted in one more sentence.
WARNING_LIMIT = 10
# Rows read ahead at a time, so phones already in the campaign are asked about in one lookup
# per window (`PhoneLookup.among`) rather than one per row.
LOOKAHEAD_ROWS = 500

SAMPLE_BYTES = 64 * 1024
SNIFF_CHARS = 16 * 1024
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

UTF8_WITH_CP1252_FALLBACK = "leadlist-cp1252"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EMPTY_FILE = 'The file is empty: the first row must name the columns, one of them "phone".'
NOT_A_WORKBOOK = (
    "This file is not an Excel workbook that can be read: save the list as .xlsx or CSV."
)

# Normalised header -> contact field. Headers are compared lower-cased, with `_` and `-` read
# as spaces and runs of spaces collapsed: "First_Name", " first  name " and "FIRST-NAME" match.
FIELD_FOR_HEADER = {
    "phone": "phone",
    "phone number": "phone",
    "first name": "first_name",
    "firstname": "first_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    # One column with the whole name: split into first and last name (`split_full_name`).
    "name": "full_name",
    "full name": "full_name",
    "fullname": "full_name",
    "contact name": "full_name",
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "e mail address": "email",
}
HEADER_SEPARATORS = re.compile(r"[\s_\-]+")

# A phone a spreadsheet stored as a number and wrote back in scientific notation
# (`4.155550134E9`, `4,15555E+09` where the decimal mark is a comma) or with a decimal part
# (`4155550134.0`). Reading digits out of either would dial a rounded or wrong number.
SPREADSHEET_NUMBER = re.compile(r"\+?\d+(?:[.,]\d+)?[eE][+-]?\d+|\+?\d{7,}[.,]0+")
SPREADSHEET_ADVICE = "format the column as text and export again"

# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): DESIGN.md lists = + - @;
# tab and carriage return are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class LeadListError(ValueError):
    """The file as a whole cannot be read as a lead list: not a CSV or .xlsx, a duplicate or
    missing header, a quote never closed, or a value past the CSV parser's length limit.
    Header problems are raised before any row is read; the message names the headers or the
    row and is meant for the user."""


NAME_FIELDS = {"first_name", "last_name", "full_name"}
CONTACT_FIELDS = {"phone", "email", *NAME_FIELDS}
CONTACT_FIELD_LABELS = {
    "phone": "phone",
    "first_name": "first name",
    "last_name": "last name",
    "full_name": "name",
    "email": "email",
}
# Said of a named column no contact field takes, and of a header-less column with values.
UNUSED_COLUMN = (
    'Column "{header}" was not used for the contacts here (phone, first name, last name, '
    "name, email): its values go to the dialer only, as extra data with each contact."
)
UNNAMED_COLUMN = (
    "Column {letter} has no header, so it was not used for the contacts here: its values go "
    'to the dialer only, as extra data named "{header}".'
)


def split_full_name(name: str) -> tuple[str, str]:
    """A whole name as (first name, last name): the last word is the last name, the words
    before it the first name; one word is a first name alone. Runs of spaces become one, so
    first and last name joined by a space give the name back as written."""
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else ""), ""
    return " ".join(words[:-1]), words[-1]


@dataclass(frozen=True, slots=True)
class Lead:
    """A valid row: `row` as the spreadsheet numbers it (header = 1), `phone` in E.164,
    names and email stripped ("" when absent; a name column split by `split_full_name`),
    `data` every other column, header -> text."""

    row: int
    phone: str
    first_name: str
    last_name: str
    email: str
    data: dict[str, str]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row was refused: `field` is `phone`, `first_name`, `last_name`, `full_name`,
    `email`, the header of an extra column, or "" for the row as a whole."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _cp1252_table() -> list[str]:
    table = []
    for byte in range(256):
        try:
            table.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            # The five bytes cp1252 leaves undefined read as Latin-1 does.
            table.append(chr(byte))
    return table


CP1252 = _cp1252_table()


def _decode_as_cp1252(exc: UnicodeError):
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(CP1252[byte] for byte in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(UTF8_WITH_CP1252_FALLBACK, _decode_as_cp1252)


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: columns named as a spreadsheet shows them."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = ascii_uppercase[remainder] + letters
    return letters


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _cell_text(value) -> str:
    """A cell as the text a spreadsheet shows: CSV cells are text already; .xlsx numbers,
    booleans and dates are written out; `MAYBE_FORMULA` shows nothing."""
    if value is None or value is MAYBE_FORMULA:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return clean_text(value)


class _MaybeFormula:
    """The value of a workbook cell written in the sheet with no value: a formula no
    spreadsheet app has worked out (`_Workbook.formula` tells), or a blank cell with a
    style. Reads as empty."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MAYBE_FORMULA"


MAYBE_FORMULA = _MaybeFormula()
# Said of a workbook cell holding a formula with no saved value, in a column the list uses.
UNSAVED_FORMULA = (
    "The {label} cell holds a formula ({formula}) with no saved value: open the file in a "
    "spreadsheet app and save it, or put the {what} itself in the cell."
)


class _SpreadsheetPhone(ValueError):
    pass


def _phone_text(value) -> str:
    """The phone cell as text, refusing numbers a spreadsheet changed: an .xlsx decimal cell, a
    date, a boolean, or text in scientific or decimal notation."""
    if isinstance(value, bool):
        raise _SpreadsheetPhone(f"is {_cell_text(value)}, not a phone number")
    if isinstance(value, float):
        raise _SpreadsheetPhone(
            f"looks like a number a spreadsheet reformatted ({value!r}): {SPREADSHEET_ADVICE}"
        )
    if isinstance(value, date | time | timedelta):
        raise _SpreadsheetPhone(
            f"is a date or time in the workbook ({value}), not a phone number: {SPREADSHEET_ADVICE}"
        )
    text = _cell_text(value)
    if SPREADSHEET_NUMBER.fullmatch(text.replace(" ", "")):
        raise _SpreadsheetPhone(
            f"looks like a number a spreadsheet reformatted ({_shown(text)}): {SPREADSHEET_ADVICE}"
        )
    return text


def _normalise_header(text: str) -> str:
    return HEADER_SEPARATORS.sub(" ", text).strip().lower()


@dataclass(frozen=True)
class _Columns:
    """Where each contact field sits in a row, and the extra columns kept as data.

    `full_name` is a column holding the whole name; it names a row's contact when the row
    has neither a first nor a last name (a list may have all three columns)."""

    # The columns a row's values may sit in: the header row's cells (a last one with no name
    # included) for a CSV, up to `COLUMN_LIMIT` for a workbook (it has no separators to
    # miscount, so a column past the header is one more header-less column, named in `extra`).
    width: int
    phone: int
    first_name: int | None
    last_name: int | None
    email: int | None
    full_name: int | None = None
    # (index, header, named): a blank header is named after its column ("column D") and its
    # column kept only where a row has a value in it.
    data: list[tuple[int, str, bool]] = field(default_factory=list)
    # Where the header row's cells end: columns from here to `width` are header-less.
    header_width: int = 0

    def extra(self, end: int) -> Iterator[tuple[int, str, bool]]:
        """The header-less columns past the header row, before column index `end` (and
        `width`), shaped like `data`'s."""
        for index in range(self.header_width, min(end, self.width)):
            yield index, f"column {_column_letter(index)}", False

    @classmethod
    def from_header(cls, cells: list, *, workbook: bool = False) -> "_Columns":
        """The columns of a header row (`cells`; `workbook` for an .xlsx sheet's first row).
        Raises LeadListError naming duplicate headers (two columns that mean the same
        field, such as "Phone" and "phone number", are duplicates) or a missing phone column."""
        names = [_cell_text(cell) for cell in cells]
        width = COLUMN_LIMIT if workbook else min(len(names), COLUMN_LIMIT)
        while names and not names[-1]:
            names.pop()
        if len(names) > COLUMN_LIMIT:
            raise LeadListError(
                f"The file has {len(names):,} columns; a lead list takes at most {COLUMN_LIMIT} "
                "(every column besides phone, name and email goes to the dialer with each "
                "contact). Remove the columns the dialer does not need and upload again."
            )
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            if name:
                key = _normalise_header(name)
                groups.setdefault(FIELD_FOR_HEADER.get(key, key), []).append(index)
        duplicates = [indexes for indexes in groups.values() if len(indexes) > 1]
        if duplicates:
            described = "; ".join(
                " and ".join(f'"{_shown(names[i])}" (column {_column_letter(i)})' for i in indexes)
                for indexes in duplicates
            )
            raise LeadListError(
                f"Duplicate column headers: {described}. Each column needs its own name; "
                "rename or remove the extra one and upload again."
            )
        if "phone" not in groups:
            found = ", ".join(f'"{_shown(name)}"' for name in names[:20] if name)
            raise LeadListError(
                'No "phone" column: the first row must name the columns and one of them must '
                f'be "phone" (found: {found or "no headers"}).'
            )
        header_width = min(len(cells), COLUMN_LIMIT)
        names += [""] * (header_width - len(names))
        data = [
            (index, name or f"column {_column_letter(index)}", bool(name))
            for index, name in enumerate(names)
            if FIELD_FOR_HEADER.get(_normalise_header(name)) not in CONTACT_FIELDS
        ]
        return cls(
            width=max(width, header_width),
            header_width=header_width,
            phone=groups["phone"][0],
            first_name=groups.get("first_name", [None])[0],
            last_name=groups.get("last_name", [None])[0],
            email=groups.get("email", [None])[0],
            full_name=groups.get("full_name", [None])[0],
            data=data,
        )


class PhoneLookup(Protocol):
    """Phones a campaign has already, asked about many at a time."""

    def among(self, phones: list[str]) -> Iterable[str]:
        """The ones of `phones` (E.164) that the campaign has."""


class _PhonesAccepted:
    """E.164 phones accepted so far and the row of each, in a temporary SQLite database whose
    page cache is capped (the rest spills to a temporary file), so memory stays bounded
    whatever the number of rows."""

    def __init__(self):
        # "" is SQLite's private temporary database: deleted on close. The connection is this
        # validation's alone, which a request may create in one thread and read in another.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("PRAGMA cache_size = -4096")  # KiB
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE accepted (phone INTEGER PRIMARY KEY, row INTEGER NOT NULL)")

    def row_of(self, e164: str) -> int | None:
        found = self._db.execute("SELECT row FROM accepted WHERE phone = ?", (int(e164[1:]),))
        match = found.fetchone()
        return match[0] if match else None

    def add(self, e164: str, row: int) -> None:
        self._db.execute("INSERT INTO accepted (phone, row) VALUES (?, ?)", (int(e164[1:]), row))

    def close(self) -> None:
        self._db.close()


class _ErrorCsv:
    """Writes row errors as CSV (`row,field,message`) with formula-like cells neutralised.

    A binary file gets UTF-8 with a BOM, so Excel reads accented text right; a text file (or
    an HttpResponse) gets text and keeps its own encoding.
    """

    HEADER = ("row", "field", "message")

    def __init__(self, fileobj):
        self._wrapper = None
        if _is_binary(fileobj):
            self._wrapper = io.TextIOWrapper(
                fileobj, encoding="utf-8-sig", newline="", write_through=True
            )
            fileobj = self._wrapper
        self._writer = csv.writer(fileobj)
        self._writer.writerow(self.HEADER)

    def write(self, error) -> None:
        if isinstance(error, Mapping):
            values = (error["row"], error["field"], error["message"])
        else:
            values = (error.row, error.field, error.message)
        self._writer.writerow([neutralise_cell(value) for value in values])

    def finish(self) -> None:
        if self._wrapper is not None:
            self._wrapper.flush()
            self._wrapper.detach()  # the caller's file stays open


def _is_binary(fileobj) -> bool:
    if isinstance(fileobj, io.TextIOBase):
        return False
    if isinstance(fileobj, io.RawIOBase | io.BufferedIOBase):
        return True
    return "b" in getattr(fileobj, "mode", "")


def neutralise_cell(value):
    """A cell value safe to open in a spreadsheet: text starting with = + - @ (or tab / CR)
    gets a leading apostrophe so it is shown, never run as a formula (DESIGN.md, OWASP CSV
    injection). Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_error_csv(errors: Iterable, fileobj) -> int:
    """Write `errors` (RowError objects or `{row, field, message}` dicts) to `fileobj` as the
    downloadable error report: a `row,field,message` header then one line per error, formula
    cells neutralised. A binary file gets UTF-8 with a BOM (for Excel); a text file, or
    anything with a text `write` such as an HttpResponse, gets text. Returns the number of
    errors written; `fileobj` is left open."""
    report = _ErrorCsv(fileobj)
    count = 0
    for error in errors:
        report.write(error)
        count += 1
    report.finish()
    return count


class _Prepended(io.RawIOBase):
    """A binary stream that gives `head` (bytes already read) and then the rest of `rest`."""

    def __init__(self, head: bytes, rest):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _read_sample(fileobj) -> bytes:
    parts, size = [], 0
    while size < SAMPLE_BYTES:
        chunk = fileobj.read(SAMPLE_BYTES - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _csv_encoding(sample: bytes) -> tuple[str, str]:
    """(codec, error handler) for a CSV whose first bytes are `sample`."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", UTF8_WITH_CP1252_FALLBACK
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "replace"
    if b"\x00" in sample:
        raise LeadListError(
            "This file is not a CSV or .xlsx file: upload the list saved as CSV or Excel (.xlsx)."
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252", UTF8_WITH_CP1252_FALLBACK
    return "utf-8", UTF8_WITH_CP1252_FALLBACK


def _sniff_delimiter(text: str) -> str:
    """`,` `;` or tab: what csv.Sniffer finds in whole lines of `text`, unless the header line
    does not contain it and does contain another candidate (the sniffer can be misled by data
    rows, the header row rarely holds a delimiter it does not use)."""
    if "\n" in text:
        text = text[: text.rindex("\n") + 1]
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if counts.get(sniffed):
        return sniffed
    best = max(counts, key=counts.get)
    return best if counts[best] else sniffed or ","


class LeadListValidation:
    """One pass over an uploaded lead list. Iterate it once to get each valid row as a `Lead`,
    in file order; meanwhile every refused row is counted, its errors kept in `errors` (the
    first `error_limit`) and all written to `error_report`.

    After the iteration: `summary()` gives `{rows_total, rows_valid, rows_invalid, errors}`
    (errors as dicts), `errors_total` counts every error (a row may have several), and
    `error_report` is a binary temporary file positioned at its start holding the whole
    report as CSV (see `write_error_csv`). `close()` (or `with`) releases the source file,
    the report and the temporary phone index. Empty rows are skipped and not counted.

    Build it with `validate_lead_list`, which raises `LeadListError` for header problems before
    any row. Iterating can still raise `LeadListError` for a CSV row that opens a quote never
    closed before the end of the file, or has a value past the parser's length limit, naming
    the row (`rows_total` then counts nothing: the file is refused whole).
    """

    def __init__(
        self,
        rows: Iterator[tuple[int, list]],
        columns: _Columns,
        *,
        region: str,
        already_in_campaign,
        error_limit: int,
        delimiter: str | None,
        on_close: list[Callable[[], None]],
        formula: Callable[[int, int], str] | None = None,
    ):
        self._rows = rows
        self._columns = columns
        self._region = region
        self._already_in_campaign = already_in_campaign
        self._taken: set[str] = set()
        self._error_limit = error_limit
        self._delimiter = delimiter
        self._on_close = on_close
        self._formula = formula
        self._accepted = _PhonesAccepted()
        self._started = False
        self.finished = False
        self.rows_total = 0
        self.rows_valid = 0
        self.rows_invalid = 0
        self.errors_total = 0
        self.errors: list[RowError] = []
        # Header-less columns a row had a value in (their values go out as data).
        self._unnamed_with_values: set[int] = set()
        self.error_report: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._report = _ErrorCsv(self.error_report)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        self._accepted.close()
        self.error_report.close()
        while self._on_close:
            self._on_close.pop()()

    def __iter__(self) -> Iterator[Lead]:
        if self._started:
            raise RuntimeError("A lead list is validated in one pass; it was already iterated.")
        self._started = True
        return self._validate()

    @property
    def warnings(self) -> list[str]:
        """What the file held that no contact field took, one sentence per column in column
        order: each named column that is no phone, name or email column (`UNUSED_COLUMN`),
        and each header-less column a row had a value in (`UNNAMED_COLUMN`, known once every
        row has been read). Their values are not lost: they go to the dialer as `Lead.data`.
        Past `WARNING_LIMIT` columns, the rest are counted in one last sentence."""
        warnings = []
        end = max(self._unnamed_with_values, default=-1) + 1
        for index, header, named in itertools.chain(self._columns.data, self._columns.extra(end)):
            if named:
                warnings.append(UNUSED_COLUMN.format(header=_shown(header)))
            elif index in self._unnamed_with_values:
                warnings.append(UNNAMED_COLUMN.format(letter=_column_letter(index), header=header))
        if len(warnings) > WARNING_LIMIT:
            more = len(warnings) - WARNING_LIMIT
            counted = (
                f"{more} more column{'s were' if more > 1 else ' was'} not used for the contacts "
                "here either: their values go to the dialer only, as extra data."
            )
            warnings = [*warnings[:WARNING_LIMIT], counted]
        return warnings

    def summary(self) -> dict:
        """`{rows_total, rows_valid, rows_invalid, errors: [{row, field, message}], warnings:
        [str]}` (`warnings` as the property says); raises RuntimeError before the rows have
        all been read."""
        if not self.finished:
            raise RuntimeError("The summary is known once every row has been read.")
        return {
            "rows_total": self.rows_total,
            "rows_valid": self.rows_valid,
            "rows_invalid": self.rows_invalid,
            "errors": [error.as_dict() for error in self.errors],
            "warnings": self.warnings,
        }

    def _validate(self) -> Iterator[Lead]:
        window = []
        while True:
            try:
                number, cells = next(self._rows)
            except StopIteration:
                break
            except LeadListError:
                # The rows before the one that cannot be read are still checked and given out.
                yield from self._validate_window(window)
                raise
            # Read in row order, as `_Workbook.formula` asks; a row holding only formulas
            # without saved values is refused, never skipped as empty.
            unsaved = self._unsaved_formulas(number, cells)
            if not unsaved and not any(_cell_text(cell) for cell in cells):
                continue
            window.append((number, cells, unsaved))
            if len(window) >= LOOKAHEAD_ROWS:
                yield from self._validate_window(window)
                window = []
        yield from self._validate_window(window)
        self._report.finish()
        self.error_report.seek(0)
        self.finished = True

    def _validate_window(self, window) -> Iterator[Lead]:
        """Rows (`(number, cells, _unsaved_formulas)`) in order, each phone read once; the
        campaign is asked about the window's phones in one go."""
        parsed = [self._phone_of(cells, unsaved) for _, cells, unsaved in window]
        self._taken = self._in_campaign([phone for phone, _ in parsed if phone])
        for (number, cells, formulas), phone in zip(window, parsed, strict=True):
            self.rows_total += 1
            checked = self._check(number, cells, phone, formulas)
            if isinstance(checked, Lead):
                self.rows_valid += 1
                yield checked
            else:
                self._refuse(checked)

    def _refuse(self, errors: list[RowError]) -> None:
        self.rows_invalid += 1
        for error in errors:
            self.errors_total += 1
            if len(self.errors) < self._error_limit:
                self.errors.append(error)
            self._report.write(error)

    @staticmethod
    def _cell(cells, index):
        return cells[index] if index is not None and index < len(cells) else None

    def _check(
        self, number: int, cells: list, parsed: tuple[str, str], unsaved: dict[int, str]
    ) -> Lead | list[RowError]:
        """The row as a Lead, or its errors; `parsed` is `_phone_of` its phone cell, `unsaved`
        its `_unsaved_formulas`."""
        columns = self._columns
        if len(cells) > columns.width and any(_cell_text(c) for c in cells[columns.width :]):
            return [RowError(number, "", self._beyond_header_message(columns.width))]

        if self._delimiter is not None:
            broken = self._values_over_lines(number, cells) or self._quote_closed_inside(
                number, cells
            )
            if broken:
                return broken

        def cell(index):
            return self._cell(cells, index)

        errors = []
        phone, problem = self._phone(*parsed)
        if problem:
            errors.append(RowError(number, "phone", problem))
        errors += self._unsaved_errors(number, cells, unsaved)
        names = {}
        for name in ("first_name", "last_name"):
            names[name] = _cell_text(cell(getattr(columns, name)))
            if len(names[name]) > NAME_MAX_LENGTH:
                label = name.replace("_", " ")
                errors.append(
                    RowError(
                        number, name, f"The {label} is longer than {NAME_MAX_LENGTH} characters."
                    )
                )
        full_name = _cell_text(cell(columns.full_name))
        if full_name and not (names["first_name"] or names["last_name"]):
            names["first_name"], names["last_name"] = split_full_name(full_name)
            if max(len(names["first_name"]), len(names["last_name"])) > NAME_MAX_LENGTH:
                errors.append(
                    RowError(
                        number,
                        "full_name",
                        f"The name is too long: its first name (all but the last word) and "
                        f"last name (the last word) may have {NAME_MAX_LENGTH} characters each.",
                    )
                )
        email = _cell_text(cell(columns.email))
        if email:
            try:
                if len(email) > EMAIL_MAX_LENGTH:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(
                        number,
                        "email",
                        f'The email "{_shown(email)}" is not a valid email address.',
                    )
                )
        data = {}
        for index, header, named in itertools.chain(columns.data, columns.extra(len(cells))):
            value = _cell_text(cell(index))
            if not named:
                if not value:
                    continue
                self._unnamed_with_values.add(index)
            if len(value) > DATA_VALUE_MAX_LENGTH:
                errors.append(
                    RowError(
                        number,
                        header,
                        f"The value is longer than {DATA_VALUE_MAX_LENGTH} characters.",
                    )
                )
            data[header] = value
        if errors:
            return errors
        self._accepted.add(phone, number)
        return Lead(number, phone, names["first_name"], names["last_name"], email, data)

    def _values_over_lines(self, number: int, cells: list) -> list[RowError]:
        """A CSV row's values that run over lines in a way that means a quote closed lines later
        than it should have been, the rows on the lines between read into the value.

        A phone, name or email never holds a line break, so any of them over lines is refused.
        Another column's value may (an address, a note), unless a line of it after its first
        holds the file's separator as many times as a row of the file does (one fewer than its
        columns, at least one): such a line reads as a whole row of the file, not as text
        (`ROW_IN_VALUE`). A workbook has no separators, so a value that really holds such a
        line can be uploaded as .xlsx."""
        errors = []
        for name, label in CONTACT_FIELD_LABELS.items():
            value = _cell_text(self._cell(cells, getattr(self._columns, name)))
            lines = len(value.splitlines())
            if lines > 1:
                errors.append(
                    RowError(
                        number,
                        name,
                        f"The {label} runs over {lines} lines of the file: a quote opened in "
                        "this row is probably closed only on a later line, so the lines "
                        f"between (and their rows) were read into it. Close the quote where "
                        f"the value ends ({CLOSE_THE_QUOTE}) and upload again.",
                    )
                )
        separators = max(self._columns.header_width - 1, 1)
        for index, header, _ in self._columns.data:
            lines = _cell_text(self._cell(cells, index)).splitlines()
            row_like = next(
                (line for line in lines[1:] if line.count(self._delimiter) >= separators), None
            )
            if row_like is not None:
                separator = DELIMITERS.get(self._delimiter, "separator")
                errors.append(
                    RowError(
                        number,
                        header,
                        ROW_IN_VALUE.format(
                            header=_shown(header),
                            lines=len(lines),
                            line=_shown(row_like),
                            held=_counted(row_like.count(self._delimiter), separator),
                            needed=_counted(separators, separator),
                            columns=self._columns.header_width,
                            close=CLOSE_THE_QUOTE,
                        ),
                    )
                )
        return errors

    def _quote_closed_inside(self, number: int, cells: list) -> list[RowError]:
        """A RowError for a CSV row with a value whose quote closes in its middle, text
        following it (`_CsvRow.quote_closed_inside`): the parser glues that text onto the
        value (`"Ann Lee,"unclosed` reads as `Ann Lee,unclosed`), so a separator meant inside
        the quote, or the quote itself, would be lost unsaid. RFC 4180: a quote inside a
        quoted value is written twice."""
        closed = getattr(cells, "quote_closed_inside", None)
        if closed is None:
            return []
        index, written = closed
        columns = self._columns
        field_name, label = "", f"value in column {_column_letter(index)}"  # past the header
        for name, contact_label in CONTACT_FIELD_LABELS.items():
            if getattr(columns, name) == index:
                field_name, label = name, contact_label
        for column, header, named in itertools.chain(columns.data, columns.extra(len(cells))):
            if column == index:
                field_name = header
                label = f'"{_shown(header)}" value' if named else f"value in {header}"
        shown = _shown(" ".join(written.splitlines()), 60)
        return [
            RowError(
                number,
                field_name,
                QUOTE_CLOSED_INSIDE.format(label=label, written=shown, close=CLOSE_THE_QUOTE),
            )
        ]

    def _beyond_header_message(self, width: int) -> str:
        """Why a row with values past its `width` columns is refused: in a CSV, more values
        than the header row has cells means a value split at a separator it holds; a workbook
        has no separators, so only the column limit can be passed."""
        if self._delimiter is None or width >= COLUMN_LIMIT:
            return (
                f"This row has values beyond column {_column_letter(width - 1)}: a lead list "
                f"takes at most {COLUMN_LIMIT} columns; remove the values past it."
            )
        separator = DELIMITERS.get(self._delimiter, "separator")
        return (
            f"This row has more values than the header row has columns ({width}): a value "
            f"probably holds an unquoted {separator}; quote that value or remove it."
        )

    def _unsaved_formulas(self, number: int, cells: list) -> dict[int, str]:
        """Row `number`'s workbook cells that hold a formula with no saved value (a file
        written by a program, which no spreadsheet app has worked out yet): column index (from
        0) -> formula (`=…`). They read as empty, and are said rather than taken as empty.
        Asked in row order."""
        if self._formula is None:
            return {}
        unsaved = {}
        for index, value in enumerate(cells):
            if value is MAYBE_FORMULA:
                formula = self._formula(number, index)
                if formula:
                    unsaved[index] = formula
        return unsaved

    def _unsaved_errors(self, number: int, cells: list, unsaved: dict[int, str]) -> list:
        """A RowError for each cell of `unsaved` (`_unsaved_formulas`) in a column the list
        uses besides the phone (which `_phone_of` reports): name, email, or a column whose
        values go to the dialer."""
        if not unsaved:
            return []
        columns = self._columns
        used = {
            getattr(columns, name): (name, label, label)
            for name, label in CONTACT_FIELD_LABELS.items()
            if name != "phone" and getattr(columns, name) is not None
        }
        for index, header, _ in itertools.chain(columns.data, columns.extra(len(cells))):
            used[index] = (header, f'"{_shown(header)}"', "value")
        return [
            RowError(
                number,
                used[index][0],
                UNSAVED_FORMULA.format(
                    label=used[index][1], formula=_shown(formula), what=used[index][2]
                ),
            )
            for index, formula in sorted(unsaved.items())
            if index in used
        ]

    def _phone_of(self, cells: list, unsaved: dict[int, str]) -> tuple[str, str]:
        """`_parse_phone` of a row's phone cell; a workbook's empty cell may be a formula no
        spreadsheet app has worked out yet (`unsaved`, the row's `_unsaved_formulas`): it has
        a formula but no saved value to read, which is said rather than "empty"."""
        value = self._cell(cells, self._columns.phone)
        formula = unsaved.get(self._columns.phone)
        if formula:
            return "", UNSAVED_FORMULA.format(label="phone", formula=_shown(formula), what="number")
        return self._parse_phone(value)

    def _parse_phone(self, value) -> tuple[str, str]:
        """(E.164 phone, "") for a cell that holds a valid phone, else ("", why not)."""
        try:
            text = _phone_text(value)
        except _SpreadsheetPhone as exc:
            return "", f"The phone {exc}."
        if not text:
            return "", "The phone is empty."
        try:
            phone = to_e164(text, self._region, extension_ok=False)
        except PhoneExtension:
            # The dialer would ring the main line: the row is refused, not the extension dropped.
            return "", f'The phone "{_shown(text)}" has an extension, which cannot be dialled.'
        except InvalidPhoneNumber:
            why = f'The phone "{_shown(text)}" is not a valid phone number'
            if not text.startswith("+"):
                why += f" (numbers without a leading + are read as {self._region} numbers)"
            return "", why + "."
        return phone, ""

    def _phone(self, phone: str, problem: str) -> tuple[str, str]:
        """(E.164 phone, "") for a parsed phone this list may take, else ("", why not): not on
        an earlier row, not in the campaign already."""
        if problem:
            return "", problem
        first_row = self._accepted.row_of(phone)
        if first_row is not None:
            return "", f"The phone {phone} is already on row {first_row}."
        if phone in self._taken:
            return "", f"The phone {phone} is already in this campaign."
        return phone, ""

    def _in_campaign(self, phones: list[str]) -> set[str]:
        """Which of `phones` the campaign has already (see `already_in_campaign`)."""
        check = self._already_in_campaign
        if check is None or not phones:
            return set()
        if hasattr(check, "among"):
            return set(check.among(phones))
        if callable(check):
            return {phone for phone in phones if check(phone)}
        return {phone for phone in phones if phone in check}


def validate_lead_list(
    source,
    *,
    region: str = DEFAULT_REGION,
    already_in_campaign: PhoneLookup | Callable[[str], bool] | Container[str] | None = None,
    error_limit: int = ERROR_LIMIT,
) -> LeadListValidation:
    """Open an uploaded lead list and check its header; iterate the result for the valid rows.

    `source`: a path, or a binary file object (an uploaded file) read from its start; CSV or .xlsx,
    told apart by content (a file named .xlsx must be a workbook). `region`: the ISO country whose
    numbers need no `+` (phonenumbers' default region). `already_in_campaign`: the campaign's
    existing phones, as a `PhoneLookup` (asked once per `LOOKAHEAD_ROWS` rows), a predicate `(e164)
    -> bool` or a container of E.164 strings; a row with such a phone is refused. Columns: phone
    (required), first name, last name, a whole name ("name", "full name", "contact name": split
    by `split_full_name` for a row without first and last name), email; any other column is kept
    in `Lead.data` by its header and named in `LeadListValidation.warnings`.

    Raises LeadListError, before any row is read, for a file that is neither CSV nor .xlsx, an
    old .xls workbook, duplicate headers or a missing phone header; ValueError for an unknown
    region. See LeadListValidation for the rest.
    """
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"Unknown phone region {region!r}: use an ISO country code such as US.")
    on_close: list[Callable[[], None]] = []
    try:
        if isinstance(source, str | os.PathLike):
            fileobj = open(source, "rb")  # noqa: SIM115 - closed by LeadListValidation.close
            on_close.append(fileobj.close)
        else:
            fileobj = source
            if fileobj.seekable():
                fileobj.seek(0)
        sample = _read_sample(fileobj)
        if sample.startswith(XLS_MAGIC):
            raise LeadListError(
                "Excel 97-2003 workbooks (.xls) cannot be read: save the list as .xlsx or CSV."
            )
        workbook = None
        if sample.startswith(XLSX_MAGIC):
            rows = workbook = _xlsx_rows(source, fileobj, sample, on_close)
            delimiter = None
        elif _named_as_workbook(source):
            raise LeadListError(NOT_A_WORKBOOK)
        else:
            rows, delimiter = _csv_rows(fileobj, sample, on_close)
        header = _first_filled(rows)
        if header is None:
            raise LeadListError(workbook.empty_message() if workbook else EMPTY_FILE)
        columns = _Columns.from_header(header, workbook=delimiter is None)
    except BaseException:
        for close in reversed(on_close):
            close()
        raise
    return LeadListValidation(
        rows,
        columns,
        region=region,
        already_in_campaign=already_in_campaign,
        error_limit=error_limit,
        delimiter=delimiter,
        on_close=on_close,
        formula=workbook.formula if workbook else None,
    )


def _first_filled(rows: Iterator[tuple[int, list]]) -> list | None:
    for _, cells in rows:
        if any(_cell_text(cell) for cell in cells):
            return cells
    return None


def _csv_rows(fileobj, sample: bytes, on_close) -> tuple[Iterator[tuple[int, list]], str]:
    encoding, errors = _csv_encoding(sample)
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    delimiter = _sniff_delimiter(decoder.decode(sample, final=False)[:SNIFF_CHARS])
    text = io.TextIOWrapper(
        io.BufferedReader(_Prepended(sample, fileobj)),
        encoding=encoding,
        errors=errors,
        newline="",
    )
    # Detached, not closed, at the end: the uploaded file is the caller's to close.
    on_close.append(text.detach)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)

    def rows():
        # A spreadsheet numbers records, not lines: a quoted newline stays in its row.
        number = 0
        while True:
            first_line = lines.number + 1
            lines.record.clear()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise LeadListError(
                    _unreadable_row(number + 1, exc, lines, first_line, delimiter)
                ) from exc
            if lines.ended:
                if cells == [END_OF_FILE]:
                    return
                if cells:
                    # END_OF_FILE went into a value: the parser was inside a quote at the end.
                    raise LeadListError(_never_closed(number + 1, first_line, lines.number))
            number += 1
            yield number, _CsvRow(cells, _quote_closed_inside("".join(lines.record), delimiter))

    return rows(), delimiter


class _CsvRow(list):
    """A CSV row's values, with `quote_closed_inside`: `(column index from 0, the value as
    written)` of its first value whose quote closes before the value ends (see
    `_quote_closed_inside`), or None."""

    def __init__(self, cells: list, quote_closed_inside: tuple[int, str] | None):
        super().__init__(cells)
        self.quote_closed_inside = quote_closed_inside


# A quoted value from its opening quote to its closing one, a doubled quote read as one.
QUOTED_VALUE = re.compile(r'"(?:[^"]|"")*"')


def _quote_closed_inside(record: str, delimiter: str) -> tuple[int, str] | None:
    """(column index from 0, the value as written) of the first value in `record` (one CSV
    row's lines, as written) whose quote closes with text after it before the next separator
    or the end of the row, as in `"Ann Lee,"unclosed`; None for a row without one.

    The csv module (outside `strict` mode) reads such a value as its quoted text followed by
    the rest (`Ann Lee,unclosed`). The row is read as it does: a value opens a quote only at
    its start; a quote inside a value without one is text."""
    if '"' not in record:
        return None
    ends = re.compile(f"[{re.escape(delimiter)}\r\n]")
    column = start = 0
    while start < len(record):
        if record[start] == '"':
            quoted = QUOTED_VALUE.match(record, start)
            if quoted is None:
                # Never closed: the file is refused before the row is read (`_never_closed`).
                return None
            end = ends.search(record, quoted.end())
            if (end.start() if end else len(record)) > quoted.end():
                return column, record[start : end.start() if end else len(record)]
        else:
            end = ends.search(record, start)
        if end is None or end.group() != delimiter:
            return None
        column += 1
        start = end.end()
    return None


# Given to the CSV parser after the file's last line (and a line break of its own): a parser
# still inside a quoted value at the end of the file reads it into that value, a file whose
# quotes all close gives it as a row alone. The csv module itself reads a quote never closed
# as a value running to the end of the file, without a word (outside its `strict` mode, which
# would also refuse the stray quotes spreadsheets write, such as `"Ann" Lee`). A noncharacter:
# never text in a file.
END_OF_FILE = "\ufdd0"
CLOSE_THE_QUOTE = 'a quote inside a value is written twice: ""'
# Said of a CSV value whose quote closes in its middle with text after it
# (`LeadListValidation._quote_closed_inside`).
QUOTE_CLOSED_INSIDE = (
    "A quote in the {label} closes in the middle of the value and text follows it (the file "
    "has {written}), so that text would be glued onto the value and a separator or quote in it "
    "lost. Close the quote where the value ends ({close}) and upload again."
)
# Said of a CSV value (not a phone, name or email) running over lines, one of which holds the
# file's separator as often as a row does: it reads as rows of the file swallowed by a quote
# closed late (`LeadListValidation._values_over_lines`).
ROW_IN_VALUE = (
    'The "{header}" value runs over {lines} lines of the file, and a line in it ("{line}") '
    "holds {held}, as a row of this file does ({needed} between its {columns} columns): a "
    "quote opened in this row is probably closed only on a later line, so the rows between "
    "were read into the value. Close the quote where the value ends ({close}) and upload "
    "again. A value over lines is read as long as none of its lines after the first holds "
    "{needed} or more; one that must can be uploaded in an .xlsx file instead."
)


class _Lines:
    """The CSV text line by line for `csv.reader`, then a line break and `END_OF_FILE`;
    `number` counts the file's lines given so far, `current` is the last of them, `record`
    holds those given since it was last cleared (one row's lines: the parser asks for a line
    only while its row is unfinished), `ended` turns true once they are all given."""

    def __init__(self, text):
        self._lines = self._read(text)
        self.number = 0
        self.current = ""
        self.record: list[str] = []
        self.ended = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        return next(self._lines)

    def _read(self, text) -> Iterator[str]:
        for line in text:
            self.number += 1
            self.current = line
            self.record.append(line)
            yield line
        self.ended = True
        yield "\n"
        yield END_OF_FILE


def _never_closed(row: int, first_line: int, last_line: int) -> str:
    """Why a CSV whose row `row` (starting on line `first_line`) opens a quote that is still
    open at the end of the file (its line `last_line`) is refused."""
    if last_line > first_line:
        lost = (
            f"the rest of the file (lines {first_line} to {last_line}) would be read as one "
            "value, and the rows on those lines lost"
        )
    else:
        lost = f"the file ends inside it (line {first_line})"
    return (
        f"Row {row} opens a quote that is never closed: {lost}. Close the quote "
        f"({CLOSE_THE_QUOTE}) and upload again."
    )


def _unreadable_row(row: int, exc: csv.Error, lines: _Lines, first_line: int, delimiter) -> str:
    """Why the CSV parser could not read row `row` (starting on line `first_line`; `lines`
    stands at the line it stopped on). In practice a value past the parser's length limit:
    a value without quotes that long is simply too long; past the limit within a quote, the
    quote is most likely never closed."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(exc):
        return f"Row {row} cannot be read ({exc}); fix that row and upload again."
    segments = lines.current.rstrip("\r\n").split(delimiter)
    if lines.number > first_line:
        # This line goes on with a value quoted on an earlier line.
        continued = segments.pop(0)
        if '"' not in continued:
            return (
                f"Row {row} opens a quote that is still not closed {limit:,} characters later "
                f"(line {lines.number}): the quote is probably never closed. Close it where the "
                f"value ends ({CLOSE_THE_QUOTE}) and upload again."
            )
    if any(len(segment) > limit and not segment.startswith('"') for segment in segments):
        return (
            f"Row {row} has a value longer than {limit:,} characters, the most a CSV value may "
            f"have (and a value the dialer takes has at most {DATA_VALUE_MAX_LENGTH:,}): "
            "shorten it and upload again."
        )
    return (
        f"Row {row} has a quoted value longer than {limit:,} characters, the most a CSV value "
        "may have: its quote is probably never closed. Close it where the value ends "
        f"({CLOSE_THE_QUOTE}) and upload again."
    )


def _named_as_workbook(source) -> bool:
    """Whether the file's name (a path, or an upload's `name`) ends in .xlsx or .xlsm: such a
    file that is no zip archive is a damaged workbook, not a CSV to read."""
    name = (
        os.fspath(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", "")
    )
    return str(name or "").lower().endswith((".xlsx", ".xlsm"))


def _xlsx_rows(source, fileobj, sample: bytes, on_close) -> "_Workbook":
    if isinstance(source, str | os.PathLike):
        workbook_file = source
    elif fileobj.seekable():
        fileobj.seek(0)
        workbook_file = fileobj
    else:
        # A zip archive is read from its end: an unseekable upload goes to disk first.
        workbook_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the validation
        on_close.append(workbook_file.close)
        workbook_file.write(sample)
        shutil.copyfileobj(fileobj, workbook_file)
        workbook_file.seek(0)
    return _Workbook(workbook_file, on_close)


class _Workbook:
    """An .xlsx lead list: its first sheet's rows as `(row number, values)` (iterate it),
    values as last saved. What the other sheets and the formulas hold is read only when a
    message needs it."""

    def __init__(self, workbook_file, on_close):
        self._file = workbook_file
        self._on_close = on_close
        workbook = self._open(data_only=True)
        if not workbook.worksheets:
            raise LeadListError("The workbook has no sheet.")
        self._workbook = workbook
        self._sheet = workbook.worksheets[0]
        self._rows = _sheet_rows(self._sheet, formulas=_holds_formulas(self._sheet))
        self._formulas = None
        self._formula_row: tuple[int, list] = (0, [])

    def __iter__(self):
        return self._rows

    def __next__(self):
        return next(self._rows)

    def _open(self, *, data_only: bool):
        from zipfile import BadZipFile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(self._file, read_only=True, data_only=data_only)
        except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
            raise LeadListError(NOT_A_WORKBOOK) from exc
        self._on_close.append(workbook.close)
        return workbook

    def formula(self, row: int, column: int) -> str:
        """The formula (`=…`) in the first sheet's cell at `row` (numbered from 1) and
        `column` (from 0), "" when it holds none. Asked about rows in increasing order: the
        formulas are read in one more pass over the sheet, started on the first question."""
        if self._formulas is None:
            self._formulas = _sheet_rows(self._open(data_only=False).worksheets[0])
        number, cells = self._formula_row
        while number < row:
            number, cells = self._formula_row = next(self._formulas, (row + 1, []))
        value = cells[column] if number == row and column < len(cells) else None
        return value if isinstance(value, str) and value.startswith("=") else ""

    def empty_message(self) -> str:
        """Why a workbook whose first sheet has no filled row is refused: only the first sheet
        is read, so a sheet after it with data is named."""
        for sheet in self._workbook.worksheets[1:]:
            if _first_filled(_sheet_rows(sheet)) is not None:
                first, other = _shown(self._sheet.title), _shown(sheet.title)
                return (
                    f'Only the first sheet of a workbook is read, and it ("{first}") is empty; '
                    f'the data is on sheet "{other}". Move that sheet first (or copy its data '
                    "to the first sheet) and upload again."
                )
        return EMPTY_FILE


def _sheet_rows(sheet, *, formulas: bool = False) -> Iterator[tuple[int, list]]:
    """A read-only sheet's rows as `(row number from 1, values)`. With `formulas` (the sheet
    holds some), a cell written with no value and no text type reads as `MAYBE_FORMULA`
    rather than None: a formula whose saved value is missing, or a blank styled cell (a
    formula whose saved value is the empty string is typed as text, and reads as None)."""
    # Some writers record a wrong sheet size; read every row there is instead.
    sheet.reset_dimensions()
    if not formulas:
        return enumerate((list(cells) for cells in sheet.iter_rows(values_only=True)), start=1)
    from openpyxl.cell.read_only import EMPTY_CELL

    def values(cells):
        return [
            MAYBE_FORMULA
            if cell is not EMPTY_CELL and cell.value is None and cell.data_type == "n"
            else cell.value
            for cell in cells
        ]

    return enumerate((values(cells) for cells in sheet.iter_rows()), start=1)


# An element named f (a formula) in a sheet's XML, with or without a namespace prefix.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _holds_formulas(sheet) -> bool:
    """Whether a read-only sheet's XML holds any formula, found in its raw bytes: a scan a
    tenth of the time of a parse (50,000 rows: 0.1 s against 5 s), so a sheet without
    formulas is read once, values only. openpyxl has no public way to the sheet's XML: its
    read-only sheet's `_get_source` (openpyxl 3.1) is used, and without it the sheet is taken
    to hold formulas, read more slowly but the same."""
    get_source = getattr(sheet, "_get_source", None)
    if get_source is None:
        return True
    tail = b""
    with get_source() as source:
        while chunk := source.read(1024 * 1024):
            if FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False
