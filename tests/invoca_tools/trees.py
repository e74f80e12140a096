"""IVR trees from the Invoca reference [004], and small builders of valid nodes."""

import copy

# The request body of the reference's 403 example, and the error body Invoca answered.
REFERENCE_403_REQUEST = {
    "node_type": "Menu",
    "prompt": "Prompt text",
    "prompt_id_from_network": "",
    "prompt_url": None,
    "prompt_recieved": None,
    "children": [
        {
            "node_type": "Menu",
            "prompt": "",
            "prompt_id_from_network": "",
            "prompt_url": None,
            "prompt_recieved": None,
            "children": [
                {
                    "node_type": "EndCall",
                    "prompt": "",
                    "prompt_id_from_network": "",
                    "prompt_url": None,
                    "prompt_recieved": None,
                }
            ],
        }
    ],
}
REFERENCE_403_RESPONSE = {
    "error": {"ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}}
}

# The reference's "Example IVR Tree utilizing keypress_failover_type".
REFERENCE_FAILOVER_TREE = {
    "root": {
        "node_type": "Menu",
        "prompt": "Press 1 for sales, press 2 for support.",
        "children": [
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377950",
                "destination_country_code": "1",
                "prompt": "Directing you to sales",
            },
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377951",
                "destination_country_code": "1",
                "prompt": "Directing you to support",
            },
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377952",
                "destination_country_code": "1",
                "prompt": "Forwarding you to an operator.",
                "keypress_failover_type": "Wrong",
            },
            {
                "node_type": "EndCall",
                "prompt": "No key was selected, goodbye.",
                "keypress_failover_type": "None",
            },
        ],
    }
}

# The reference's create example: a Condition node on during_hours.
REFERENCE_CONDITION_TREE = {
    "record_calls": True,
    "root": {
        "node_type": "Condition",
        "condition": "during_hours",
        "children": [
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377950",
                "destination_country_code": "1",
                "prompt": "",
            },
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377950",
                "destination_country_code": "1",
                "prompt": "",
            },
        ],
    },
}

# The reference's curl example: a Connect root with empty children and a blank condition.
REFERENCE_CONNECT_TREE = {
    "root": {
        "children": [],
        "condition": "",
        "node_type": "Connect",
        "destination_phone_number": "8052844300",
        "destination_country_code": "1",
    },
    "record_calls": True,
}


def end_call(**extra):
    return {"node_type": "EndCall", "prompt": "Goodbye.", **extra}


def connect(**extra):
    return {
        "node_type": "Connect",
        "destination_phone_number": "8004377950",
        "destination_country_code": "1",
        **extra,
    }


# One valid node of every type, with the number of regular children it needs.
VALID_NODES = {
    "Menu": ({"node_type": "Menu", "prompt": "Press 1 for sales."}, 1),
    "Connect": (connect(prompt="Connecting you."), 0),
    "EndCall": (end_call(), 0),
    "SmsPromo": (
        {
            "node_type": "SmsPromo",
            "prompt": "Press 9 for a coupon by text.",
            "sms_promo_copy": "10% off: CODE10",
            "sms_promo_delay": 1800,
            "sms_promo_sender": "offers@example.com",
        },
        1,
    ),
    "Condition": ({"node_type": "Condition", "condition": "mobile and pressed[2]"}, 2),
    "NearestBranch": ({"node_type": "NearestBranch", "radius_miles": 25}, 1),
    "VerifyLocation": ({"node_type": "VerifyLocation", "prompt": "Is that right?"}, 1),
    "DynamicRoute": ({"node_type": "DynamicRoute", "dynamic_route_destination": "agent"}, 1),
    "AnyKeyPress": ({"node_type": "AnyKeyPress", "prompt": "Press any key."}, 2),
    "NumberQuestion": (
        {
            "node_type": "NumberQuestion",
            "prompt": "Enter your zip code.",
            "number_question_type": "ZipCode",
            "caller_response_custom_data_partner_name": "zip",
            "confirm_response_enabled": True,
            "error_prompt_disabled": False,
            "custom_error_prompt_text": "That was not a zip code.",
        },
        1,
    ),
    "YesOrNo": ({"node_type": "YesOrNo", "prompt": "Are you a customer?"}, 2),
}


def valid_node(node_type, children=None):
    """A valid node of `node_type` with the right number of EndCall children (or `children`)."""
    node, count = VALID_NODES[node_type]
    node = copy.deepcopy(node)
    if count:
        node["children"] = children if children is not None else [end_call() for _ in range(count)]
    elif children is not None:
        node["children"] = children
    return node


def tree(root):
    return {"root": root}
