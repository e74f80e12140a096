"""Pages for campaigns and leads: list, create/edit, detail, status, delete; leads list/detail."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaignhub import live
from campaignhub.cleaning import id_or_none
from campaignhub.concurrency import version
from campaignhub.once import creates_once
from campaignhub.pages import gone, notify, page_or_partial
from campaignhub.paging import BY_CREATED, deep_page_of, page_of
from campaignhub.tenancy import account_required, get_for_account_or_404
from campaigns import (
    assignment,
    checks,
    events,
    outcomes,
    permissions,
    pickers,
    selectors,
    services,
    sources,
)
from campaigns.forms import (
    PAGE_FIELDS,
    SOURCE_FIELDS,
    CampaignFilterForm,
    CampaignForm,
    CampaignPageVersionForm,
    CampaignStatusForm,
    LeadAssignForm,
    LeadFilterForm,
    LeadOutcomeForm,
    NotificationRuleForm,
    deal_target_choices,
    hidden_fields,
    page_data_for_source,
    page_errors,
)
from campaigns.models import (
    Campaign,
    Integration,
    Lead,
    LeadStatus,
    NotificationType,
    PersonOrBusiness,
)
from campaigns.serializers import (
    campaign_data,
    form_send_url,
    form_url,
    webhook_url,
    writable_data,
)
from notifications import selectors as notification_selectors
from notifications.models import Status


@account_required
def campaign_list(request):
    form = CampaignFilterForm(request.GET)
    filters = (
        form.cleaned_data if form.is_valid() else {"search": "", "integration": "", "status": None}
    )
    tallies = selectors.tally_rows(request.membership)
    known = (
        None
        if filters["search"]
        else selectors.matching_count(
            tallies, integration=filters["integration"], status=filters["status"]
        )
    )
    rows = selectors.campaign_list(request.membership, **filters)
    if form.errors:
        # As on the leads page: nothing is listed for filters that cannot be used.
        rows, known = rows.none(), 0
    page_obj = deep_page_of(request, rows, count=known, keyset=BY_CREATED)
    filtered = any(value not in ("", None) for value in filters.values())
    context = {
        "form": form,
        "counts": selectors.filter_counts(tallies),
        "page_obj": page_obj,
        "filtered": filtered,
        "live_rows": page_obj.number == 1 and not filtered and not form.errors,
    }
    return page_or_partial(
        request,
        "campaigns/campaign_list.html",
        context,
        partial="campaign-table",
        status=400 if form.errors else 200,
    )


def _visible(request, campaign_id):
    try:
        return selectors.campaign_detail(request.membership, campaign_id)
    except Campaign.DoesNotExist:
        raise Http404("Campaign not found") from None


def _setup_warnings(request, values, members, campaign):
    """The setup checks' warnings for the form's values, as they would be saved."""
    setup = checks.setup_from_data(
        request.account, values, users={user.pk: user for user in members}, current=campaign
    )
    return checks.setup_warnings(setup)


# Errors of the campaign page that belong to a part of it rather than to one input.
_GROUP_LABELS = {"email_details": "Email", "sms_details": "SMS"}


def _error_summary(errors, links):
    """The campaign page's errors ({input name: [messages]}, `page_errors`) as the items of the
    summary above the form (`error_summary`: {"id", "label", "message"}), in the page's order,
    each linked to its input (`id_<name>`, as the page draws them); an error of the whole form or
    of a part (email, SMS) names no input."""
    labels = {name: label for name, label, _ in PAGE_FIELDS}
    labels.update({link["key"]: link["label"] for link in links})
    order = [*labels, *_GROUP_LABELS]
    items = []

    def place(name):
        if name.startswith("custom_number_"):
            name = "selected_user"
        return order.index(name) if name in order else -1

    for name in sorted(errors, key=place):
        if name.startswith("custom_number_"):
            anchor, label = f"id_{name}", "Custom SMS number"
        elif name in labels:
            anchor, label = f"id_{name}", labels[name]
        else:
            anchor, label = "", _GROUP_LABELS.get(name, "")
        items.extend({"id": anchor, "label": label, "message": m} for m in errors[name])
    return items


def _form_context(request, values, errors=None, campaign=None, version=None):
    """The campaign page's context. `version` (edit page): {"seen": the campaign's version the
    page is drawn from, "drawn": JSON of the fields as drawn, "stale": the refusal's message
    when someone else changed the campaign meanwhile} (`CampaignPageVersionForm`)."""
    chosen = {
        id_or_none(rep["id"]): rep.get("custom_number") or ""
        for rep in values.get("selected_user", [])
        if id_or_none(rep.get("id")) is not None
    }
    members = list(selectors.members_for_picker(request.account))
    # The chosen representatives first, in their round-robin order, so that the page posts them
    # back in that order; then everyone else.
    order = {user_id: position for position, user_id in enumerate(chosen)}
    ordered = sorted(members, key=lambda user: order.get(user.pk, len(order)))
    errors = errors or {}
    people = [
        {
            "user": user,
            "checked": user.pk in chosen,
            "custom_number": chosen.get(user.pk, ""),
            "errors": errors.get(f"custom_number_{user.pk}", []),
            "input_id": f"id_custom_number_{user.pk}",
        }
        for user in ordered
    ]
    links = sources.form_links(request.account, values, errors, campaign, viewer=request.membership)
    return {
        "values": values,
        "errors": errors,
        "error_summary": _error_summary(errors, links),
        "campaign": campaign,
        "people": people,
        # Only those who may hand a campaign to another owner get the owner picker.
        "owners": members if permissions.may_choose_owner(request.membership, campaign) else [],
        # An owner who left the account stays selected (and named so) until another is chosen.
        "former_owner": _former_owner(campaign, members),
        "integrations": sources.available_choices(keep=campaign.integration if campaign else ""),
        "setup_warnings": _setup_warnings(request, values, members, campaign),
        "notification_types": NotificationType.choices,
        "person_or_business": PersonOrBusiness.choices,
        "currencies": [code for code, _ in CampaignForm.base_fields["currency"].choices],
        "pickers": pickers.for_integrations(),
        # {field: "callrail,form,…"}: the lead sources a field is shown for (data-show-when).
        "source_fields": {name: ",".join(users) for name, users in SOURCE_FIELDS.items()},
        "source_names": {
            name: _listed(dict(Integration.choices)[value] for value in users)
            for name, users in SOURCE_FIELDS.items()
        },
        "links": links,
        "deal_targets": deal_target_choices(request.account, values.get("pipeline_id")),
        "version": version or {},
    }


def _listed(names) -> str:
    """ "A, B and C" of `names`."""
    names = list(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _people(request):
    """{user id: name} of the account's members, naming representatives."""
    return {
        user.pk: user.get_full_name() or user.email
        for user in selectors.members_for_picker(request.account)
    }


def _drawn_version(request, campaign):
    """What an edit page drawn from `campaign` as it stands carries to detect a later change."""
    fields = CampaignPageVersionForm.page_fields(writable_data(campaign), _people(request))
    return {"seen": version(campaign), "drawn": json.dumps(fields)}


def _posted_version(request):
    return {"seen": request.POST.get("seen", ""), "drawn": request.POST.get("drawn", "")}


def _version_check(request, campaign, values):
    """The page's save checked against `campaign` (read under its lock): a bound, validated
    `CampaignPageVersionForm` (`stale` when refused)."""
    people = _people(request)
    try:
        drawn = json.loads(request.POST.get("drawn") or "{}")
    except ValueError:
        drawn = {}
    fields = CampaignPageVersionForm.page_fields(values, people)
    data = {**fields, "seen": request.POST.get("seen", "")}
    if isinstance(drawn, dict):
        # The values the page was drawn with, as Django's hidden initial values.
        data.update({f"initial-{name}": str(drawn[name]) for name in fields if name in drawn})
    form = CampaignPageVersionForm(
        data=data, campaign=campaign, current=writable_data(campaign), people=people
    )
    form.is_valid()
    return form


def _former_owner(campaign, members):
    """The edited campaign's owner when they are no longer a member of its account, else None."""
    if campaign is None or campaign.owner_id is None:
        return None
    if any(user.pk == campaign.owner_id for user in members):
        return None
    return campaign.owner


def _save(request, campaign=None):
    """Validate the page's form through CampaignForm and save it; return (campaign or None,
    context, status). Editing, the campaign is locked while the page's save is checked against
    changes made since it was drawn (409, see `CampaignPageVersionForm`) and applied."""
    if campaign is None:
        return _save_checked(request, None)
    with transaction.atomic():
        locked = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("account", "owner")
            .get(pk=campaign.pk)
        )
        return _save_checked(request, locked)


def _save_checked(request, campaign):
    values = CampaignForm.data_from_post(request.POST)
    posted = _posted_version(request) if campaign is not None else None
    if campaign is not None:
        check = _version_check(request, campaign, values)
        if check.stale:
            merged = check.merged(values)
            again = {**_drawn_version(request, campaign), "stale": check.non_field_errors()[0]}
            return None, _form_context(request, merged, None, campaign, again), 409
    form = CampaignForm(
        data=page_data_for_source(values),
        account=request.account,
        campaign=campaign,
        viewer=request.membership,
    )
    if not form.is_valid():
        return None, _form_context(request, values, form.page_errors(), campaign, posted), 400
    try:
        if campaign is None:
            saved = services.create_campaign(
                account=request.account,
                owner=request.user,
                data=form.cleaned_data,
                actor=request.membership,
            )
        else:
            changes = dict(form.cleaned_data)
            # What the page hides (for the lead source, or while no deal is created) is kept
            # as stored, never emptied.
            for name in hidden_fields(changes):
                changes.pop(name)
            # The page always posts the Active box; only a change of it is a switch-off that
            # alerts the owner.
            if changes["status"] == campaign.status:
                changes.pop("status")
            saved = services.update_campaign(
                campaign=campaign, changes=changes, actor=request.membership, locked=True
            )
    except services.DuplicateTrackingNumber as exc:
        errors = {"tracking_number": [str(exc)]}
        return None, _form_context(request, values, errors, campaign, posted), 400
    except sources.LinkRefused as exc:
        # Another save took the linked record after the form was checked; nothing was saved.
        return None, _form_context(request, values, exc.message_dict, campaign, posted), 400
    return saved, None, 200


@account_required
@creates_once
def campaign_create(request):
    if request.method == "POST":
        campaign, context, status = _save(request)
        if campaign is not None:
            messages.success(request, f"Campaign “{campaign.campaign_name}” created.")
            return redirect("campaign_detail", campaign_id=campaign.pk)
        return render(request, "campaigns/campaign_form.html", context, status=status)
    requested = request.GET.get("integration", "")
    defaults = {
        "integration": requested if sources.is_available(requested) else Integration.FORM,
        "notification_type": NotificationType.SEND_EMAIL_SMS,
        "add_to_crm": True,
        "status": True,
        "currency": request.account.currency,
        "selected_user": [{"id": request.user.pk}],
        "owner": request.user.pk,
        "email_details": {},
        "sms_details": {},
    }
    # A lead source's link may be proposed too (an Invoca advertiser campaign's page links
    # here with it); it is only preselected, and checked when the form is saved.
    link = sources.link_for(defaults["integration"])
    if link is not None and request.GET.get(link.key):
        defaults[link.key] = request.GET[link.key][:64]
    return render(request, "campaigns/campaign_form.html", _form_context(request, defaults))


# What the campaign page lets one type (rather than choose): kept on the page saying the
# campaign was deleted, so a long email message is not lost.
TYPED_FIELDS = (
    "campaign_name",
    "page_url",
    "page_id",
    "tracking_number",
    "email_subject",
    "email_message",
    "email_from",
    "reply_to_email",
    "reply_to_name",
    "attachments",
    "sms_message",
    "sms_from",
    "deal_value",
)
CAMPAIGN_DELETED = "This campaign was deleted."
CAMPAIGN_DELETED_UNSAVED = "This campaign was deleted: your changes were not saved."


def _deleted_campaign(request, campaign_id):
    """The answer for the page of a campaign deleted meanwhile (in another tab, by someone
    else) that one could see: 410 saying so, with what the form posted had typed in it
    (`TYPED_FIELDS`, by label) and a link to the campaign list. Raises Http404 for any other
    id (never one's own, another account's)."""
    deleted = selectors.campaigns_visible_to(request.membership, include_deleted=True).filter(
        pk=campaign_id, is_deleted=True
    )
    if not deleted.exists():
        raise Http404("Campaign not found")
    labels = {name: label for name, label, _ in PAGE_FIELDS}
    posted = request.method == "POST"
    return gone(
        request,
        message=CAMPAIGN_DELETED_UNSAVED if posted else CAMPAIGN_DELETED,
        typed=[(labels[name], request.POST.get(name, "")) for name in TYPED_FIELDS]
        if posted
        else (),
        back_url=reverse("campaign_list"),
        back_label="Campaigns",
        status=410,
    )


@account_required
def campaign_edit(request, campaign_id):
    try:
        campaign = selectors.campaign_detail(request.membership, campaign_id)
    except Campaign.DoesNotExist:
        return _deleted_campaign(request, campaign_id)
    permissions.require(request.membership, campaign, permissions.Action.EDIT)
    if request.method == "POST":
        saved, context, status = _save(request, campaign)
        if saved is not None:
            messages.success(request, "Campaign saved.")
            return redirect("campaign_detail", campaign_id=saved.pk)
        return render(request, "campaigns/campaign_form.html", context, status=status)
    version = _drawn_version(request, campaign)
    values = campaign_data(campaign)
    if campaign.deal_value is not None:
        # As the page writes money: with its cents ("4500.00", not the API's 4500.0).
        values["deal_value"] = f"{campaign.deal_value:.2f}"
    context = _form_context(request, values, campaign=campaign, version=version)
    return render(request, "campaigns/campaign_form.html", context)


@account_required
def campaign_detail(request, campaign_id):
    campaign = _visible(request, campaign_id)
    return render(request, "campaigns/campaign_detail.html", _detail_context(request, campaign))


def _detail_context(request, campaign):
    leads = selectors.lead_list(request.membership, campaign=campaign.pk)
    page_obj = page_of(request, leads)
    return {
        "campaign": campaign,
        "page_obj": page_obj,
        "form_url": form_url(campaign),
        "form_send_url": form_send_url(campaign),
        "lead_form_max_fields": settings.LEAD_FORM_MAX_FIELDS,
        "webhook_url": webhook_url(campaign),
        "live_leads": page_obj.number == 1,
        "setup_warnings": checks.campaign_warnings(campaign),
        "can": permissions.can(request.membership, campaign),
        **selectors.held_notice(campaign),
        "feeders": sources.feeders_of(campaign, request.membership),
        "feed_hint": sources.feed_hint(campaign),
    }


@require_POST
@account_required
def campaign_checks(request):
    """The campaign form's setup warnings for the form as it currently stands (not saved)."""
    campaign_id = id_or_none(request.GET.get("campaign"))
    campaign = _visible(request, campaign_id) if campaign_id is not None else None
    values = CampaignForm.data_from_post(request.POST)
    members = selectors.members_for_picker(request.account)
    context = {
        "campaign": campaign,
        "setup_warnings": _setup_warnings(request, values, members, campaign),
    }
    return render(request, "campaigns/campaign_form.html#setup-warnings", context)


@account_required
def campaign_attention(request):
    """Every active campaign one can see that cannot work as set up, with what is wrong."""
    page_obj = page_of(request, selectors.campaigns_needing_attention(request.membership))
    rows = [(campaign, checks.failure_titles(campaign)) for campaign in page_obj.object_list]
    return render(
        request, "campaigns/campaign_attention.html", {"page_obj": page_obj, "rows": rows}
    )


@require_POST
@account_required
def campaign_status(request, campaign_id):
    """Pause or activate the campaign: `status` "off" or "on", the state its button asks for.
    Asked for the state it is already in, nothing changes and the page says so; a missing or
    unknown `status` is a 400 that says what to send. htmx gets the status block as it is now."""
    campaign = _visible(request, campaign_id)
    permissions.require(request.membership, campaign, permissions.Action.CHANGE_STATUS)
    form = CampaignStatusForm(request.POST)
    if not form.is_valid():
        problem = form.errors["status"][0]
        if request.htmx:
            response = _status_block(request, campaign, status=400)
            return notify(response, problem, level="error")
        messages.error(request, problem)
        context = _detail_context(request, campaign)
        return render(request, "campaigns/campaign_detail.html", context, status=400)
    campaign, changed = services.set_campaign_status(
        campaign=campaign, active=form.cleaned_data["status"], actor=request.membership
    )
    state = "active" if campaign.status else "paused"
    if changed:
        message, level = f"Campaign {'activated' if campaign.status else 'paused'}.", "success"
    else:
        message, level = f"This campaign is already {state}; nothing changed.", "info"
    if request.htmx:
        # Every outcome is said, replacing whatever message the page showed before. The page
        # stays in place, so focus moves from the button pressed to the one that replaced it
        # (static/js/app.js). What the status changed around the block (the held notice, which
        # offers its capture once the campaign is active; what feeds it) comes in the change's
        # live frame (`events.campaign_page_changed`), else out of band here: a live frame
        # replaces the form before this answer lands, and an out-of-band part of the answer
        # would then find no page to go to.
        around = changed and not live.watching(campaign.account_id)
        response = _status_block(request, campaign, around=around)
        return notify(response, message, level=level)
    messages.add_message(request, messages.SUCCESS if changed else messages.INFO, message)
    return redirect("campaign_detail", campaign_id=campaign.pk)


def _status_block(request, campaign, status=200, *, around=False):
    """The campaign page's status block (badge, Pause or Activate); with `around`, followed out
    of band by the parts of the page a status change redraws (`events.STATUS_PARTS`: the held
    notice and the details)."""
    context = {"campaign": campaign, "can": permissions.can(request.membership, campaign)}
    html = render_to_string("campaigns/campaign_detail.html#status", context, request)
    if around:
        context.update(
            selectors.held_notice(campaign),
            feeders=sources.feeders_of(campaign, request.membership),
            oob=True,
        )
        for part in events.STATUS_PARTS:
            html += render_to_string(f"campaigns/campaign_detail.html#{part}", context, request)
    return HttpResponse(html, status=status)


@require_POST
@account_required
def campaign_held_leads(request, campaign_id):
    """Capture what reached the campaign while it was paused: leads posted to its webhook, or
    what its lead source held for it (CallRail calls and texts to its tracking number)."""
    campaign = _visible(request, campaign_id)
    # Counted as the notice counts them (a CallRail call is one, whatever events it sent).
    kinds = selectors.held_kinds(campaign)
    held, noun = sum(count for count, _noun in kinds), selectors.held_noun(campaign, kinds)
    try:
        count = services.capture_held_leads(campaign=campaign, actor=request.membership)
    except services.CampaignPaused as exc:
        messages.error(request, str(exc))
    else:
        if count:
            one = held == 1
            if noun == "lead":
                shown = "it appears" if one else "they appear"
            else:
                shown = "its lead appears" if one else "their leads appear"
            messages.success(
                request,
                f"Capturing {selectors.held_phrase(kinds, adjective='held')}; {shown} below as "
                f"{'it is' if one else 'they are'} captured.",
            )
        else:
            messages.info(request, f"No held {noun}s were left to capture.")
    return redirect("campaign_detail", campaign_id=campaign.pk)


@account_required
def campaign_delete(request, campaign_id):
    campaign = _visible(request, campaign_id)
    if request.method == "POST":
        services.delete_campaign(campaign=campaign, actor=request.membership)
        messages.success(request, f"Campaign “{campaign.campaign_name}” deleted.")
        return redirect("campaign_list")
    permissions.require(request.membership, campaign, permissions.Action.DELETE)
    return render(request, "campaigns/campaign_delete.html", {"campaign": campaign})


def _rule(request):
    """The notification rule as the campaign form currently stands, validated."""
    values = CampaignForm.data_from_post(request.POST)
    form = NotificationRuleForm(data={key: values[key] for key in NotificationRuleForm.base_fields})
    return form, services.rule_campaign(
        request.account, form.cleaned_data if form.is_valid() else {}
    )


@require_POST
@account_required
def campaign_preview(request):
    """The notification rule rendered with a sample lead."""
    form, campaign = _rule(request)
    context = {"rule_errors": page_errors(form, labelled=True)}
    if form.is_valid():
        lead = services.sample_lead(campaign)
        context["preview"] = services.render_lead_alert(
            campaign, services.template_values(campaign, lead, request.user)
        )
    return render(request, "campaigns/campaign_form.html#preview", context)


@require_POST
@account_required
def campaign_test_alert(request):
    """Send the rule, as it stands, to the person editing it."""
    form, campaign = _rule(request)
    if not form.is_valid():
        context = {"rule_errors": page_errors(form, labelled=True)}
        return render(request, "campaigns/campaign_form.html#test-result", context, status=400)
    if too_many := services.too_many_test_alerts(request):
        context = {"rule_errors": {"__all__": [too_many]}}
        return render(request, "campaigns/campaign_form.html#test-result", context, status=429)
    sent = services.send_test_alert(campaign=campaign, user=request.user)
    # As they stand now: sent or failed when the worker was quick (or runs in-process), else
    # still queued; the page never claims more than that.
    deliveries = notification_selectors.as_they_stand(sent)
    context = {
        "test_deliveries": deliveries,
        "test_failed": any(d.status == Status.FAILED for d in deliveries),
    }
    return render(request, "campaigns/campaign_form.html#test-result", context)


@account_required
def lead_list(request):
    """The leads the person may see, filtered by campaign, representative, search and status
    (`LeadFilterForm`). Filters that do not validate (an unknown status, someone else's
    campaign, someone who is not a member) are a 400 that says so and lists nothing, rather
    than every lead. The campaigns offered include deleted ones (marked so), whose leads stay
    listed, and the representatives those removed from the account who still hold one of its
    leads (marked so), as in reports."""
    campaigns = selectors.campaigns_visible_to(request.membership, include_deleted=True).order_by(
        "campaign_name", "id"
    )
    form = LeadFilterForm(request.GET, campaigns=campaigns, account=request.account)
    valid = form.is_valid()
    leads = (
        selectors.lead_list(request.membership, **form.cleaned_data)
        if valid
        else Lead.objects.none()
    )
    page_obj = page_of(request, leads)
    context = {
        "form": form,
        "page_obj": page_obj,
        "campaigns": campaigns,
        "representatives": form.fields["representative"].queryset,
        "nobody": selectors.NOBODY,
        "statuses": LeadStatus.choices,
        "live_rows": valid and page_obj.number == 1 and not any(form.cleaned_data.values()),
    }
    return page_or_partial(
        request,
        "campaigns/lead_list.html",
        context,
        partial="lead-table",
        status=200 if valid else 400,
    )


def _visible_lead(request, lead_id):
    return get_for_account_or_404(
        selectors.with_representative_standing(selectors.leads_visible_to(request.membership)),
        request.account,
        pk=lead_id,
    )


def _lead_page_context(request, lead, form=None):
    editable = permissions.may_set_outcome(request.membership, lead)
    return events.outcome_context(lead, account=request.account, editable=editable, form=form)


def _representative_context(request, lead, errors=()):
    assignable = permissions.Action.ASSIGN_LEADS in permissions.allowed(
        request.membership, lead.campaign
    )
    context = events.representative_context(lead, assignable=assignable)
    return {**context, "assign_errors": list(errors)}


@account_required
def lead_detail(request, lead_id):
    lead = _visible_lead(request, lead_id)
    context = {
        **_lead_page_context(request, lead),
        **events.changing_facts(lead),
        **_representative_context(request, lead),
    }
    return render(request, "campaigns/lead_detail.html", context)


def _assigned_message(lead, changed, problems, *, user=None):
    """(message, level) for the lead page after an assignment by `user`; a lead they gave
    themselves was alerted to no one (`assignment.assign_lead`), and the message says so."""
    if problems:
        return problems[0], "error"
    holder = lead.representative.get_full_name() if lead.representative else ""
    if not changed:
        held = f"{holder} already has this lead." if holder else "the lead is already unassigned."
        return f"Nothing changed: {held}", "info"
    if user is not None and lead.representative_id == user.pk:
        return "The lead is yours now; no alert was sent, since you gave it to yourself.", "success"
    if holder:
        return f"Lead given to {holder}; they were alerted.", "success"
    return "The lead is unassigned now.", "success"


@require_POST
@account_required
def lead_assign(request, lead_id):
    """Give the lead to someone (`representative`: a user id, empty for nobody) from its page,
    for the campaign's owner and admins (`assignment.assign_lead`): the representative block
    again for htmx (400 with the error under the picker, and only there), else back to the
    page, which says it among its messages. Someone who may not (no longer) choose gets a 409
    saying so under the Representative line, with who holds the lead now (`_refused`)."""
    lead = _visible_lead(request, lead_id)
    if permissions.Action.ASSIGN_LEADS not in permissions.allowed(
        request.membership, lead.campaign
    ):
        return _refused(request, lead, assign_refusal=assignment.assign_refusal(lead))
    form = LeadAssignForm(request.POST)
    problems, changed = [], False
    if form.is_valid():
        try:
            lead, changed = assignment.assign_lead(
                lead=lead, user_id=form.cleaned_data["representative"], actor=request.membership
            )
        except ValidationError as exc:
            problems = exc.messages
    else:
        problems = form.errors["representative"]
    if not problems:
        lead = _visible_lead(request, lead_id)
    message, level = _assigned_message(lead, changed, problems, user=request.user)
    if request.htmx:
        context = _representative_context(request, lead, problems)
        response = render(
            request,
            "campaigns/lead_detail.html#representative",
            context,
            status=400 if problems else 200,
        )
        # A refusal is said once, under the picker, not again among the page's messages.
        return response if problems else notify(response, message, level=level)
    messages.add_message(request, getattr(messages, level.upper()), message)
    return redirect("lead_detail", lead_id=lead.pk)


def _refused(request, lead, *, outcome_refusal="", assign_refusal=""):
    """A change from the lead's page refused because its person may no longer make it (the
    lead went to someone else, their standing changed) while the page still offered it: a 409
    that says so where they made it (`assignment.outcome_refusal` in the outcome block,
    `assignment.assign_refusal` in the representative block), the message focused so it is
    scrolled into view. For htmx the block asked from as it is now (an outcome's also brings
    the representative block, out of band: who holds the lead now), so the page stops offering
    the change; else the whole page. Changes nothing."""
    context = {
        **_lead_page_context(request, lead),
        **_representative_context(request, lead),
        "outcome_refusal": outcome_refusal,
        "assign_refusal": assign_refusal,
    }
    if not request.htmx:
        context.update(events.changing_facts(lead))
        return render(request, "campaigns/lead_detail.html", context, status=409)
    if not outcome_refusal:
        return render(request, "campaigns/lead_detail.html#representative", context, status=409)
    html = render_to_string("campaigns/lead_detail.html#outcome", context, request)
    html += render_to_string(
        "campaigns/lead_detail.html#representative", {**context, "oob": True}, request
    )
    return HttpResponse(html, status=409)


@require_POST
@account_required
def lead_outcome(request, lead_id):
    """Set what became of a lead (status, revenue) from its page: the outcome block again for
    htmx (400 with the form's errors), else back to the page. Someone who may not set it (the
    lead was given to someone else since their page was drawn) gets a 409 saying so in the
    outcome block (`_refused`)."""
    lead = _visible_lead(request, lead_id)
    form = LeadOutcomeForm(request.POST, lead=lead)
    if not permissions.may_set_outcome(request.membership, lead):
        form.is_valid()
        refusal = assignment.outcome_refusal(lead, chose=form.chosen())
        return _refused(request, lead, outcome_refusal=refusal)
    if not form.is_valid():
        context = _lead_page_context(request, lead, form)
        template = "campaigns/lead_detail.html"
        status = 409 if form.stale else 400
        return render(
            request, template + ("#outcome" if request.htmx else ""), context, status=status
        )
    outcomes.set_outcome(lead=lead, actor=request.user, via="lead", **form.changes())
    lead = _visible_lead(request, lead_id)
    if request.htmx:
        context = _lead_page_context(request, lead)
        html = render_to_string("campaigns/lead_detail.html#outcome", context, request)
        if not live.watching(lead.account_id):
            # The facts the save moved (the deal's stage, the Updated time), out of band. A live
            # page gets them from the save's frame instead, which replaces this form before its
            # answer lands (an out-of-band part of that answer would find no page to go to).
            facts = {**context, **events.changing_facts(lead), "oob": True}
            html += render_to_string("campaigns/lead_detail.html#changing-facts", facts, request)
        return notify(HttpResponse(html), "Outcome saved.")
    messages.success(request, "Outcome saved.")
    return redirect("lead_detail", lead_id=lead.pk)
