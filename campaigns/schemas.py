"""The JSON bodies campaigns take: the type of every field; `campaigns.forms` checks the values.

Null is accepted where the API itself answers null (`owner`, `deal_value`, a representative's
`custom_number`) and, for leads, wherever a sending system may leave a value empty.
"""

from pydantic import Field

from campaignhub.schemas import Flag, Integer, JsonBody, Money, OpenJsonBody, Text, TextOrInteger


class ReplyTo(JsonBody):
    email: Text = None
    name: Text = None


class Attachment(JsonBody):
    name: Text = None
    url: Text = None


class EmailDetails(JsonBody):
    subject: Text = None
    message: Text = None
    from_address: Text = Field(None, alias="from")
    reply_to: ReplyTo = None
    attachments: list[Attachment] = None


class SmsDetails(JsonBody):
    message: Text = None
    from_number: Text = Field(None, alias="from")


class Representative(JsonBody):
    """A representative: `id` is the user's id. `name` is what reads add (the person's name,
    read-only): taken and ignored, so a campaign read can be sent back as it is."""

    id: Integer = None
    custom_number: Text | None = None
    name: Text | None = None


class CampaignData(JsonBody):
    """The fields of `campaigndata`, as `campaigns.forms.CampaignForm` names them."""

    campaign_name: Text = None
    integration: Text = None
    owner: Integer | None = None
    page_id: Text = None
    page_url: Text = None
    tracking_number: Text = None
    selected_user: list[Representative] = None
    notification_type: Text = None
    email_details: EmailDetails = None
    sms_details: SmsDetails = None
    add_to_crm: Flag = None
    add_person_or_business: Text = None
    create_deal: Flag = None
    pipeline_id: Text = None
    stage_id: Text = None
    deal_value: Money | None = None
    currency: Text = None
    status: Flag = None
    is_deleted: Flag = None
    # The lead source's link (campaigns.sources.SourceLink): for `invoca` campaigns, the id of
    # the Invoca advertiser campaign whose calls become the campaign's leads.
    invoca_campaign_id: TextOrInteger | None = None


class CampaignBody(JsonBody):
    """`POST /v1/campaigns` and `PUT /v1/campaigns/<id>`: `{"campaigndata": {…}}`."""

    envelope = "campaigndata"
    campaigndata: CampaignData


class WebhookLeadBody(OpenJsonBody):
    """A lead posted to `/webhooks/leads/<token>/`; other fields are kept in the lead's payload.

    `external_id` may be a number, as many systems number their records.
    """

    external_id: TextOrInteger | None = None
    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    message: Text | None = None


class PublicLeadBody(OpenJsonBody):
    """A JSON submission of the public lead form (`/f/<form_secret_id>/`)."""

    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    message: Text | None = None
    website: Text | None = None
    submission_id: Text | None = None


class LeadOutcomeBody(JsonBody):
    """`PATCH /v1/leads/<id>`: `{"status"?, "revenue"?, "representative"?}`, what became of
    the lead and who works it; `revenue` is a number in the account's currency, or null to
    clear it; `representative` a user id, or null for nobody."""

    status: Text = None
    revenue: Money | None = None
    representative: Integer | None = None
