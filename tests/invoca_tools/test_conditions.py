"""Invoca's condition grammar [004, "Conditions"]: precedence, normalisation and error positions."""

import pytest

from invoca.conditions import MAX_LENGTH, PREDICATES, parse

# The reference's "Example Conditions" table (without the table's closing full stops).
REFERENCE_EXAMPLES = [
    ("duration >= 1 min 30 sec", "duration >= 1 min 30 sec"),
    ("during_hours", "during_hours"),
    ("mobile and pressed[2]", "(mobile and pressed[2])"),
    ("in_region or duration > 12 sec", "(in_region or duration > 12 sec)"),
    (
        "pressed[a 1] and not (in_region or during_hours)",
        "(pressed[a 1] and (not (in_region or during_hours)))",
    ),
]


@pytest.mark.parametrize(("text", "normalized"), REFERENCE_EXAMPLES)
def test_the_reference_examples_parse(text, normalized):
    assert parse(text) == parse(text)
    parsed = parse(text)
    assert (parsed.valid, parsed.normalized, parsed.message) == (True, normalized, None)


def test_and_binds_tighter_than_or_as_the_reference_says():
    assert parse("mobile or in_region and during_hours").normalized == (
        "(mobile or (in_region and during_hours))"
    )
    assert parse("mobile or (in_region and during_hours)").normalized == (
        parse("mobile or in_region and during_hours").normalized
    )
    assert parse("mobile and in_region or during_hours").normalized == (
        "((mobile and in_region) or during_hours)"
    )


def test_parentheses_override_precedence():
    assert parse("(mobile or in_region) and during_hours").normalized == (
        "((mobile or in_region) and during_hours)"
    )


def test_not_binds_to_the_condition_that_follows():
    assert parse("not mobile and landline").normalized == "((not mobile) and landline)"
    assert parse("not (mobile and landline)").normalized == "(not (mobile and landline))"
    assert parse("not not repeat").normalized == "(not (not repeat))"


def test_chains_of_one_operator_group_from_the_left():
    assert parse("mobile and landline and repeat").normalized == (
        "((mobile and landline) and repeat)"
    )
    assert parse("mobile or landline or repeat or sms_sent").normalized == (
        "(((mobile or landline) or repeat) or sms_sent)"
    )


def test_redundant_parentheses_disappear():
    assert parse("((((mobile))))").normalized == "mobile"
    assert parse("(mobile) and ((landline))").normalized == "(mobile and landline)"


@pytest.mark.parametrize("predicate", PREDICATES)
def test_every_predicate_parses_alone(predicate):
    assert parse(predicate).normalized == predicate


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("pressed[2]", "pressed[2]"),
        ("pressed[0]", "pressed[0]"),
        ("pressed[*]", "pressed[*]"),
        ("pressed[#]", "pressed[#]"),
        ("pressed[a 1]", "pressed[a 1]"),
        ("pressed[b 9]", "pressed[b 9]"),
        ("pressed [ A  * ]", "pressed[a *]"),
        ("pressed[c3]", "pressed[c 3]"),
    ],
)
def test_pressed_takes_a_key_and_an_optional_question_letter(text, normalized):
    assert parse(text).normalized == normalized


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("duration >= 1 min 30 sec", "duration >= 1 min 30 sec"),
        ("duration > 90 sec", "duration > 1 min 30 sec"),
        ("duration > 60", "duration > 1 min"),
        ("duration < 2 min", "duration < 2 min"),
        ("duration <= 0 sec", "duration <= 0 sec"),
        ("connect_duration = 45 sec", "connect_duration = 45 sec"),
        ("connect_duration == 45 sec", "connect_duration = 45 sec"),
        ("connect_duration>=2 min", "connect_duration >= 2 min"),
        ("DURATION > 12 SEC", "duration > 12 sec"),
        ("duration > 1 min 75 sec", "duration > 2 min 15 sec"),
    ],
)
def test_durations_compare_minutes_and_seconds(text, normalized):
    assert parse(text).normalized == normalized


def test_keywords_are_case_insensitive_and_normalised_to_lower_case():
    assert parse("Mobile AND NOT Landline OR Repeat").normalized == (
        "((mobile and (not landline)) or repeat)"
    )


def test_whitespace_and_newlines_are_free():
    assert parse("  mobile\n and\tpressed[ 2 ]  ").normalized == "(mobile and pressed[2])"


# Errors name the position and what was expected there.

PREDICATE_CHOICES = (
    "a condition (during_hours, in_region, mobile, landline, repeat, sms_sent), pressed[key], "
    "duration or connect_duration, 'not' or '('"
)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "mobile and",
            f"Unexpected end of the condition at line 1, column 11: expected {PREDICATE_CHOICES}.",
            1,
            11,
        ),
        (
            "mobile and foo",
            f"Unexpected 'foo' at line 1, column 12: expected {PREDICATE_CHOICES}.",
            1,
            12,
        ),
        (
            "mobile andx",
            "Unexpected 'andx' at line 1, column 8: expected 'and', 'or' or the end "
            "of the condition.",
            1,
            8,
        ),
        ("(mobile", "Unexpected end of the condition at line 1, column 8: expected ')'.", 1, 8),
        (
            "(mobile andx)",
            "Unexpected 'andx' at line 1, column 9: expected 'and', 'or' or ')'.",
            1,
            9,
        ),
        ("pressed[10]", "Unexpected '0' at line 1, column 10: expected ']'.", 1, 10),
        (
            "pressed[ab]",
            "Unexpected 'b' at line 1, column 10: expected a key (0-9, * or #).",
            1,
            10,
        ),
        (
            "duration",
            "Unexpected end of the condition at line 1, column 9: expected a "
            "comparison (>, >=, <, <=, =).",
            1,
            9,
        ),
        (
            "duration >",
            "Unexpected end of the condition at line 1, column 11: expected a whole number.",
            1,
            11,
        ),
        (
            "duration >= 1 min 30",
            "Unexpected end of the condition at line 1, column 21: expected 'sec'.",
            1,
            21,
        ),
        (
            "mobile\nand\n  sms",
            f"Unexpected 'sms' at line 3, column 3: expected {PREDICATE_CHOICES}.",
            3,
            3,
        ),
        (
            "sms_sent.",
            "Unexpected '.' at line 1, column 9: expected 'and', 'or' or the end of the condition.",
            1,
            9,
        ),
        (
            "in_region[West Coast]",
            "Unexpected '[' at line 1, column 10: expected 'and', 'or' "
            "or the end of the condition.",
            1,
            10,
        ),
        (
            "duration > 25 hours",
            "Unexpected 'hours' at line 1, column 15: expected 'min', 'sec', "
            "'and', 'or' or the end of the condition.",
            1,
            15,
        ),
    ],
)
def test_syntax_errors_name_the_position_and_what_was_expected(text, message, line, column):
    parsed = parse(text)
    assert (parsed.valid, parsed.normalized) == (False, None)
    assert (parsed.message, parsed.line, parsed.column) == (message, line, column)


def test_an_unknown_word_is_named_whole():
    assert parse("mobile_phone").message.startswith("Unexpected 'mobile_phone' at line 1, column 1")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_condition_is_invalid(text):
    parsed = parse(text)
    assert not parsed.valid
    assert parsed.message == (
        "The condition is empty at line 1, column 1: expected a condition such as during_hours "
        "or mobile and pressed[2]."
    )


def test_a_duration_beyond_a_day_is_refused_at_its_position():
    parsed = parse("mobile or duration > 100000 min")
    assert (parsed.valid, parsed.line, parsed.column) == (False, 1, 22)
    assert parsed.message == ("The duration at line 1, column 22 is too long (at most 24 hours).")


def test_an_over_long_condition_is_refused_without_parsing():
    parsed = parse("mobile or " * (MAX_LENGTH // 10) + "mobile")
    assert parsed == parse("x" * (MAX_LENGTH + 1))
    assert parsed.message == f"The condition is too long (at most {MAX_LENGTH} characters)."


@pytest.mark.parametrize("value", [None, 3, ["mobile"], {"c": "mobile"}, b"mobile"])
def test_anything_but_text_is_invalid(value):
    assert parse(value).message == "The condition must be text."


def test_deep_nesting_within_the_length_limit_normalises():
    depth = (MAX_LENGTH - len("mobile")) // 2
    parsed = parse("(" * depth + "mobile" + ")" * depth)
    assert parsed.normalized == "mobile"
    nots = parse("not " * ((MAX_LENGTH - 6) // 4) + "mobile")
    assert nots.valid and nots.normalized.startswith("(not (not ")
