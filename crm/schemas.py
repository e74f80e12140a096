"""The JSON bodies of the CRM API: the type of every field; `crm.forms` checks the values."""

from campaignhub.schemas import JsonBody, Text


class ContactBody(JsonBody):
    """`PATCH /v1/contacts/<id>`: the fields given change, the rest stay; unknown fields are
    refused. `kind` is `person` or `business`; `phone` as people write it (kept in E.164)."""

    kind: Text = None
    name: Text = None
    company: Text = None
    phone: Text = None
    email: Text = None
    notes: Text = None
