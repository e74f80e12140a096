"""The public lead form of a form campaign: `/f/<form_secret_id>/`, HTML or JSON, no login.

A paused campaign's form is served as ever and holds what it is sent (`campaigns.held_forms`);
a deleted campaign's answers "This form is no longer available." (410)."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from campaignhub import schemas
from campaignhub.api import error, form_problem, too_large_message
from campaignhub.cleaning import (
    NotPlainForm,
    TooManyFields,
    body_text,
    declared_charset,
    form_pairs,
    parse_json,
    plain_text_form_pairs,
)
from campaignhub.ratelimit import over_limit
from campaigns import held_forms, services
from campaigns.forms import PublicLeadForm, too_many_fields
from campaigns.models import Campaign, Integration
from campaigns.schemas import PublicLeadBody

GONE = "This form is no longer available."


def _form_campaign(form_secret_id):
    """The campaign whose public form this is, active or paused (a paused one holds what it
    is sent, `campaigns.held_forms`), or None when it was deleted, no longer takes a form, or
    never existed."""
    return (
        Campaign.objects.filter(
            form_secret_id=form_secret_id, integration=Integration.FORM, is_deleted=False
        )
        .select_related("account")
        .first()
    )


def _gone(request, form_secret_id, as_json):
    """The answer for a form that is not (or no longer) there: 410 for a campaign that had
    it (deleted, or given another lead source), 404 for an id no campaign ever had; our own
    page, never Django's debug page, or the JSON envelope."""
    existed = Campaign.objects.filter(form_secret_id=form_secret_id).exists()
    status = 410 if existed else 404
    if as_json:
        return error(status, GONE)
    return render(request, "campaigns/public_gone.html", {"message": GONE}, status=status)


def _over_rate_limit(request, campaign):
    return over_limit(
        request,
        scope="lead-form",
        key=f"{campaign.pk}:{request.META.get('REMOTE_ADDR', '')}",
        per_minute=settings.LEAD_FORM_RATE_LIMIT_PER_MINUTE,
    )


def _wants_json(request):
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


class Unreadable(Exception):
    """A submission that cannot be read as sent; its text says why, for the sender."""


def _content_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "")


def _json_body(request) -> dict:
    """The JSON object posted, read in the charset its Content-Type names, else as JSON text
    naming none is read (UTF-8, or UTF-16/32 where a byte order mark or zero bytes say so:
    `body_text`). Raises Unreadable saying why for anything else: "Malformed JSON: …" for a
    body that is no JSON (`parse_json`) or an object naming a key twice, "The body must be a
    JSON object." for JSON that is no object."""
    try:
        text = body_text(request.body, _content_type(request))
    except ValueError as exc:
        raise Unreadable(str(exc)) from None
    try:
        data = parse_json(text or "{}", unique_keys=True, unreadable_numbers_as_text=True)
    except ValueError as exc:
        # "Malformed JSON: …" as our API says it; a key named twice too (which value was meant
        # is unknown).
        raise Unreadable(str(exc)) from None
    if not isinstance(data, dict):
        raise Unreadable("The body must be a JSON object.")
    return data


# A form page posts in its own charset and never names it (browsers send no charset with
# application/x-www-form-urlencoded): one that is not UTF-8 is read as the web's legacy default,
# windows-1252 (WHATWG Encoding), so a Latin-1 or Windows page's "José García" is kept right
# rather than the visitor being refused; Latin-1 takes the five bytes windows-1252 leaves unnamed.
LEGACY_FORM_CHARSETS = ("windows-1252", "latin-1")


def _legacy_form_pairs(request, limit, read=form_pairs):
    """`read` (`form_pairs`, or `plain_text_form_pairs`) of a form body that is not UTF-8 and
        names no charset, read in the first of `LEGACY_FORM_CHARSETS` it is text in (Latin-1 reads
        any bytes). Raises Unreadable for more than `limit` fields, or (text/plain) for a body that
    is no form's lines in that charset either."""
    for charset in LEGACY_FORM_CHARSETS:
        try:
            return read(
                request.body, f"{request.content_type}; charset={charset}", max_fields=limit
            )
        except TooManyFields:
            raise Unreadable(too_many_fields()) from None
        except NotPlainForm:
            raise Unreadable(PLAIN_TEXT_UNREADABLE) from None
        except ValueError:
            continue
    raise AssertionError("Latin-1 reads every byte.")


def _as_query_dict(pairs) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in pairs:
        data.appendlist(name, value)
    return data


def _form_body(request) -> QueryDict:
    """The fields of a posted form page (`application/x-www-form-urlencoded`), read in the
    charset its Content-Type names, else as `body_text` reads a body naming none (UTF-8, or
    UTF-16/32 a byte order mark names), else (bytes that are none of these, as a page in
    another charset posts) `LEGACY_FORM_CHARSETS` (`cleaning.form_pairs`): Django reads them as
    UTF-8 whatever was named, spoiling a Latin-1 page's accents to U+FFFD, and refuses a named
    charset outright. Raises Unreadable saying why for bytes not in the charset named, or for
    more fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS`."""
    content_type = _content_type(request)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    try:
        pairs = form_pairs(request.body, content_type, max_fields=limit)
    except TooManyFields:
        raise Unreadable(too_many_fields()) from None
    except ValueError as exc:
        if declared_charset(content_type):
            raise Unreadable(str(exc)) from None
        pairs = _legacy_form_pairs(request, limit)
    return _as_query_dict(pairs)


# What a post in a format no form of ours can read is told: the browser's text/plain that is not
# its name=value lines, or another Content-Type (XML, say). Without it the visitor would read
# "Leave a phone number or an email address." under a phone they did give.
PLAIN_TEXT_UNREADABLE = (
    "The form must be sent as application/x-www-form-urlencoded or multipart/form-data: "
    'remove enctype="text/plain" from the <form> tag.'
)
FORM_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "application/json",
)


def _wrong_content_type(content_type) -> str:
    return (
        "The form must be sent as application/x-www-form-urlencoded or multipart/form-data "
        f'(a <form method="post"> with no enctype), or as JSON, not as {content_type}.'
    )


def _plain_text_body(request) -> QueryDict:
    """The fields of a form a browser posted with `enctype="text/plain"`: its `name=value`
    lines (`cleaning.plain_text_form_pairs`), in the charset its Content-Type names, else
    UTF-8, else `LEGACY_FORM_CHARSETS`, as `_form_body` reads a form. Raises Unreadable saying
    why: PLAIN_TEXT_UNREADABLE for a body that is no such lines, bytes not in the charset named,
    or more fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS`."""
    content_type = _content_type(request)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    try:
        pairs = plain_text_form_pairs(request.body, content_type, max_fields=limit)
    except TooManyFields:
        raise Unreadable(too_many_fields()) from None
    except NotPlainForm:
        raise Unreadable(PLAIN_TEXT_UNREADABLE) from None
    except ValueError as exc:
        if declared_charset(content_type):
            raise Unreadable(str(exc)) from None
        pairs = _legacy_form_pairs(request, limit, plain_text_form_pairs)
    return _as_query_dict(pairs)


def _submission(request):
    """The fields posted, as `PublicLeadForm` takes them: a dict for a JSON body, a
    `QueryDict` for a form (every value of a repeated field kept; `text/plain` as browsers send
    it read too). Raises Unreadable, also for a Content-Type no form is sent as, and for
    what Django refuses to read (a body over `DATA_UPLOAD_MAX_MEMORY_SIZE`, more fields than
    `DATA_UPLOAD_MAX_NUMBER_FIELDS`), which would otherwise answer its own error page."""
    try:
        if request.content_type == "application/json":
            return _json_body(request)
        if request.content_type == "application/x-www-form-urlencoded":
            return _form_body(request)
        if request.content_type == "text/plain":
            return _plain_text_body(request)
        if request.content_type and request.content_type not in FORM_CONTENT_TYPES:
            raise Unreadable(_wrong_content_type(request.content_type))
        return request.POST
    except RequestDataTooBig:
        raise Unreadable(too_large_message()) from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise Unreadable(too_many_fields()) from None
    except MultiPartParserError as exc:
        # No boundary, or parts that are not parts: Django would answer an empty 400.
        raise Unreadable(f"The form could not be read as multipart/form-data: {exc}.") from None


def _refused(request, campaign, message, as_json):
    """A submission that could not be read at all: 400 saying why, as the JSON envelope or on
    the form page (empty, as nothing of it could be read), and nothing kept."""
    if as_json:
        return error(400, message)
    form = PublicLeadForm(initial={"submission_id": uuid.uuid4()})
    context = {"campaign": campaign, "form": form, "error": message}
    return render(request, "campaigns/public_form.html", context, status=400)


SENT_WITH_GET = (
    'This form was not sent: a form must send it with method="post". What was typed is below; '
    "press Send to send it."
)
# The fields our page shows itself; any other field a landing page's form sent rides along hidden.
OWN_FIELDS = ("name", "phone", "email", "message")


def _sent_with_get(request) -> bool:
    """True for a GET of the send URL carrying fields in its query string: a landing page's
    own `<form method="get">` (or no method at all) posting to it. Our page's own URL, and the
    send URL without a query string, are shown as ever."""
    return request.resolver_match.url_name == "public_form_send" and bool(request.GET)


def _sent_with_get_refused(request, campaign, as_json):
    """A form sent to the send URL with GET: nothing is kept (a lead in a URL would sit in
    every log and history it passes), and 400 says the form must use method="post" -- in the
    JSON envelope, or on our form page holding what was typed (its own fields filled, any other
    field hidden, our bot trap and the submission id left out) so the visitor sends it with one
    click."""
    if as_json:
        return error(400, SENT_WITH_GET)
    return _form_holding(request, campaign, request.GET, SENT_WITH_GET, status=400)


def _form_holding(request, campaign, sent, message, *, status, submission_id=None, headers=None):
    """Our form page showing `message` and holding what was typed in `sent` (a `QueryDict`):
    its own fields (`OWN_FIELDS`) filled, any other field a landing page sent hidden, our bot
    trap left out; `submission_id` (default a new one) so a second Send is one lead. Private,
    never cached: it holds the visitor's details."""
    initial = {field: sent[field] for field in OWN_FIELDS if field in sent}
    initial["submission_id"] = submission_id or uuid.uuid4()
    others = [
        (name, value)
        for name, values in sent.lists()
        if name not in (*OWN_FIELDS, "website", "submission_id")
        for value in values
    ]
    context = {
        "campaign": campaign,
        "form": PublicLeadForm(initial=initial),
        "error": message,
        "other_fields": others,
    }
    response = render(request, "campaigns/public_form.html", context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    patch_cache_control(response, private=True, max_age=0)
    return response


RATE_LIMITED = "Too many submissions from your address. Please try again in a minute."
# The limiter counts in fixed one-minute windows (`campaignhub.ratelimit`): a minute on, a
# submission is always counted afresh.
RETRY_AFTER = {"Retry-After": "60"}


def _rate_limited(request, campaign, as_json):
    """429 for an address over `LEAD_FORM_RATE_LIMIT_PER_MINUTE`, with Retry-After (seconds):
    the JSON envelope, or our form page holding what was typed (`_form_holding`, the same
    submission id) so the visitor presses Send again a minute later. Nothing is kept."""
    if as_json:
        return error(429, RATE_LIMITED, headers=RETRY_AFTER)
    try:
        sent = _submission(request)
    except Unreadable:
        sent = QueryDict()
    if not hasattr(sent, "lists"):
        sent = QueryDict()
    submission_id = PublicLeadForm.base_fields["submission_id"].to_python(sent.get("submission_id"))
    return _form_holding(
        request,
        campaign,
        sent,
        RATE_LIMITED,
        status=429,
        submission_id=submission_id,
        headers=RETRY_AFTER,
    )


@csrf_exempt
@login_not_required
def public_form(request, form_secret_id):
    as_json = _wants_json(request)
    campaign = _form_campaign(form_secret_id)
    if campaign is None:
        return _gone(request, form_secret_id, as_json)
    if request.method == "GET" and _sent_with_get(request):
        return _sent_with_get_refused(request, campaign, as_json)
    if request.method == "GET":
        form = PublicLeadForm(initial={"submission_id": uuid.uuid4()})
        response = render(
            request, "campaigns/public_form.html", {"campaign": campaign, "form": form}
        )
        # Kept by the browser (never shared): Back after sending shows this very page, with the
        # same submission id, so sending again is the same lead, not a second one. A new visit
        # (max-age 0) asks again and gets a new id.
        patch_cache_control(response, private=True, max_age=0)
        return response
    if request.method != "POST":
        return error(405, "Method not allowed.")
    if _over_rate_limit(request, campaign):
        return _rate_limited(request, campaign, as_json)
    try:
        data = _submission(request)
    except Unreadable as exc:
        return _refused(request, campaign, str(exc), as_json)
    if request.content_type == "application/json":
        try:
            data = schemas.check(PublicLeadBody, data)
        except schemas.InvalidBody as exc:
            return error(400, exc.message, exc.errors)
    form = PublicLeadForm(data=data)
    if not form.is_valid():
        if as_json:
            problem = form_problem(form)
            return error(problem.status, problem.message, problem.errors)
        context = {"campaign": campaign, "form": form}
        return render(request, "campaigns/public_form.html", context, status=400)
    if campaign.status:
        services.capture_form_submission(campaign=campaign, cleaned=form.cleaned_data, data=data)
    else:
        # Paused: kept, not lost, and captured from the campaign page once it is active.
        held_forms.hold_submission(
            campaign=campaign,
            cleaned=form.cleaned_data,
            data=data,
            headers=dict(request.headers),
            path=request.get_full_path(),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    if as_json:
        return JsonResponse({"success": True, "message": "Thank you! We will be in touch shortly."})
    return render(request, "campaigns/public_thanks.html", {"campaign": campaign})
