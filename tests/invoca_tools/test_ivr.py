"""The IVR tree validator against every node rule and enum of the Invoca reference [004]."""

import copy

import pytest

from invoca import ivr
from invoca.ivr import validate_tree
from tests.invoca_tools.trees import (
    REFERENCE_403_REQUEST,
    REFERENCE_403_RESPONSE,
    REFERENCE_CONDITION_TREE,
    REFERENCE_CONNECT_TREE,
    REFERENCE_FAILOVER_TREE,
    VALID_NODES,
    connect,
    end_call,
    tree,
    valid_node,
)


def root_errors(root):
    """The errors of the root node alone (Invoca puts them directly under `ivr_tree`)."""
    found = validate_tree(tree(root))
    return found["ivr_tree"] if found else None


def child_errors(parent, index=0):
    """The errors of child `index` of `parent` (a Menu by default) in Invoca's shape."""
    found = validate_tree(tree(parent))
    assert found is not None
    for entry in found["ivr_tree"].get("children", []):
        if isinstance(entry, dict) and str(index) in entry:
            return entry[str(index)]
    return None


def in_menu(node):
    return {"node_type": "Menu", "prompt": "Choose.", "children": [node]}


# The reference's own examples.


def test_the_reference_403_example_is_reproduced_exactly():
    assert validate_tree(REFERENCE_403_REQUEST) == REFERENCE_403_RESPONSE["error"]


def test_the_reference_403_example_gives_the_same_errors_in_the_wrapper_shape():
    assert validate_tree({"root": REFERENCE_403_REQUEST}) == REFERENCE_403_RESPONSE["error"]


@pytest.mark.parametrize(
    "example",
    [REFERENCE_FAILOVER_TREE, REFERENCE_CONDITION_TREE, REFERENCE_CONNECT_TREE],
    ids=["keypress-failover", "condition", "connect"],
)
def test_the_reference_example_trees_are_valid(example):
    assert validate_tree(example) is None


@pytest.mark.parametrize("node_type", list(VALID_NODES))
def test_a_valid_node_of_every_type_is_valid(node_type):
    assert validate_tree(tree(valid_node(node_type))) is None
    assert validate_tree(valid_node(node_type)) is None


def test_grandchild_errors_nest_by_child_index():
    root = {
        "node_type": "Menu",
        "prompt": "Choose.",
        "children": [
            end_call(),
            {"node_type": "Menu", "prompt": "Again.", "children": [end_call(), connect(x=1)]},
        ],
    }
    assert validate_tree(tree(root)) == {
        "ivr_tree": {
            "children": [{"1": {"children": [{"1": {"x": ["is not a known parameter"]}}]}}]
        }
    }


def test_two_children_with_errors_are_two_entries_in_child_order():
    root = in_menu(connect(destination_phone_number=""))
    root["children"].append(end_call())
    root["children"].append({"node_type": "Bogus"})
    found = validate_tree(tree(root))["ivr_tree"]["children"]
    assert [next(iter(entry)) for entry in found] == ["0", "2"]


# Required parameters (`*` in the reference), per node type.

REQUIRED = [
    ("Menu", "prompt"),
    ("Connect", "destination_phone_number"),
    ("Connect", "destination_country_code"),
    ("SmsPromo", "prompt"),
    ("SmsPromo", "sms_promo_copy"),
    ("Condition", "condition"),
    ("DynamicRoute", "dynamic_route_destination"),
    ("AnyKeyPress", "prompt"),
    ("NumberQuestion", "prompt"),
    ("NumberQuestion", "number_question_type"),
    ("YesOrNo", "prompt"),
]


@pytest.mark.parametrize(("node_type", "name"), REQUIRED)
@pytest.mark.parametrize("how", ["missing", "empty", "blank", "null"])
def test_a_required_parameter_cannot_be_empty(node_type, name, how):
    node = valid_node(node_type)
    if how == "missing":
        del node[name]
    else:
        node[name] = {"empty": "", "blank": "   ", "null": None}[how]
    assert root_errors(node) == {name: ["cannot be empty"]}


OPTIONAL_PROMPTS = ["Connect", "EndCall", "VerifyLocation", "NearestBranch", "DynamicRoute"]


@pytest.mark.parametrize("node_type", OPTIONAL_PROMPTS)
def test_an_optional_prompt_may_be_empty_or_left_out(node_type):
    node = valid_node(node_type)
    node["prompt"] = ""
    assert root_errors(node) is None
    del node["prompt"]
    assert root_errors(node) is None


def test_destination_extension_is_optional_and_checked_when_given():
    assert root_errors(connect()) is None
    assert root_errors(connect(destination_extension="1,,,234#")) is None
    assert root_errors(connect(destination_extension="ext 12")) == {
        "destination_extension": [
            "may hold only digits, * and #, with commas for pauses (at most 50)"
        ]
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("prompt", 12),
        ("prompt", ["a"]),
        ("sms_promo_copy", {"text": "a"}),
        ("dynamic_route_destination", True),
        ("custom_error_prompt_text", 3.5),
        ("caller_response_custom_data_partner_name", ["zip"]),
    ],
)
def test_text_parameters_must_be_text(name, value):
    node_type = next(t for t, (node, _) in VALID_NODES.items() if name in node)
    node = valid_node(node_type)
    node[name] = value
    assert root_errors(node) == {name: ["must be text"]}


def test_text_longer_than_the_limit_is_too_long():
    node = valid_node("Menu")
    node["prompt"] = "x" * (ivr.MAX_TEXT + 1)
    assert root_errors(node) == {"prompt": [f"is too long (at most {ivr.MAX_TEXT} characters)"]}


@pytest.mark.parametrize("name", ["confirm_response_enabled", "error_prompt_disabled"])
@pytest.mark.parametrize("value", ["true", 1, 0, []])
def test_flags_must_be_true_or_false(name, value):
    node = valid_node("NumberQuestion")
    node[name] = value
    assert root_errors(node) == {name: ["must be true or false"]}


# Enums.


@pytest.mark.parametrize("value", ivr.NUMBER_QUESTION_TYPES)
def test_every_number_question_type_is_accepted(value):
    node = valid_node("NumberQuestion")
    node["number_question_type"] = value
    assert root_errors(node) is None


@pytest.mark.parametrize("value", ["Phone", "zipcode", 3, "Email"])
def test_other_number_question_types_are_not_in_the_list(value):
    node = valid_node("NumberQuestion")
    node["number_question_type"] = value
    assert root_errors(node) == {
        "number_question_type": [
            "is not included in the list (Digits, Number, PhoneNumber, Date, Currency, Time, "
            "ZipCode)"
        ]
    }


@pytest.mark.parametrize("value", [1, 1800, 86400, 604800, 2592000, None])
def test_every_sms_promo_delay_is_accepted(value):
    node = valid_node("SmsPromo")
    node["sms_promo_delay"] = value
    assert root_errors(node) is None


@pytest.mark.parametrize("value", [0, 60, 3600, "1800", 1800.5, True])
def test_other_sms_promo_delays_are_not_in_the_list(value):
    node = valid_node("SmsPromo")
    node["sms_promo_delay"] = value
    assert root_errors(node) == {
        "sms_promo_delay": ["is not included in the list (1, 1800, 86400, 604800, 2592000)"]
    }


def test_sms_promo_sender_must_be_an_email_address():
    node = valid_node("SmsPromo")
    node["sms_promo_sender"] = "not an email"
    assert root_errors(node) == {"sms_promo_sender": ["must be an email address"]}


@pytest.mark.parametrize("value", ["wrong", "Timeout", 1, "W"])
def test_other_keypress_failover_types_are_not_in_the_list(value):
    menu = in_menu(end_call())
    menu["children"].append(end_call(keypress_failover_type=value))
    assert child_errors(menu, 1) == {
        "keypress_failover_type": ["is not included in the list (Wrong, None)"]
    }


def test_unknown_node_types_are_not_in_the_list():
    assert root_errors({"node_type": "RingGroup"}) == {
        "node_type": [
            "is not included in the list (Menu, Connect, EndCall, SmsPromo, Condition, "
            "NearestBranch, VerifyLocation, DynamicRoute, AnyKeyPress, NumberQuestion, YesOrNo)"
        ]
    }


@pytest.mark.parametrize("value", [["Menu"], {"Menu": 1}, 3, True, "menu", "__proto__"])
def test_a_node_type_of_any_other_json_value_is_not_in_the_list(value):
    found = validate_tree(tree({"node_type": value, "children": [{"node_type": value}]}))
    message = [
        "is not included in the list (Menu, Connect, EndCall, SmsPromo, Condition, "
        "NearestBranch, VerifyLocation, DynamicRoute, AnyKeyPress, NumberQuestion, YesOrNo)"
    ]
    assert found == {
        "ivr_tree": {"node_type": message, "children": [{"0": {"node_type": message}}]}
    }
    assert ivr.call_flow(tree({"node_type": value})) == [(0, "Unknown node")]
    assert ivr.error_lines(found)[0].startswith("Root: Node type is not included in the list")


@pytest.mark.parametrize("node", [{}, {"node_type": ""}, {"node_type": None}])
def test_a_node_without_a_type_says_so(node):
    assert root_errors(node) == {"node_type": ["cannot be empty"]}


def test_a_node_of_unknown_type_still_has_its_children_checked():
    found = root_errors({"node_type": "Nope", "children": [{"node_type": "Menu"}]})
    assert found["children"] == [
        {
            "0": {
                "prompt": ["cannot be empty"],
                "children": [
                    "must have between 1 and 9 children besides failover children (has 0)"
                ],
            }
        }
    ]


# Phone numbers and country codes.


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("+1", 'must be 1 to 3 digits, e.g. "1"'),
        ("1-1", 'must be 1 to 3 digits, e.g. "1"'),
        ("1234", 'must be 1 to 3 digits, e.g. "1"'),
        (1, 'must be 1 to 3 digits, e.g. "1"'),
        ("999", "is not a country calling code"),
    ],
)
def test_country_codes_are_1_to_3_digits_of_a_real_code(code, message):
    assert root_errors(connect(destination_country_code=code)) == {
        "destination_country_code": [message]
    }


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("(800) 437-7950", 'must be digits only, e.g. "8004377950"'),
        ("+18004377950", 'must be digits only, e.g. "8004377950"'),
        (8004377950, 'must be digits only, e.g. "8004377950"'),
        ("1234567890123456", "is too long (at most 15 digits)"),
        ("123", "is not a valid phone number for country code 1"),
        ("0004377950", "is not a valid phone number for country code 1"),
    ],
)
def test_destination_numbers_are_digits_dialable_with_their_country_code(number, message):
    assert root_errors(connect(destination_phone_number=number)) == {
        "destination_phone_number": [message]
    }


def test_a_number_is_checked_against_its_own_country_code():
    assert (
        root_errors(connect(destination_country_code="44", destination_phone_number="2079460018"))
        is None
    )
    assert root_errors(connect(destination_country_code="33")) == {
        "destination_phone_number": ["is not a valid phone number for country code 33"]
    }


# Child counts.

EXACT = [
    ("SmsPromo", 1),
    ("NearestBranch", 1),
    ("VerifyLocation", 1),
    ("DynamicRoute", 1),
    ("NumberQuestion", 1),
    ("Condition", 2),
    ("AnyKeyPress", 2),
    ("YesOrNo", 2),
]


@pytest.mark.parametrize(("node_type", "count"), EXACT)
@pytest.mark.parametrize("delta", [-1, 1])
def test_nodes_with_a_fixed_child_count_need_exactly_that_many(node_type, count, delta):
    node = valid_node(node_type, children=[end_call() for _ in range(count + delta)])
    wanted = "1 child" if count == 1 else f"{count} children"
    besides = " besides failover children" if node_type in ("NumberQuestion", "YesOrNo") else ""
    assert root_errors(node) == {
        "children": [f"must have exactly {wanted}{besides} (has {count + delta})"]
    }


@pytest.mark.parametrize("node_type", ["Connect", "EndCall"])
def test_connect_and_end_call_may_not_have_children(node_type):
    node = valid_node(node_type, children=[end_call()])
    assert root_errors(node) == {
        "children": [f"must be empty ({node_type} nodes may not have children)"]
    }
    assert root_errors(valid_node(node_type, children=[])) is None


@pytest.mark.parametrize("count", [1, 5, 9])
def test_a_menu_has_1_to_9_children(count):
    assert root_errors(valid_node("Menu", children=[end_call() for _ in range(count)])) is None


@pytest.mark.parametrize("count", [0, 10])
def test_a_menu_outside_1_to_9_children_is_refused(count):
    node = valid_node("Menu", children=[end_call() for _ in range(count)])
    assert root_errors(node) == {
        "children": [f"must have between 1 and 9 children besides failover children (has {count})"]
    }


def test_a_menu_without_children_key_has_no_children():
    node = valid_node("Menu")
    del node["children"]
    assert root_errors(node) == {
        "children": ["must have between 1 and 9 children besides failover children (has 0)"]
    }


def test_children_must_be_a_list_of_objects():
    assert root_errors(valid_node("Menu", children={"0": end_call()})) == {
        "children": ["must be a list"]
    }
    assert child_errors(valid_node("Menu", children=["EndCall"])) == {"base": ["must be an object"]}


# Failover children.


@pytest.mark.parametrize("node_type", ["Menu", "NumberQuestion", "YesOrNo"])
def test_failover_children_follow_the_regular_ones_and_do_not_count(node_type):
    node = valid_node(node_type)
    node["children"] += [
        connect(keypress_failover_type="Wrong"),
        end_call(keypress_failover_type="None"),
    ]
    assert root_errors(node) is None


def test_nine_menu_keys_plus_both_failovers_are_valid():
    children = [end_call() for _ in range(9)]
    children += [end_call(keypress_failover_type="Wrong"), end_call(keypress_failover_type="None")]
    assert root_errors(valid_node("Menu", children=children)) is None


def test_a_menu_with_only_failover_children_has_no_keys():
    children = [end_call(keypress_failover_type="Wrong")]
    assert root_errors(valid_node("Menu", children=children)) == {
        "children": ["must have between 1 and 9 children besides failover children (has 0)"]
    }


@pytest.mark.parametrize("failover", ["Wrong", "None"])
def test_each_failover_type_appears_at_most_once(failover):
    node = valid_node("Menu")
    node["children"] += [
        end_call(keypress_failover_type=failover),
        end_call(keypress_failover_type=failover),
    ]
    assert child_errors(node, 1) is None
    assert child_errors(node, 2) == {
        "keypress_failover_type": ["has already been taken by another child"]
    }


def test_failover_children_come_at_the_end_of_the_list():
    node = valid_node("Menu", children=[end_call(keypress_failover_type="Wrong"), end_call()])
    assert child_errors(node, 0) == {
        "keypress_failover_type": ["must come after the regular children, at the end of the list"]
    }


@pytest.mark.parametrize(
    "node_type",
    ["SmsPromo", "Condition", "NearestBranch", "VerifyLocation", "DynamicRoute", "AnyKeyPress"],
)
def test_failover_children_only_under_menu_number_question_and_yes_or_no(node_type):
    node = valid_node(node_type)
    node["children"].append(end_call(keypress_failover_type="Wrong"))
    index = len(node["children"]) - 1
    assert child_errors(node, index) == {
        "keypress_failover_type": [
            "is only allowed on children of Menu, NumberQuestion or YesOrNo nodes"
        ]
    }


def test_the_root_cannot_be_a_failover_child():
    root = valid_node("Menu")
    root["keypress_failover_type"] = "Wrong"
    assert root_errors(root) == {"keypress_failover_type": ["is only allowed on child nodes"]}


@pytest.mark.parametrize("value", [None, ""])
def test_a_null_or_blank_failover_type_is_a_regular_child(value):
    node = valid_node("Menu", children=[end_call(keypress_failover_type=value)])
    assert root_errors(node) is None


# Conditions inside Condition nodes.


def test_a_condition_that_does_not_parse_is_reported_on_the_condition_field():
    node = valid_node("Condition")
    node["condition"] = "mobile and"
    found = root_errors(node)
    assert list(found) == ["condition"]
    assert "line 1, column 11" in found["condition"][0]


@pytest.mark.parametrize(
    "condition",
    [
        "duration >= 1 min 30 sec",
        "during_hours",
        "mobile and pressed[2]",
        "in_region or duration > 12 sec",
        "pressed[a 1] and not (in_region or during_hours)",
        "mobile or in_region and during_hours",
    ],
)
def test_the_reference_conditions_are_accepted_on_condition_nodes(condition):
    node = valid_node("Condition")
    node["condition"] = condition
    assert root_errors(node) is None


# Other parameters.


def test_unknown_parameters_are_refused():
    assert root_errors(connect(destination="8004377950")) == {
        "destination": ["is not a known parameter"]
    }


def test_another_types_parameter_is_refused_unless_blank():
    assert root_errors(connect(condition="", sms_promo_copy=None)) is None
    assert root_errors(connect(number_question_type="Date")) == {
        "number_question_type": ["is not a parameter of Connect nodes"]
    }


def test_recorded_prompt_fields_invoca_returns_are_accepted():
    node = connect(prompt_id_from_network="p-1", prompt_url="https://x.test/p.mp3")
    node["prompt_recieved"] = True
    assert root_errors(node) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([{"phrase": "sales"}, {"phrase": "support"}], None),
        (["sales"], 'must be a list of {"phrase": "..."} objects'),
        ({"phrase": "sales"}, 'must be a list of {"phrase": "..."} objects'),
        ([{"phrase": ""}], "phrases must be non-empty text"),
        ([{"phrase": "a", "weight": 2}], 'must be a list of {"phrase": "..."} objects'),
    ],
)
def test_asr_phrases_are_a_list_of_phrase_objects(value, message):
    found = root_errors(connect(asr_phrases=value))
    assert found == (None if message is None else {"asr_phrases": [message]})


@pytest.mark.parametrize(("value", "ok"), [(10, True), (2.5, True), (0, False), ("5", False)])
def test_nearest_branch_radius_is_a_positive_number_of_miles(value, ok):
    node = valid_node("NearestBranch")
    node["radius_miles"] = value
    found = root_errors(node)
    assert (
        found is None
        if ok
        else found == {"radius_miles": ["must be a number of miles above 0 (at most 1000)"]}
    )


# The tree around the root.


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "cannot be empty"),
        ("", "cannot be empty"),
        ([], "must be an object"),
        ("Menu", "must be an object"),
        (3, "must be an object"),
        (True, "must be an object"),
    ],
)
def test_a_value_that_is_not_a_tree_is_a_verdict(value, message):
    assert validate_tree(value) == {"ivr_tree": [message]}


def test_a_tree_without_a_root_says_so():
    assert validate_tree({}) == {"ivr_tree": {"root": ["cannot be empty"]}}
    assert validate_tree({"record_calls": True}) == {"ivr_tree": {"root": ["cannot be empty"]}}
    assert validate_tree({"root": []}) == {"ivr_tree": {"root": ["must be an object"]}}


def test_unknown_keys_around_the_root_are_refused():
    assert validate_tree({"root": valid_node("Connect"), "recordcalls": True}) == {
        "ivr_tree": {"recordcalls": ["is not a known parameter"]}
    }


def test_record_calls_is_true_or_false():
    assert validate_tree({"root": valid_node("Connect"), "record_calls": "yes"}) == {
        "ivr_tree": {"record_calls": ["must be true or false"]}
    }


@pytest.mark.parametrize(
    ("caller_id", "errors"),
    [
        ({"setting": "original"}, None),
        ({"setting": "promo"}, None),
        ({"setting": "specific", "mask": "800-555-5555"}, None),
        ({"setting": "partial", "mask": "800-555-XXXX"}, None),
        ({"setting": "specific"}, {"mask": ["cannot be empty"]}),
        ({"setting": "partial", "mask": ""}, {"mask": ["cannot be empty"]}),
        (
            {"setting": "specific", "mask": "800-555-XXXX"},
            {"mask": ['must be a phone number, e.g. "800-555-5555"']},
        ),
        (
            {"setting": "partial", "mask": "800-555-5555"},
            {"mask": ['must be digits with X for hidden ones, e.g. "800-555-XXXX"']},
        ),
        (
            {"setting": "original", "mask": "800"},
            {"mask": ["must be blank for the original setting"]},
        ),
        (
            {"setting": "hidden"},
            {"setting": ["is not included in the list (original, promo, specific, partial)"]},
        ),
        ({}, {"setting": ["cannot be empty"]}),
        ("original", {"base": ["must be an object"]}),
        ({"setting": "promo", "color": "red"}, {"color": ["is not a known parameter"]}),
    ],
)
def test_caller_id_settings_and_masks(caller_id, errors):
    assert ivr.validate_caller_id(caller_id) == errors
    found = validate_tree({"root": valid_node("Connect"), "caller_id": caller_id})
    assert found == (None if errors is None else {"ivr_tree": {"caller_id": errors}})


# Bounds: hostile trees get a verdict, not an exception.


def test_a_tree_deeper_than_the_limit_is_refused_at_the_limit():
    root = node = {"node_type": "VerifyLocation"}
    for _ in range(5000):
        child = {"node_type": "VerifyLocation"}
        node["children"] = [child]
        node = child
    found = validate_tree(root)["ivr_tree"]
    depth = 1
    while "children" in found and isinstance(found["children"][0], dict):
        found = found["children"][0]["0"]
        depth += 1
    assert depth == ivr.MAX_DEPTH
    assert found == {"children": [f"are nested too deeply (at most {ivr.MAX_DEPTH} levels)"]}


def test_a_tree_with_too_many_nodes_is_refused():
    leaves = [end_call() for _ in range(9)]
    level2 = [valid_node("Menu", children=copy.deepcopy(leaves)) for _ in range(9)]
    level1 = [valid_node("Menu", children=copy.deepcopy(level2)) for _ in range(9)]
    found = validate_tree(valid_node("Menu", children=level1))
    assert found == {"ivr_tree": {"base": [f"has too many nodes (at most {ivr.MAX_NODES})"]}}


def test_a_shared_child_object_is_checked_wherever_it_appears():
    shared = connect(destination_phone_number="")
    found = validate_tree(valid_node("Menu", children=[shared, shared]))
    assert found["ivr_tree"]["children"] == [
        {"0": {"destination_phone_number": ["cannot be empty"]}},
        {"1": {"destination_phone_number": ["cannot be empty"]}},
    ]


# Reading errors and trees back.


def test_error_lines_name_the_node_by_the_key_that_leads_to_it():
    root = valid_node("Menu", children=[end_call(), connect(destination_phone_number="")])
    root["children"].append(end_call(keypress_failover_type="Wrong", prompt=5))
    found = validate_tree(tree(root))
    assert ivr.error_lines(found, tree(root)) == [
        "Menu > Key 2 (Connect): Destination phone number cannot be empty.",
        "Menu > Wrong key (EndCall): Prompt must be text.",
    ]


def test_error_lines_read_invoca_403_bodies_and_form_error_dicts():
    lines = ivr.error_lines(REFERENCE_403_RESPONSE, REFERENCE_403_REQUEST)
    assert lines == ["Menu > Key 1 (Menu): Prompt cannot be empty."]
    assert ivr.error_lines({"name": ["can't be blank"], **REFERENCE_403_RESPONSE["error"]}) == [
        "Root > Child 0: Prompt cannot be empty."
    ]
    assert ivr.error_lines({"name": ["can't be blank"]}) == []
    assert ivr.error_lines({"ivr_tree": ["must be an object"]}) == ["IVR tree must be an object."]


def test_call_flow_outlines_what_the_caller_hears_and_where_keys_lead():
    assert ivr.call_flow(REFERENCE_FAILOVER_TREE) == [
        (0, 'Menu: "Press 1 for sales, press 2 for support."'),
        (1, 'Key 1 → Connect to (800) 437-7950: "Directing you to sales"'),
        (1, 'Key 2 → Connect to (800) 437-7951: "Directing you to support"'),
        (1, 'Wrong key → Connect to (800) 437-7952: "Forwarding you to an operator."'),
        (1, 'No key → End the call: "No key was selected, goodbye."'),
    ]
    assert ivr.call_flow(REFERENCE_CONDITION_TREE) == [
        (0, "Check: during_hours"),
        (1, "If true → Connect to (800) 437-7950"),
        (1, "Otherwise → Connect to (800) 437-7950"),
    ]
    assert ivr.call_flow("nothing") == []


@pytest.mark.parametrize(
    ("code", "number", "region", "shown"),
    [
        ("1", "8004377950", "US", "(800) 437-7950"),
        ("1", "8004377950", "GB", "+1 800-437-7950"),
        ("44", "2079460018", "GB", "020 7946 0018"),
        ("1", "12", "US", "+1 12"),
        ("1", "", "US", "+1 ?"),
    ],
)
def test_a_destination_reads_as_phone_numbers_do_on_every_page(code, number, region, shown):
    node = {
        "node_type": "Connect",
        "destination_country_code": code,
        "destination_phone_number": number,
        "destination_extension": "12",
    }
    assert ivr.destination_text(node, region) == shown
    assert ivr.call_flow({"root": node}, region) == [(0, f"Connect to {shown} ext. 12")]
    known = {} if "?" in shown or shown == f"+{code} {number}" else {f"+{code}{number}": shown}
    assert ivr.destinations({"root": {"node_type": "Menu", "children": [node]}}, region) == known


def test_the_editor_schema_lists_every_node_type_with_its_rules():
    schema = ivr.editor_schema()
    assert list(schema["types"]) == list(ivr.NODE_TYPES)
    assert schema["types"]["Menu"]["max_children"] == 9
    assert schema["types"]["Connect"]["required"] == [
        "destination_phone_number",
        "destination_country_code",
    ]
    for rule in schema["types"].values():
        assert set(rule["required"] + rule["optional"]) <= set(schema["fields"])
