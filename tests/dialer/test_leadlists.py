"""Lead lists as people really export them: one fixture per real shape, exact rows and errors."""

import csv
import io
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dialer.leadlists import (
    ERROR_LIMIT,
    LOOKAHEAD_ROWS,
    LeadListError,
    neutralise_cell,
    validate_lead_list,
    write_error_csv,
)

FIXTURES = Path(__file__).parent / "fixtures"
SPREADSHEET = "looks like a number a spreadsheet reformatted"


def read(source, **options):
    """(valid rows as dicts, summary) of a whole lead list."""
    with validate_lead_list(source, **options) as validation:
        rows = [lead.as_dict() for lead in validation]
        return rows, validation.summary()


def lead(row, phone, first_name="", last_name="", email="", data=None):
    return {
        "row": row,
        "phone": phone,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "data": data or {},
    }


def error(row, field, message):
    return {"row": row, "field": field, "message": message}


def unused(header):
    """The warning for a named column no contact field takes."""
    return (
        f'Column "{header}" was not used for the contacts here (phone, first name, last name, '
        "name, email): its values go to the dialer only, as extra data with each contact."
    )


def test_excel_utf8_with_bom_keeps_accents_and_first_header():
    rows, summary = read(FIXTURES / "excel_utf8_bom.csv")
    assert rows == [
        lead(2, "+14155550101", "José", "Núñez", "jose@example.com", {"City": "São Paulo"}),
        lead(3, "+14155550102", "Zoë", "Brontë", "zoe@example.com", {"City": "Zürich"}),
    ]
    assert summary == {
        "rows_total": 2,
        "rows_valid": 2,
        "rows_invalid": 0,
        "errors": [],
        "warnings": [unused("City")],
    }


def test_cp1252_export_reads_accents_curly_quotes_and_euro():
    rows, _ = read(FIXTURES / "excel_cp1252.csv")
    assert rows == [
        lead(2, "+14155550111", "Renée", "O\u2019Brien", "renee@example.com", {"Note": "Paid €20"}),
        lead(3, "+14155550112", "François", "Müller", "", {"Note": "Café crème"}),
    ]


def test_cp1252_bytes_after_a_plain_ascii_sample_are_read_as_cp1252(tmp_path):
    filler = "".join(f"4155{n:06d},Filler\r\n" for n in range(2000, 8000)).encode()
    assert len(filler) > 64 * 1024
    path = tmp_path / "late_accent.csv"
    path.write_bytes(b"phone,first name\r\n" + filler + "4155550199,Inés\r\n".encode("cp1252"))
    rows, summary = read(path)
    assert rows[-1] == lead(6002, "+14155550199", "Inés")
    assert summary["rows_valid"] == 6001


def test_semicolon_delimiter_is_sniffed_and_commas_stay_in_values():
    rows, _ = read(FIXTURES / "semicolon.csv")
    assert rows == [
        lead(
            2,
            "+33142685300",
            "Amélie",
            "Poulain",
            "amelie@example.fr",
            {"Address": "12, rue Lepic"},
        ),
        lead(
            3,
            "+14155550121",
            "Ann",
            "Lee",
            "ann@example.com",
            {"Address": "1 Main St, Springfield"},
        ),
    ]


def test_tab_delimiter_is_sniffed():
    rows, _ = read(FIXTURES / "tab.tsv")
    assert rows == [
        lead(2, "+14155550131", "Tab", "One", "tab1@example.com", {"source": "fair, 2024"}),
        lead(3, "+14155550132", "Tab", "Two", "", {"source": "web"}),
    ]


def test_excel_unicode_text_is_utf16_with_tabs():
    rows, _ = read(FIXTURES / "excel_unicode_text.txt")
    assert rows == [lead(2, "+14155550201", "Łukasz")]


def test_crlf_line_endings():
    rows, _ = read(FIXTURES / "crlf.csv")
    assert rows == [
        lead(2, "+14155550141", "Carla", "Rivera"),
        lead(3, "+14155550142", "Dev", "Patel"),
    ]


def test_newlines_inside_quoted_fields_stay_in_one_row_numbered_as_a_spreadsheet_does():
    rows, _ = read(FIXTURES / "quoted_newline.csv")
    assert rows == [
        lead(2, "+14155550151", "Quinn", data={"address": "1 Main St\r\nApt 4"}),
        lead(3, "+14155550152", "Rae", data={"address": "2 Oak Ave\nFloor 2\nBack door"}),
        lead(4, "+14155550153", "Sam", data={"address": "3 Elm Rd"}),
    ]


def test_headers_match_in_any_case_with_spaces_underscores_and_dashes():
    rows, _ = read(FIXTURES / "header_case_spaces.csv")
    assert rows == [
        lead(2, "+14155550161", "Ivy", "Chen", "IVY@Example.com", {"Favourite Colour": "green"}),
    ]


def test_duplicate_headers_are_named_before_any_row():
    with pytest.raises(LeadListError) as raised:
        validate_lead_list(FIXTURES / "duplicate_headers.csv")
    assert str(raised.value) == (
        'Duplicate column headers: "Phone" (column A) and "phone number" (column C); '
        '"Notes" (column D) and "notes" (column E). Each column needs its own name; '
        "rename or remove the extra one and upload again."
    )


def test_missing_phone_header_names_the_headers_found():
    with pytest.raises(LeadListError) as raised:
        validate_lead_list(FIXTURES / "missing_phone_header.csv")
    assert str(raised.value) == (
        'No "phone" column: the first row must name the columns and one of them must be '
        '"phone" (found: "Name", "Tel", "Email").'
    )


def test_empty_and_trailing_empty_rows_are_skipped_and_not_counted():
    rows, summary = read(FIXTURES / "trailing_empty_rows.csv")
    assert rows == [
        lead(2, "+14155550191", "Tia", "Ng", "tia@example.com"),
        lead(4, "+14155550192", "Uma", "Roy"),
    ]
    assert summary == {
        "rows_total": 2,
        "rows_valid": 2,
        "rows_invalid": 0,
        "errors": [],
        "warnings": [],
    }


def test_phones_a_spreadsheet_reformatted_are_refused_with_the_reason():
    rows, summary = read(FIXTURES / "mangled_phones.csv")
    advice = "format the column as text and export again."
    assert rows == [lead(5, "+14155550134", "Good")]
    assert summary == {
        "rows_total": 4,
        "rows_valid": 1,
        "rows_invalid": 3,
        "errors": [
            error(2, "phone", f"The phone {SPREADSHEET} (4.155550134E9): {advice}"),
            error(3, "phone", f"The phone {SPREADSHEET} (4155550134.0): {advice}"),
            error(4, "phone", f"The phone {SPREADSHEET} (4.16E+09): {advice}"),
        ],
        "warnings": [],
    }


def test_invalid_rows_each_get_their_error_and_are_not_yielded():
    rows, summary = read(FIXTURES / "invalid_rows.csv")
    assert rows == [
        lead(2, "+14155550101", "Ok", "One", "ok@example.com", {"notes": ""}),
        lead(8, "+14155550104", "Trailing", "Commas", "", {"notes": ""}),
    ]
    assert summary == {
        "rows_total": 7,
        "rows_valid": 2,
        "rows_invalid": 5,
        "errors": [
            error(3, "phone", "The phone is empty."),
            error(
                4,
                "phone",
                'The phone "12345" is not a valid phone number '
                "(numbers without a leading + are read as US numbers).",
            ),
            error(5, "email", 'The email "not-an-email" is not a valid email address.'),
            error(6, "phone", "The phone +14155550101 is already on row 2."),
            error(
                7,
                "",
                "This row has more values than the header row has columns (5): a value "
                "probably holds an unquoted comma; quote that value or remove it.",
            ),
        ],
        "warnings": [unused("notes")],
    }


def test_a_row_with_several_problems_reports_each_and_counts_once():
    source = io.BytesIO(b"phone,email,first name\n123,nope," + b"x" * 101 + b"\n")
    rows, summary = read(source)
    assert rows == []
    assert summary["rows_invalid"] == 1
    assert [(e["field"]) for e in summary["errors"]] == ["phone", "first_name", "email"]
    assert summary["errors"][1]["message"] == "The first name is longer than 100 characters."


def test_a_phone_refused_on_an_earlier_row_is_accepted_on_a_later_one():
    source = io.BytesIO(b"phone,email\n4155550101,broken\n415-555-0101,ok@example.com\n")
    rows, summary = read(source)
    assert rows == [lead(3, "+14155550101", email="ok@example.com")]
    assert summary["errors"] == [
        error(2, "email", 'The email "broken" is not a valid email address.')
    ]


def test_phones_already_in_the_campaign_are_refused_as_a_set_or_a_predicate():
    content = b"phone\n4155550101\n4155550102\n"
    expected_error = error(2, "phone", "The phone +14155550101 is already in this campaign.")
    rows, summary = read(io.BytesIO(content), already_in_campaign={"+14155550101"})
    assert rows == [lead(3, "+14155550102")]
    assert summary["errors"] == [expected_error]

    asked = []

    def in_campaign(phone):
        asked.append(phone)
        return phone == "+14155550101"

    rows, summary = read(io.BytesIO(content), already_in_campaign=in_campaign)
    assert rows == [lead(3, "+14155550102")]
    assert summary["errors"] == [expected_error]
    assert asked == ["+14155550101", "+14155550102"]


def test_a_phone_lookup_is_asked_once_per_window_of_rows_in_order():
    phones = [f"+1415555{n:04d}" for n in range(LOOKAHEAD_ROWS + 100)]
    content = ("phone\n" + "\n".join(phones) + "\n").encode()
    asked = []

    class Lookup:
        def among(self, batch):
            asked.append(list(batch))
            return [phone for phone in batch if phone.endswith(("0007", "0550"))]

    rows, summary = read(io.BytesIO(content), already_in_campaign=Lookup())
    assert asked == [phones[:LOOKAHEAD_ROWS], phones[LOOKAHEAD_ROWS:]]
    assert [row["phone"] for row in rows] == [
        p for p in phones if p not in {phones[7], phones[550]}
    ]
    assert [(e["row"], e["message"]) for e in summary["errors"]] == [
        (9, f"The phone {phones[7]} is already in this campaign."),
        (552, f"The phone {phones[550]} is already in this campaign."),
    ]


def test_region_decides_how_numbers_without_plus_are_read():
    rows, _ = read(io.BytesIO(b"phone\n020 7946 0018\n"), region="gb")
    assert rows == [lead(2, "+442079460018")]
    with pytest.raises(ValueError, match="Unknown phone region 'XX'"):
        validate_lead_list(io.BytesIO(b"phone\n1\n"), region="XX")


def test_uploaded_file_is_read_from_its_start_and_left_open():
    upload = SimpleUploadedFile("leads.csv", b"phone\n4155550101\n")
    upload.read()
    rows, _ = read(upload)
    assert rows == [lead(2, "+14155550101")]
    assert not upload.closed


class OneWayStream(io.RawIOBase):
    """An upload that can only be read forward, a few bytes at a time."""

    def __init__(self, content: bytes):
        self._content = io.BytesIO(content)

    def readable(self):
        return True

    def seekable(self):
        return False

    def readinto(self, buffer):
        chunk = self._content.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_stream_that_cannot_seek_is_read_whole():
    rows, _ = read(OneWayStream((FIXTURES / "semicolon.csv").read_bytes()))
    assert [row["phone"] for row in rows] == ["+33142685300", "+14155550121"]


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Ignored").append(["phone", "4155550199"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_ROWS = [
    [" Phone ", "First_Name", "LAST NAME", "Email", "Score", "Joined"],
    ["(415) 555-0101", "José", "Núñez", "jose@example.com", 7, datetime(2024, 3, 1)],
    [4155550102, "Int", "Cell", None, 2.5, None],
    [4155550103.5, "Float", "Cell", None, None, None],
    [datetime(2024, 1, 2), "Date", "Cell", None, None, None],
    ["4.155550134E9", "Text", "Sci", None, None, None],
    [None, None, None, None, None, None],
    ["4155550101", "Dup", None, None, None, None],
]


def test_xlsx_first_sheet_is_read_with_numeric_phone_cells_handled():
    rows, summary = read(io.BytesIO(xlsx_bytes(XLSX_ROWS)))
    advice = "format the column as text and export again."
    assert rows == [
        lead(
            2,
            "+14155550101",
            "José",
            "Núñez",
            "jose@example.com",
            {"Score": "7", "Joined": "2024-03-01"},
        ),
        lead(3, "+14155550102", "Int", "Cell", data={"Score": "2.5", "Joined": ""}),
    ]
    assert summary == {
        "rows_total": 6,
        "rows_valid": 2,
        "rows_invalid": 4,
        "errors": [
            error(4, "phone", f"The phone {SPREADSHEET} (4155550103.5): {advice}"),
            error(
                5,
                "phone",
                f"The phone is a date or time in the workbook (2024-01-02 00:00:00), "
                f"not a phone number: {advice}",
            ),
            error(6, "phone", f"The phone {SPREADSHEET} (4.155550134E9): {advice}"),
            error(8, "phone", "The phone +14155550101 is already on row 2."),
        ],
        "warnings": [unused("Score"), unused("Joined")],
    }


def test_xlsx_from_a_path_and_from_a_stream_that_cannot_seek(tmp_path):
    content = xlsx_bytes([["phone", "first name"], ["4155550101", "Path"]])
    path = tmp_path / "leads.xlsx"
    path.write_bytes(content)
    assert read(path)[0] == [lead(2, "+14155550101", "Path")]
    assert read(OneWayStream(content))[0] == [lead(2, "+14155550101", "Path")]


def test_xlsx_duplicate_headers_are_refused_before_any_row():
    content = xlsx_bytes([["Phone", "Email", "EMAIL "], ["4155550101", "a@b.co", "c@d.co"]])
    with pytest.raises(LeadListError, match=r'"Email" \(column B\) and "EMAIL" \(column C\)'):
        validate_lead_list(io.BytesIO(content))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", 'The file is empty: the first row must name the columns, one of them "phone".'),
        (
            b"\r\n,,\r\n",
            'The file is empty: the first row must name the columns, one of them "phone".',
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "Excel 97-2003 workbooks (.xls) cannot be read: save the list as .xlsx or CSV.",
        ),
        (
            b"PK\x03\x04not really a zip",
            "This file is not an Excel workbook that can be read: save the list as .xlsx or CSV.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This file is not a CSV or .xlsx file: upload the list saved as CSV or Excel (.xlsx).",
        ),
    ],
)
def test_files_that_are_no_lead_list_are_refused_with_a_reason(content, message):
    with pytest.raises(LeadListError) as raised:
        validate_lead_list(io.BytesIO(content))
    assert str(raised.value) == message


def test_a_file_named_xlsx_that_is_no_workbook_is_not_read_as_a_csv(tmp_path):
    content = b"phone\r\n4155550101\r\n"  # a CSV, misnamed
    upload = io.BytesIO(content)
    upload.name = "Leads.XLSX"
    path = tmp_path / "leads.xlsx"
    path.write_bytes(content)
    for source in (upload, path):
        with pytest.raises(LeadListError, match="not an Excel workbook that can be read"):
            validate_lead_list(source)
    assert read(io.BytesIO(content))[0] == [lead(2, "+14155550101")]


def test_a_quote_never_closed_stops_the_read_at_the_row_that_opened_it():
    content = b'phone,notes\n4155550101,ok\n4155550102,"open' + b"x" * 140_000 + b"\n"
    with validate_lead_list(io.BytesIO(content)) as validation:
        rows = iter(validation)
        assert next(rows).phone == "+14155550101"
        with pytest.raises(LeadListError) as raised:
            next(rows)
    assert str(raised.value) == (
        "Row 3 has a quoted value longer than 131,072 characters, the most a CSV value may "
        "have: its quote is probably never closed. Close it where the value ends (a quote "
        'inside a value is written twice: "") and upload again.'
    )


def test_errors_beyond_the_limit_are_counted_and_all_written_to_the_report():
    content = b"phone\n" + b"".join(b"bad%d\n" % n for n in range(ERROR_LIMIT + 5))
    with validate_lead_list(io.BytesIO(content)) as validation:
        assert list(validation) == []
        summary = validation.summary()
        report = validation.error_report.read()
    assert summary["rows_invalid"] == ERROR_LIMIT + 5
    assert len(summary["errors"]) == ERROR_LIMIT
    assert validation.errors_total == ERROR_LIMIT + 5
    assert report.startswith(b"\xef\xbb\xbfrow,field,message\r\n")
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert len(lines) == 1 + ERROR_LIMIT + 5
    assert lines[-1][0] == str(ERROR_LIMIT + 6)


def test_summary_needs_every_row_read_and_a_list_is_read_once():
    with validate_lead_list(io.BytesIO(b"phone\n4155550101\n")) as validation:
        with pytest.raises(RuntimeError):
            validation.summary()
        list(validation)
        with pytest.raises(RuntimeError):
            iter(validation)


def test_error_csv_neutralises_formula_cells_for_binary_and_text_files():
    errors = [
        {"row": 2, "field": "=HYPERLINK(1)", "message": "+1 bad"},
        {"row": 3, "field": "@SUM", "message": "-2 bad"},
        {"row": 4, "field": "phone", "message": "plain, with comma"},
    ]
    binary = io.BytesIO()
    assert write_error_csv(errors, binary) == 3
    assert binary.getvalue().decode("utf-8") == (
        "\ufeffrow,field,message\r\n"
        "2,'=HYPERLINK(1),'+1 bad\r\n"
        "3,'@SUM,'-2 bad\r\n"
        '4,phone,"plain, with comma"\r\n'
    )
    text = io.StringIO()
    write_error_csv(errors[:1], text)
    assert text.getvalue() == "row,field,message\r\n2,'=HYPERLINK(1),'+1 bad\r\n"
    assert not binary.closed
    assert neutralise_cell(7) == 7
    assert neutralise_cell("\tcmd") == "'\tcmd"


def test_a_200k_row_csv_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write("phone,first name,last name,email,note\r\n")
        for n in range(200_000):
            exchange, line = divmod(n, 10_000)
            out.write(
                f"+1415{200 + exchange}{line:04d},First{n},Last{n},lead{n}@example.com,note {n}\r\n"
            )
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with validate_lead_list(path) as validation:
            valid = sum(1 for _ in validation)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert valid == 200_000
    assert size > 10_000_000
    # The index of accepted phones lives in SQLite, whose page cache the reader caps at
    # 4 MiB; tracemalloc sees Python's allocations: buffers, the current row, kept errors.
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte file"


def _text(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


@pytest.mark.parametrize(
    "header", ["Name", "Full name", "full_name", " FULL-NAME ", "Contact Name"]
)
def test_a_whole_name_column_gives_first_and_last_name(header):
    rows, summary = read(_text(f"Phone,{header},Email\n4155550101,Jane Q.  Public,j@example.com\n"))
    assert rows == [lead(2, "+14155550101", "Jane Q.", "Public", "j@example.com")]
    assert summary["warnings"] == []


def test_a_whole_name_of_one_word_is_a_first_name_and_an_empty_one_is_no_name():
    rows, _ = read(_text("phone,name\n4155550101,Cher\n4155550102,\n"))
    assert rows == [lead(2, "+14155550101", "Cher"), lead(3, "+14155550102")]


def test_first_and_last_name_columns_win_and_a_name_column_fills_rows_without_them():
    rows, summary = read(
        _text(
            "phone,first name,last name,name\n"
            "4155550101,Ada,Lovelace,Countess Lovelace\n"
            "4155550102,,,Grace Hopper\n"
        )
    )
    assert rows == [
        lead(2, "+14155550101", "Ada", "Lovelace"),
        lead(3, "+14155550102", "Grace", "Hopper"),
    ]
    assert summary["warnings"] == []


def test_two_whole_name_columns_are_duplicates():
    with pytest.raises(LeadListError, match='"Name" \\(column B\\) and "Full name" \\(column C\\)'):
        validate_lead_list(_text("phone,Name,Full name\n4155550101,A B,C D\n"))


def test_a_whole_name_too_long_for_a_first_name_is_refused_naming_the_column():
    rows, summary = read(_text(f"phone,name\n4155550101,{'x' * 101} Smith\n"))
    assert rows == []
    assert summary["errors"] == [
        error(
            2,
            "full_name",
            "The name is too long: its first name (all but the last word) and last name "
            "(the last word) may have 100 characters each.",
        )
    ]


def test_columns_no_contact_field_takes_are_named_in_warnings_in_column_order():
    rows, summary = read(
        _text("Company,Phone,Name,,Notes\nAcme,4155550101,Jo Ko,,vip\nBeta,4155550102,Al,x,\n")
    )
    assert rows == [
        lead(2, "+14155550101", "Jo", "Ko", data={"Company": "Acme", "Notes": "vip"}),
        lead(3, "+14155550102", "Al", data={"Company": "Beta", "column D": "x", "Notes": ""}),
    ]
    assert summary["warnings"] == [
        unused("Company"),
        "Column D has no header, so it was not used for the contacts here: its values go to "
        'the dialer only, as extra data named "column D".',
        unused("Notes"),
    ]


def unnamed(letter):
    """The warning for a header-less column a row had a value in."""
    return (
        f"Column {letter} has no header, so it was not used for the contacts here: its values "
        f'go to the dialer only, as extra data named "column {letter}".'
    )


def test_a_last_header_with_no_name_takes_values_like_a_header_less_column_between():
    rows, summary = read(_text("Phone,Name,Email,\n4155550101,Jo Ko,jo@example.com,vip\n"))
    assert rows == [
        lead(2, "+14155550101", "Jo", "Ko", "jo@example.com", data={"column D": "vip"}),
    ]
    assert (summary["rows_invalid"], summary["warnings"]) == (0, [unnamed("D")])


def test_a_csv_row_with_more_values_than_the_header_has_cells_keeps_the_separator_advice():
    _, summary = read(_text("Phone;Name;\n4155550101;Ko; Jo;vip\n"))
    assert summary["errors"] == [
        error(
            2,
            "",
            "This row has more values than the header row has columns (3): a value probably "
            "holds an unquoted semicolon; quote that value or remove it.",
        )
    ]


def test_xlsx_values_past_the_header_go_to_the_dialer_as_header_less_columns():
    content = xlsx_bytes(
        [
            ["Phone", "Name", "Email"],
            ["4155550101", "Jo Ko", "jo@example.com", "vip"],
            ["4155550102", "Al Bo", None, None, "late"],
        ]
    )
    rows, summary = read(io.BytesIO(content))
    assert rows == [
        lead(2, "+14155550101", "Jo", "Ko", "jo@example.com", data={"column D": "vip"}),
        lead(3, "+14155550102", "Al", "Bo", data={"column E": "late"}),
    ]
    assert (summary["rows_invalid"], summary["warnings"]) == (0, [unnamed("D"), unnamed("E")])


def test_xlsx_values_past_the_column_limit_refuse_the_row_without_separator_advice():
    content = xlsx_bytes([["Phone"], ["4155550101", *[None] * 99, "x"], ["4155550102"]])
    rows, summary = read(io.BytesIO(content))
    assert [row["phone"] for row in rows] == ["+14155550102"]
    assert summary["errors"] == [
        error(
            2,
            "",
            "This row has values beyond column CV: a lead list takes at most 100 columns; "
            "remove the values past it.",
        )
    ]


def test_a_header_less_column_without_values_is_not_warned_about():
    _, summary = read(_text("phone,name,\n4155550101,Jo Ko,\n"))
    assert summary["warnings"] == []


def test_a_phone_with_an_extension_is_a_row_error_not_the_main_line():
    source = SimpleUploadedFile("l.csv", b"Phone,Name\n415-555-1237 ext 4,Ext\n415-555-1238,Ok\n")
    rows, summary = read(source)
    assert [row["phone"] for row in rows] == ["+14155551238"]
    assert summary["errors"] == [
        error(
            2, "phone", 'The phone "415-555-1237 ext 4" has an extension, which cannot be dialled.'
        )
    ]


def test_a_file_with_more_columns_than_a_lead_list_takes_is_refused():
    header = "phone," + ",".join(f"c{n}" for n in range(100))
    with pytest.raises(LeadListError, match=r"The file has 101 columns; a lead list takes at most"):
        read(io.BytesIO(f"{header}\n4155550101{',x' * 100}\n".encode()))


def test_past_ten_unused_columns_the_rest_are_counted_in_one_warning():
    header = "phone," + ",".join(f"c{n}" for n in range(14))
    _, summary = read(io.BytesIO(f"{header}\n4155550101{',x' * 14}\n".encode()))
    assert summary["warnings"][:10] == [unused(f"c{n}") for n in range(10)]
    assert summary["warnings"][10:] == [
        "4 more columns were not used for the contacts here either: their values go to the "
        "dialer only, as extra data."
    ]


UNCLOSED_NAME = (
    b"Phone,Name,Email\r\n"
    b'+14155550711,"Ann ""Annie,ann@x.test\r\n'
    b"+14155550712,Bob Stone,bob@x.test\r\n"
    b"+14155550713,Cy Young,cy@x.test\r\n"
    b"+14155550714,Di Prince,di@x.test\r\n"
    b"+14155550715,Ed Norton,ed@x.test\r\n"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            UNCLOSED_NAME,
            "Row 2 opens a quote that is never closed: the rest of the file (lines 2 to 6) "
            "would be read as one value, and the rows on those lines lost. Close the quote (a "
            'quote inside a value is written twice: "") and upload again.',
        ),
        (
            b'Phone,Name\n+14155550307,"abc\n+14155550308,def\n',
            "Row 2 opens a quote that is never closed: the rest of the file (lines 2 to 3) "
            "would be read as one value, and the rows on those lines lost. Close the quote (a "
            'quote inside a value is written twice: "") and upload again.',
        ),
        (
            b'Phone,Name\n+14155550307,Al\n+14155550308,"Bo',
            "Row 3 opens a quote that is never closed: the file ends inside it (line 3). "
            'Close the quote (a quote inside a value is written twice: "") and upload again.',
        ),
    ],
)
def test_a_quote_never_closed_before_the_end_of_the_file_refuses_the_file(content, message):
    with (
        validate_lead_list(io.BytesIO(content)) as validation,
        pytest.raises(LeadListError) as raised,
    ):
        list(validation)
    assert str(raised.value) == message


def test_quotes_closed_at_the_end_of_the_file_with_or_without_a_line_break_are_read():
    for ending in (b"", b"\r\n", b"\n\n"):
        content = b'Phone,Notes\r\n4155550101,"two\r\nlines"' + ending
        assert read(io.BytesIO(content))[0] == [
            lead(2, "+14155550101", data={"Notes": "two\r\nlines"})
        ]
    assert read(io.BytesIO(b"Phone,Name\r\n4155550101,Al"))[0] == [lead(2, "+14155550101", "Al")]


def test_a_quote_closed_rows_later_refuses_the_row_naming_the_lines_it_took():
    content = (
        b"Phone,Name,Email\r\n"
        b'+14155550711,"Ann ""Annie,ann@x.test\r\n'
        b"+14155550712,Bob Stone,bob@x.test\r\n"
        b'+14155550713,"Cy" Young,cy@x.test\r\n'
        b"+14155550714,Di Prince,di@x.test\r\n"
    )
    rows, summary = read(io.BytesIO(content))
    assert rows == [lead(3, "+14155550714", "Di", "Prince", "di@x.test")]
    assert summary["rows_total"] == 2
    assert summary["errors"] == [
        error(
            2,
            "full_name",
            "The name runs over 3 lines of the file: a quote opened in this row is probably "
            "closed only on a later line, so the lines between (and their rows) were read "
            "into it. Close the quote where the value ends (a quote inside a value is written "
            'twice: "") and upload again.',
        )
    ]


def test_an_unquoted_value_over_the_csv_limit_is_said_to_be_too_long():
    content = b"phone,notes\n4155550101,ok\n4155550102," + b"x" * 5_000_000 + b"\n"
    with (
        validate_lead_list(io.BytesIO(content)) as validation,
        pytest.raises(LeadListError) as raised,
    ):
        list(validation)
    assert str(raised.value) == (
        "Row 3 has a value longer than 131,072 characters, the most a CSV value may have "
        "(and a value the dialer takes has at most 1,000): shorten it and upload again."
    )


def test_a_quoted_value_running_over_lines_past_the_csv_limit_names_its_quote():
    content = b'phone,notes\n4155550101,"open\n' + (b"x" * 1000 + b"\n") * 200
    with (
        validate_lead_list(io.BytesIO(content)) as validation,
        pytest.raises(LeadListError) as raised,
    ):
        list(validation)
    assert str(raised.value) == (
        "Row 2 opens a quote that is still not closed 131,072 characters later (line 133): "
        "the quote is probably never closed. Close it where the value ends (a quote inside a "
        'value is written twice: "") and upload again.'
    )


def _workbook_bytes(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_phone_formula_without_a_saved_value_says_so():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Phone", "Name"])
        sheet.append(['=CONCAT("415","5550101")', "Formula"])
        sheet.append(["4155550102", "Typed"])
        sheet.append([None, "Blank"])

    rows, summary = read(io.BytesIO(_workbook_bytes(build)))
    assert rows == [lead(3, "+14155550102", "Typed")]
    assert summary["errors"] == [
        error(
            2,
            "phone",
            'The phone cell holds a formula (=CONCAT("415","5550101")) with no saved value: '
            "open the file in a spreadsheet app and save it, or put the number itself in "
            "the cell.",
        ),
        error(4, "phone", "The phone is empty."),
    ]


def test_an_xlsx_whose_first_sheet_is_empty_names_the_sheet_that_has_the_data():
    def build(workbook):
        workbook.active.title = "Notes"
        leads = workbook.create_sheet("Leads")
        leads.append(["Phone"])
        leads.append(["4155550101"])

    with pytest.raises(LeadListError) as raised:
        validate_lead_list(io.BytesIO(_workbook_bytes(build)))
    assert str(raised.value) == (
        'Only the first sheet of a workbook is read, and it ("Notes") is empty; the data is '
        'on sheet "Leads". Move that sheet first (or copy its data to the first sheet) and '
        "upload again."
    )


def test_an_xlsx_with_every_sheet_empty_says_the_file_is_empty():
    with pytest.raises(LeadListError) as raised:
        validate_lead_list(io.BytesIO(_workbook_bytes(lambda workbook: None)))
    assert str(raised.value) == (
        'The file is empty: the first row must name the columns, one of them "phone".'
    )


def test_an_extra_column_quote_closed_rows_later_refuses_the_row_naming_the_column():
    """Row 3 opens a quote in its notes that closes only on row 6: rows 4 and 5 would vanish
    into the note, so the row is refused, naming it and the column, and the rows after it are
    read."""
    content = (
        b"Phone,Name,Notes\r\n"
        b"+14155550721,Ann Lee,first call\r\n"
        b'+14155550722,Bob Stone,"call after 5\r\n'
        b"+14155550723,Cy Young,prefers email\r\n"
        b"+14155550724,Di Prince,none\r\n"
        b'+14155550725,Ed Norton,done"\r\n'
        b"+14155550726,Flo Rida,\r\n"
    )
    rows, summary = read(io.BytesIO(content))
    assert rows == [
        lead(2, "+14155550721", "Ann", "Lee", data={"Notes": "first call"}),
        lead(4, "+14155550726", "Flo", "Rida", data={"Notes": ""}),
    ]
    assert (summary["rows_total"], summary["rows_invalid"]) == (3, 1)
    assert summary["errors"] == [
        error(
            3,
            "Notes",
            'The "Notes" value runs over 4 lines of the file, and a line in it '
            '("+14155550723,Cy Young,prefers email") holds 2 commas, as a row of this file '
            "does (2 commas between its 3 columns): a quote opened in this row is probably "
            "closed only on a later line, so the rows between were read into the value. Close "
            'the quote where the value ends (a quote inside a value is written twice: "") and '
            "upload again. A value over lines is read as long as none of its lines after the "
            "first holds 2 commas or more; one that must can be uploaded in an .xlsx file "
            "instead.",
        )
    ]


def test_notes_over_lines_are_read_while_no_line_holds_a_rows_separators():
    """A genuine note or address over lines imports, with fewer separators on a later line
    than a row has (a city and state after a comma), as does any line of a workbook."""
    content = (
        b"Phone;Name;Address;Notes\r\n"
        b'4155550731;Ann Lee;"1 Main St\r\nSpringfield; IL";"call after 5\r\nnot Fridays"\r\n'
        b'4155550732;Bob Stone;"2 Oak Ave";"a; b\r\nc; d"\r\n'
    )
    rows, summary = read(io.BytesIO(content))
    assert rows == [
        lead(
            2,
            "+14155550731",
            "Ann",
            "Lee",
            data={
                "Address": "1 Main St\r\nSpringfield; IL",
                "Notes": "call after 5\r\nnot Fridays",
            },
        ),
        lead(
            3,
            "+14155550732",
            "Bob",
            "Stone",
            data={"Address": "2 Oak Ave", "Notes": "a; b\r\nc; d"},
        ),
    ]
    assert summary["errors"] == []

    def build(workbook):
        workbook.active.append(["Phone", "Notes"])
        workbook.active.append(["4155550733", "line one\n4155550734,Cy,cy@x.test"])

    rows, _ = read(io.BytesIO(_workbook_bytes(build)))
    assert rows == [lead(2, "+14155550733", data={"Notes": "line one\n4155550734,Cy,cy@x.test"})]


def test_xlsx_name_email_and_extra_formulas_without_a_saved_value_refuse_the_row_naming_each():
    """A program wrote formulas and no spreadsheet app worked them out: the name, email and
    extra cells would import empty, so the row is refused naming each column."""

    def build(workbook):
        sheet = workbook.active
        sheet.append(["Phone", "Name", "Email", "Company"])
        sheet.append(["4155550741", '=PROPER("ann lee")', '=LOWER("ANN@X.TEST")', '="Acme"'])
        sheet.append(["4155550742", "Bob Stone", None, "Beta"])
        sheet["C3"].number_format = "@"  # a blank cell with a style: empty, not a formula
        sheet.append(['=CONCAT("415","5550743")', '=PROPER("cy young")'])
        sheet.append([])
        sheet["A5"].number_format = "@"  # a row of blank styled cells is an empty row

    rows, summary = read(io.BytesIO(_workbook_bytes(build)))
    assert rows == [lead(3, "+14155550742", "Bob", "Stone", data={"Company": "Beta"})]
    assert summary["errors"] == [
        error(
            2,
            "full_name",
            'The name cell holds a formula (=PROPER("ann lee")) with no saved value: open the '
            "file in a spreadsheet app and save it, or put the name itself in the cell.",
        ),
        error(
            2,
            "email",
            'The email cell holds a formula (=LOWER("ANN@X.TEST")) with no saved value: open '
            "the file in a spreadsheet app and save it, or put the email itself in the cell.",
        ),
        error(
            2,
            "Company",
            'The "Company" cell holds a formula (="Acme") with no saved value: open the file '
            "in a spreadsheet app and save it, or put the value itself in the cell.",
        ),
        error(
            4,
            "phone",
            'The phone cell holds a formula (=CONCAT("415","5550743")) with no saved value: '
            "open the file in a spreadsheet app and save it, or put the number itself in "
            "the cell.",
        ),
        error(
            4,
            "full_name",
            'The name cell holds a formula (=PROPER("cy young")) with no saved value: open the '
            "file in a spreadsheet app and save it, or put the name itself in the cell.",
        ),
    ]
    assert (summary["rows_total"], summary["rows_invalid"]) == (3, 2)


def test_xlsx_formulas_with_saved_values_are_read_an_empty_text_result_as_empty():
    """A spreadsheet app saves each formula's value: text (an empty text too, typed "str")
    is read as saved, never said to be missing."""

    def build(workbook):
        sheet = workbook.active
        sheet.append(["Phone", "Name", "Email"])
        sheet.append(["4155550751", "=NAME_FORMULA", "=EMAIL_FORMULA"])

    content = _workbook_bytes(build)
    source, saved = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<c r="B2"><f>NAME_FORMULA</f><v /></c>',
                    b'<c r="B2" t="str"><f>PROPER("ann lee")</f><v>Ann Lee</v></c>',
                ).replace(
                    b'<c r="C2"><f>EMAIL_FORMULA</f><v /></c>',
                    b'<c r="C2" t="str"><f>IF(TRUE,"","x")</f><v></v></c>',
                )
                assert data.count(b"<f>") == 2 and b"_FORMULA" not in data
            target.writestr(item, data)

    rows, summary = read(io.BytesIO(saved.getvalue()))
    assert rows == [lead(2, "+14155550751", "Ann", "Lee")]
    assert summary["errors"] == []


def test_a_quote_closed_in_the_middle_of_a_value_refuses_the_row_naming_the_column():
    """`"Ann Lee,"unclosed` would read as the name `Ann Lee,unclosed` with the notes empty:
    the row is refused naming its column, and the rows around it are read."""
    content = (
        b"Phone,Name,Notes\r\n"
        b'(415) 555-4001,"Ann Lee,"unclosed\r\n'
        b"(415) 555-4002,Bob,ok\r\n"
        b'(415) 555-4003,Cy Young,"two\r\nlines" later\r\n'
        b'(415) 555-4004,"Di ""D"" Prince",Ann "A" Lee\r\n'
    )
    rows, summary = read(io.BytesIO(content))
    assert rows == [
        lead(3, "+14155554002", "Bob", data={"Notes": "ok"}),
        lead(5, "+14155554004", 'Di "D"', "Prince", data={"Notes": 'Ann "A" Lee'}),
    ]
    assert (summary["rows_total"], summary["rows_invalid"]) == (4, 2)
    advice = (
        "so that text would be glued onto the value and a separator or quote in it lost. Close "
        'the quote where the value ends (a quote inside a value is written twice: "") and '
        "upload again."
    )
    assert summary["errors"] == [
        error(
            2,
            "full_name",
            "A quote in the name closes in the middle of the value and text follows it (the "
            f'file has "Ann Lee,"unclosed), {advice}',
        ),
        error(
            4,
            "Notes",
            'A quote in the "Notes" value closes in the middle of the value and text follows '
            f'it (the file has "two lines" later), {advice}',
        ),
    ]


def test_a_quote_closed_in_the_middle_of_a_header_less_value_names_its_column():
    content = b'Phone;Name;\n4155554001;Ann;"x"y\n'
    _, summary = read(io.BytesIO(content))
    assert summary["errors"] == [
        error(
            2,
            "column C",
            "A quote in the value in column C closes in the middle of the value and text "
            'follows it (the file has "x"y), so that text would be glued onto the value and a '
            "separator or quote in it lost. Close the quote where the value ends (a quote "
            'inside a value is written twice: "") and upload again.',
        )
    ]
