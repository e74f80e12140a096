"""The IVR tree editor in the browser: build Menu → Connect, see the missing number on the
Connect node (live, and from the server after a submit), fix it in place, see the tree valid."""

import json

from playwright.sync_api import expect

from tests.e2e.test_platform import log_in
from tests.factories import make_account
from tests.invoca_tools.trees import REFERENCE_403_REQUEST


def test_build_a_menu_with_a_connect_fix_the_error_in_place(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/ivr/")

    editor = page.locator("[data-ivr-editor]")
    status = editor.locator("[data-ivr-status]")
    editor.get_by_role("button", name="Start a call flow").click()
    menu = editor.locator('section.ivr-node[data-path="root"]')
    expect(menu.get_by_label("Node type")).to_have_value("Menu")
    # A new menu has no prompt and no keys yet: the check says so on the menu itself.
    expect(menu.locator('[data-field-wrap="prompt"]')).to_contain_text("cannot be empty")
    expect(menu.locator("[data-children-errors]").first).to_contain_text(
        "must have between 1 and 9 children"
    )
    menu.get_by_label("Prompt").first.fill("Press 1 for sales.")
    menu.get_by_role("button", name="Add child").last.click()

    connect = editor.locator('section.ivr-node[data-path="root.0"]')
    expect(connect.locator(".ivr-node-label")).to_have_text("Key 1")
    expect(connect.get_by_label("Node type")).to_have_value("Connect")
    expect(connect.get_by_label("Destination country code")).to_have_value("1")
    phone = connect.locator('[data-field-wrap="destination_phone_number"]')
    # The error is on the Connect node and its phone number field, and nowhere else.
    expect(phone).to_have_class("field ivr-field has-error")
    expect(phone.locator("[data-field-error]")).to_have_text("cannot be empty")
    expect(connect).to_have_class("ivr-node has-error")
    expect(menu).to_have_class("ivr-node")
    expect(status).to_have_text("1 problem: see the marked nodes.")
    expect(editor.locator("[data-ivr-error-list]")).to_have_text(
        "Menu > Key 1 (Connect): Destination phone number cannot be empty."
    )
    expect(editor.locator("[data-ivr-preview]")).to_contain_text("Key 1 → Connect to +1 ?")

    # Submitted as it is, the page comes back with the server's errors on the same node.
    page.get_by_role("button", name="Check the tree").click()
    expect(page.locator("#ivr-check-result")).to_contain_text("The tree has errors")
    connect = editor.locator('section.ivr-node[data-path="root.0"]')
    phone = connect.locator('[data-field-wrap="destination_phone_number"]')
    expect(phone).to_have_class("field ivr-field has-error")
    expect(phone.locator("[data-field-error]")).to_have_text("cannot be empty")
    expect(editor.locator('section.ivr-node[data-path="root"]')).to_have_class("ivr-node")

    # Fixed in place: the live check clears the error.
    connect.get_by_label("Destination phone number").fill("8004377950")
    expect(status).to_have_text("The call flow is valid.")
    expect(phone).to_have_class("field ivr-field")
    expect(connect).to_have_class("ivr-node")
    expect(editor.locator("[data-ivr-preview]")).to_contain_text(
        "Key 1 → Connect to (800) 437-7950"
    )

    # A failover slot for a wrong key; the outline says where it leads.
    editor.get_by_role("button", name='Add "wrong key" failover').click()
    failover = editor.locator('section.ivr-node[data-path="root.1"]')
    expect(failover.locator(".ivr-node-label")).to_have_text("Wrong key")
    expect(failover.get_by_label("Node type")).to_have_value("EndCall")
    expect(status).to_have_text("The call flow is valid.")
    expect(editor.locator("[data-ivr-preview]")).to_contain_text("Wrong key → End the call")

    tree = json.loads(page.locator("textarea[name=ivr_tree]").input_value())
    assert tree == {
        "root": {
            "node_type": "Menu",
            "prompt": "Press 1 for sales.",
            "children": [
                {
                    "node_type": "Connect",
                    "destination_phone_number": "8004377950",
                    "destination_country_code": "1",
                },
                {"node_type": "EndCall", "keypress_failover_type": "Wrong"},
            ],
        }
    }
    page.get_by_role("button", name="Check the tree").click()
    expect(page.locator("#ivr-check-result")).to_contain_text("The tree meets Invoca's rules")
    expect(page.locator("#ivr-check-result")).to_contain_text("Wrong key → End the call")


def test_a_pasted_tree_becomes_cards_with_invocas_errors_on_their_nodes(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/ivr/")
    editor = page.locator("[data-ivr-editor]")
    status = editor.locator("[data-ivr-status]")
    editor.locator("summary").click()
    textarea = editor.locator("textarea[name=ivr_tree]")

    textarea.fill('{"root": {"node_type": "Menu",')
    expect(editor.locator(".ivr-problem")).to_contain_text("The JSON below does not parse")

    # The reference's 403 example: Invoca's own error lands on the second-level menu.
    textarea.fill(json.dumps(REFERENCE_403_REQUEST))
    inner = editor.locator('section.ivr-node[data-path="root.0"]')
    expect(inner.locator(":scope > header .ivr-node-label")).to_have_text("Key 1")
    expect(inner).to_have_class("ivr-node has-error")
    own_prompt = inner.locator(':scope > .ivr-fields > [data-field-wrap="prompt"]')
    expect(own_prompt.locator("[data-field-error]")).to_have_text("cannot be empty")
    expect(editor.locator('section.ivr-node[data-path="root"]')).to_have_class("ivr-node")
    expect(editor.locator('section.ivr-node[data-path="root.0.0"]')).to_have_class("ivr-node")
    expect(status).to_have_text("1 problem: see the marked nodes.")

    # Changing the inner menu into an EndCall drops its menu-only fields, keeps its child.
    inner.get_by_label("Node type").first.select_option("EndCall")
    inner = editor.locator('section.ivr-node[data-path="root.0"]')
    expect(inner.locator("[data-children-errors]").first).to_have_text(
        "Children must be empty (EndCall nodes may not have children)"
    )
    inner.locator('section.ivr-node[data-path="root.0.0"]').get_by_role(
        "button", name="Remove"
    ).click()
    expect(status).to_have_text("The call flow is valid.")
    tree = json.loads(textarea.input_value())
    assert tree["children"] == [
        {
            "node_type": "EndCall",
            "prompt": "",
            "prompt_id_from_network": "",
            "prompt_url": None,
            "prompt_recieved": None,
            "children": [],
        }
    ]
