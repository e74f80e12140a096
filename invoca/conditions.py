"""Invoca's condition language: parse a `condition` string into a verdict, never an exception.

Conditions decide which child of an IVR `Condition` node runs and when a payout or payin policy
applies [004, "Conditions" and "Example Conditions"]:

- predicates: `during_hours`, `in_region`, `mobile`, `landline`, `repeat`, `sms_sent`;
- `pressed[k]` (the caller pressed key k) and `pressed[a k]` (pressed k in answer to question
  `a` of a series), k being 0-9, `*` or `#`;
- `duration` / `connect_duration` compared (`>`, `>=`, `<`, `<=`, `=`) with an amount in
  minutes and seconds: `duration >= 1 min 30 sec`, `duration > 12 sec`, `connect_duration < 2
  min`; a bare number is seconds (`duration > 60`, as in the reference's payout example);
- `not`, `and`, `or` and parentheses, where `and` binds tighter than `or`:
  `mobile or in_region and during_hours` means `mobile or (in_region and during_hours)`.

Keywords are case-insensitive (the reference writes the operators as AND/OR/NOT). `in_region`
and `during_hours` take no arguments: they refer to the regions and hours set on the campaign.
"""

from dataclasses import dataclass

from lark import Lark, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

# Longer conditions are not something a person writes; the limit keeps parsing cheap.
MAX_LENGTH = 1000
# Durations compare call lengths; anything beyond a day is a typo.
MAX_SECONDS = 24 * 60 * 60

PREDICATES = ("during_hours", "in_region", "mobile", "landline", "repeat", "sms_sent")
MEASURES = ("duration", "connect_duration")
COMPARATORS = (">=", "<=", ">", "<", "=")

# A keyword is a whole word: `mobile_x` is not `mobile` followed by `_x`.
_END_OF_WORD = r"(?![A-Za-z0-9_])"

GRAMMAR = rf"""
?start: disjunction

?disjunction: conjunction (_OR conjunction)*
?conjunction: negation (_AND negation)*
?negation: _NOT negation -> negation
         | atom
?atom: _LPAR disjunction _RPAR
     | PREDICATE -> predicate
     | _PRESSED _LSQB [LETTER] KEY _RSQB -> pressed
     | MEASURE COMPARATOR amount -> comparison

amount: INT _MIN INT _SEC -> minutes_seconds
      | INT _MIN -> minutes
      | INT _SEC -> seconds
      | INT -> seconds

_OR: /or{_END_OF_WORD}/i
_AND: /and{_END_OF_WORD}/i
_NOT: /not{_END_OF_WORD}/i
_PRESSED: /pressed{_END_OF_WORD}/i
PREDICATE: /({"|".join(PREDICATES)}){_END_OF_WORD}/i
MEASURE: /(connect_duration|duration){_END_OF_WORD}/i
COMPARATOR: />=|<=|==|=|>|</
_MIN: /min{_END_OF_WORD}/i
_SEC: /sec{_END_OF_WORD}/i
INT: /[0-9]+/
LETTER: /[a-z]/i
KEY: /[0-9*#]/
_LPAR: "("
_RPAR: ")"
_LSQB: "["
_RSQB: "]"

%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)

# What each terminal is, in the words of an error message; in the order they are listed.
EXPECTED = {
    "PREDICATE": "a condition (" + ", ".join(PREDICATES) + ")",
    "_PRESSED": "pressed[key]",
    "MEASURE": "duration or connect_duration",
    "_NOT": "'not'",
    "_LPAR": "'('",
    "COMPARATOR": "a comparison (>, >=, <, <=, =)",
    "INT": "a whole number",
    "_MIN": "'min'",
    "_SEC": "'sec'",
    "LETTER": "a question letter (a-z)",
    "KEY": "a key (0-9, * or #)",
    "_RSQB": "']'",
    "_LSQB": "'['",
    "_AND": "'and'",
    "_OR": "'or'",
    "_RPAR": "')'",
    "$END": "the end of the condition",
}


@dataclass(frozen=True)
class Parsed:
    """The verdict on one condition string.

    `valid`: whether Invoca's grammar accepts it. `normalized`: the condition fully
    parenthesised with canonical spelling (lower-case keywords, `=` for `==`, amounts as
    `M min S sec`), e.g. `mobile or in_region and during_hours` -> `(mobile or (in_region and
    during_hours))`; None when invalid. `message`: None when valid, else one sentence naming
    the position (line and column, 1-based) and what was expected there, e.g. "Unexpected
    'foo' at line 1, column 12: expected 'and', 'or' or the end of the condition." `line` and
    `column` repeat that position for callers that point at it.
    """

    valid: bool
    normalized: str | None
    message: str | None
    line: int | None = None
    column: int | None = None


class _Invalid(Exception):
    def __init__(self, message, line, column):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def parse(text) -> Parsed:
    """Parse an Invoca condition (see the module docstring for the grammar) into a `Parsed`.

    Never raises: anything that is not a string, an empty or over-long string, a syntax error
    or an impossible amount is an invalid verdict with a message.
    """
    if not isinstance(text, str):
        return Parsed(False, None, "The condition must be text.")
    if len(text) > MAX_LENGTH:
        return Parsed(False, None, f"The condition is too long (at most {MAX_LENGTH} characters).")
    if not text.strip():
        return Parsed(
            False,
            None,
            "The condition is empty at line 1, column 1: expected a condition such as "
            "during_hours or mobile and pressed[2].",
            1,
            1,
        )
    try:
        tree = _PARSER.parse(text)
        normalized = _normalize(tree)
    except _Invalid as exc:
        return Parsed(False, None, exc.message, exc.line, exc.column)
    except UnexpectedInput as exc:
        message, line, column = _syntax_message(text, exc)
        return Parsed(False, None, message, line, column)
    except (LarkError, RecursionError, ValueError):
        return Parsed(False, None, "The condition could not be read.")
    return Parsed(True, normalized, None)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _expected_phrase(names) -> str:
    known = [EXPECTED[name] for name in EXPECTED if name in names]
    if not known:
        return "something else"
    if len(known) == 1:
        return known[0]
    return ", ".join(known[:-1]) + " or " + known[-1]


def _word_at(text: str, offset: int) -> str:
    end = offset
    while end < len(text) and (text[end].isalnum() or text[end] == "_") and end - offset < 30:
        end += 1
    return text[offset:end] if end > offset else text[offset]


def _syntax_message(text: str, exc: UnexpectedInput) -> tuple[str, int, int]:
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        offset = exc.token.start_pos
        # Outside its context a word may be read as a one-letter token: name the whole word.
        found = f"'{max(str(exc.token.value), _word_at(text, offset), key=len)}'"
        expected = exc.accepts or exc.expected
    elif isinstance(exc, UnexpectedCharacters):
        offset = exc.pos_in_stream
        found = f"'{_word_at(text, offset)}'"
        expected = _accepts_after(text[:offset]) or exc.allowed
    else:
        offset = len(text.rstrip())
        found = "end of the condition"
        expected = getattr(exc, "expected", None) or ()
    line, column = _position(text, offset)
    return (
        f"Unexpected {found} at line {line}, column {column}: "
        f"expected {_expected_phrase(set(expected))}.",
        line,
        column,
    )


def _accepts_after(prefix: str) -> set[str]:
    """The terminals the grammar accepts after `prefix` (the lexer's own list is a superset)."""
    try:
        interactive = _PARSER.parse_interactive(prefix)
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except LarkError:
        return set()


def _amount(tree: Tree) -> str:
    numbers = [int(token) for token in tree.children]
    if tree.data == "minutes_seconds":
        seconds = numbers[0] * 60 + numbers[1]
    elif tree.data == "minutes":
        seconds = numbers[0] * 60
    else:
        seconds = numbers[0]
    if seconds > MAX_SECONDS:
        first = tree.children[0]
        raise _Invalid(
            f"The duration at line {first.line}, column {first.column} is too long "
            f"(at most 24 hours).",
            first.line,
            first.column,
        )
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return f"{minutes} min {rest} sec"
    return f"{minutes} min" if minutes else f"{rest} sec"


def _leaf(tree: Tree) -> str:
    if tree.data == "predicate":
        return tree.children[0].lower()
    if tree.data == "pressed":
        letter, key = tree.children
        return f"pressed[{letter.lower()} {key}]" if letter else f"pressed[{key}]"
    measure, comparator, amount = tree.children
    comparator = "=" if comparator == "==" else str(comparator)
    return f"{measure.lower()} {comparator} {_amount(amount)}"


def _normalize(root: Tree) -> str:
    """Fully parenthesised text of a parse tree, walked without recursion (nesting is bounded
    only by the length limit)."""
    done: dict[int, str] = {}
    stack: list[tuple[Tree, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node.data in ("predicate", "pressed", "comparison"):
            done[id(node)] = _leaf(node)
        elif not expanded:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children if isinstance(child, Tree))
        elif node.data == "negation":
            done[id(node)] = f"(not {done[id(node.children[0])]})"
        else:
            word = " and " if node.data == "conjunction" else " or "
            parts = [done[id(child)] for child in node.children]
            text = parts[0]
            for part in parts[1:]:
                text = f"({text}{word}{part})"
            done[id(node)] = text
    return done[id(root)]
