"""Fuzzing: any JSON value gets a verdict on the IVR tree, any text a verdict on the condition;
trees and conditions built by the rules are accepted."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoca import ivr
from invoca.conditions import PREDICATES, parse
from tests.invoca_tools.trees import VALID_NODES, end_call, valid_node

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)

# Nodes that look like IVR nodes: real parameter names with arbitrary values, real node types.
parameter_names = st.sampled_from(sorted(ivr.ALL_PARAMETERS - {"children"}))
node_types = st.sampled_from([*ivr.NODE_TYPES, "", "RingGroup", "__proto__"]) | json_values
node_like = st.recursive(
    st.fixed_dictionaries({"node_type": node_types}, optional={"prompt": json_values}),
    lambda inner: st.builds(
        lambda base, extra, children: {**extra, **base, "children": children},
        st.fixed_dictionaries({"node_type": node_types}),
        st.dictionaries(parameter_names, json_scalars | json_values, max_size=4),
        st.lists(inner | json_scalars, max_size=11),
    ),
    max_leaves=30,
)
trees = (
    json_values
    | node_like
    | st.builds(
        lambda root, extra: {**extra, "root": root},
        node_like,
        st.dictionaries(
            st.sampled_from(["record_calls", "caller_id", "x"]), json_values, max_size=2
        ),
    )
)


def assert_invoca_shape(errors):
    """`{field: [messages]}` with `children` holding messages and `{"<index>": {...}}` entries."""
    pending = [errors]
    while pending:
        node = pending.pop()
        assert isinstance(node, dict) and node
        for name, value in node.items():
            if name == "caller_id":
                pending.append(value)
                continue
            assert isinstance(value, list) and value, name
            for item in value:
                if isinstance(item, dict):
                    assert name == "children" and len(item) == 1
                    ((key, child),) = item.items()
                    assert key.isdigit()
                    pending.append(child)
                else:
                    assert isinstance(item, str) and item


@FUZZ
@given(trees)
def test_any_json_value_gets_a_verdict_in_invoca_shape(value):
    found = ivr.validate_tree(value)
    if found is not None:
        assert list(found) == ["ivr_tree"]
        json.dumps(found)
        if isinstance(found["ivr_tree"], list):
            assert all(isinstance(message, str) for message in found["ivr_tree"])
        else:
            assert_invoca_shape(found["ivr_tree"])
    ivr.call_flow(value)
    ivr.error_lines(found, value)


@st.composite
def valid_trees(draw, depth=0):
    node_type = draw(st.sampled_from(list(VALID_NODES)))
    _, count = VALID_NODES[node_type]
    if node_type == "Menu":
        count = draw(st.integers(1, 9))
    if depth >= 3:
        children = [end_call() for _ in range(count)]
    else:
        children = [draw(valid_trees(depth=depth + 1)) for _ in range(count)]
    if ivr.NODE_RULES[node_type].failovers:
        for failover in draw(st.lists(st.sampled_from(["Wrong", "None"]), unique=True)):
            children.append(end_call(keypress_failover_type=failover))
    return valid_node(node_type, children=children if count or children else None)


@FUZZ
@given(valid_trees(), st.booleans())
def test_trees_built_by_the_rules_are_valid(root, wrapped):
    assert ivr.validate_tree({"root": root} if wrapped else root) is None


@FUZZ
@given(valid_trees(), st.data())
def test_emptying_a_required_parameter_is_reported_on_that_node(root, data):
    path, node = [], root
    while node.get("children") and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(node["children"]) - 1))
        path.append(index)
        node = node["children"][index]
    required = ivr.NODE_RULES[node["node_type"]].required
    if not required:
        return
    name = data.draw(st.sampled_from(required))
    node[name] = ""
    found = ivr.validate_tree(root)["ivr_tree"]
    for index in path:
        entries = [entry for entry in found["children"] if isinstance(entry, dict)]
        (found,) = [entry[str(index)] for entry in entries if str(index) in entry]
    assert found == {name: ["cannot be empty"]}


# Conditions.

words = st.sampled_from(
    [
        *PREDICATES,
        "and",
        "or",
        "not",
        "(",
        ")",
        "pressed",
        "[",
        "]",
        "a",
        "1",
        "*",
        "#",
        "duration",
        "connect_duration",
        ">=",
        ">",
        "=",
        "==",
        "<",
        "min",
        "sec",
        "90",
        "\n",
        " ",
    ]
)
condition_like = st.lists(words, max_size=25).map(" ".join)


@FUZZ
@given(st.text(max_size=200) | condition_like)
def test_any_text_gets_a_verdict_never_an_exception(text):
    parsed = parse(text)
    assert isinstance(parsed.valid, bool)
    if parsed.valid:
        assert parsed.message is None and parsed.normalized
        assert parse(parsed.normalized).normalized == parsed.normalized
    else:
        assert parsed.normalized is None and parsed.message
        if parsed.line is not None:
            assert 1 <= parsed.line <= text.count("\n") + 1
            assert parsed.column >= 1


amounts = st.sampled_from(["12 sec", "1 min 30 sec", "2 min", "45"])
atoms = (
    st.sampled_from(PREDICATES)
    | st.builds(
        "pressed[{}{}]".format, st.sampled_from(["", "a ", "b "]), st.sampled_from("0123456789*#")
    )
    | st.builds(
        "{} {} {}".format,
        st.sampled_from(["duration", "connect_duration"]),
        st.sampled_from([">", ">=", "<", "<=", "="]),
        amounts,
    )
)
conditions = st.recursive(
    atoms,
    lambda inner: (
        st.builds("({})".format, inner)
        | st.builds("not {}".format, inner)
        | st.builds("{} and {}".format, inner, inner)
        | st.builds("{} or {}".format, inner, inner)
    ),
    max_leaves=12,
)


@FUZZ
@given(conditions)
def test_conditions_built_by_the_grammar_parse_and_normalise_stably(text):
    parsed = parse(text)
    assert parsed.valid, parsed.message
    again = parse(parsed.normalized)
    assert again.normalized == parsed.normalized
