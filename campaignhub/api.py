"""The JSON API conventions every `/v1/` view shares: envelope, auth, body parsing, pagination."""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt

from campaignhub import schemas, selectors, services
from campaignhub.cleaning import NumberTooLong, digits_text, parse_json
from campaignhub.paging import BY_ID
from campaignhub.query import repeated_keys, repeated_message

logger = logging.getLogger(__name__)

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CURSOR_SALT = "campaignhub.api.cursor"


class ApiProblem(Exception):
    """Raised anywhere under an API view to answer with the error envelope.

    `headers` go on the response as they are (e.g. `{"Retry-After": "30"}` with a 429).
    """

    def __init__(self, status, message, errors=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


def ok(data=None, *, status=200, message="SUCCESS", **extra):
    """`{"success": true, "message": "SUCCESS", "data": …}` plus e.g. `pagination`."""
    payload = {"success": True, "message": message, "data": data}
    payload.update(extra)
    return JsonResponse(payload, status=status, encoder=DjangoJSONEncoder)


def error(status, message, errors=None, headers=None):
    payload = {"success": False, "errno": status, "message": message}
    if errors:
        payload["errors"] = errors
    return JsonResponse(payload, status=status, headers=headers)


def too_large_message() -> str:
    """What a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` is told (Django refuses to read it)."""
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
    return f"The request body is too large: send at most {limit}."


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _csrf_failure(request):
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def _authenticate(request):
    """Return an error response, or None once request.user/account/membership are set."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return error(401, "Authorization header must be 'Bearer <token>'.")
        membership = selectors.token_membership(raw.strip())
        if membership is None:
            return error(401, "Invalid or revoked API token.")
        services.mark_token_used(membership.token)
        request.user = membership.user
        request.membership = membership
        request.account = membership.account
        return None
    if not request.user.is_authenticated:
        return error(401, "Authentication credentials were not provided.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        reason = _csrf_failure(request)
        if reason:
            return error(403, f"CSRF check failed: {reason}")
    if getattr(request, "account", None) is None:
        return error(403, "You are not a member of any account.")
    return None


def _parse_body(request, schema, files=()):
    if request.method not in BODY_METHODS:
        return {}
    if files and request.content_type == "multipart/form-data":
        # Uploaded files stream to disk; their form fields are checked like a JSON body's.
        _refuse_repeated_parts(request)
        _refuse_files_as_text(request.POST, files)
        return checked(schema, {key: request.POST[key] for key in request.POST})
    if not request.body:
        return checked(schema, {})
    try:
        data = parse_json(request.body, unique_keys=True, exact_numbers=True)
    except NumberTooLong as exc:
        raise _too_long(exc, schema) from None
    except ValueError as exc:
        raise ApiProblem(400, str(exc)) from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "The request body must be a JSON object.")
    _refuse_files_as_text(data, files)
    return checked(schema, data)


def _too_long(exc: NumberTooLong, schema) -> ApiProblem:
    """A 400 naming the field that holds an integer too long to read, as a wrong type is
    named (`schemas.check`): `{"campaigndata": ["owner: Enter a whole number of at most 4300
    digits."]}`, the body's envelope key dropped from inside it."""
    path = exc.path
    envelope = getattr(schema, "envelope", "")
    if not path:
        return ApiProblem(400, str(exc), {"body": [exc.sentence]})
    field, inner = str(path[0]), path[1:]
    if envelope and field == envelope and inner:
        field, inner = str(inner[0]), inner[1:]
    prefix = "".join(f"[{part}] " if isinstance(part, int) else f"{part}: " for part in inner)
    where = field + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in inner)
    return ApiProblem(400, f"{where}: {exc.sentence}", {field: [prefix + exc.sentence]})


def _refuse_repeated_parts(request):
    """A multipart field given twice (two `file` parts) is a 400 naming it, as a JSON key or a
    query key given twice is: the request keeps one, and which one would be a guess."""
    keys = dict.fromkeys([*request.POST, *request.FILES])
    repeated = sorted(
        key for key in keys if len(request.POST.getlist(key)) + len(request.FILES.getlist(key)) > 1
    )
    if repeated:
        raise ApiProblem(
            400,
            f"Give each field once: {', '.join(repeated)}.",
            errors={key: ["Given more than once; this field takes one value."] for key in repeated},
        )


def _refuse_files_as_text(data, files):
    """A file field sent as text (a JSON key, or a multipart part without a filename) is a 400
    saying how to send a file, rather than "Unknown field"."""
    sent = [key for key in files if key in data]
    if sent:
        message = (
            f"{sent[0]} must be sent as a file: a part of a multipart/form-data request, with a "
            f"filename (curl -F {sent[0]}=@leads.csv)."
        )
        raise ApiProblem(400, message, errors={key: [message] for key in sent})


def checked(schema, data):
    """`data` checked against a `JsonBody` schema (see `campaignhub.schemas.check`), else a 400."""
    try:
        return schemas.check(schema, data)
    except schemas.InvalidBody as exc:
        raise ApiProblem(400, exc.message, exc.errors) from None


def _body_schemas(methods, body):
    if isinstance(body, dict):
        body = {method.upper(): schema for method, schema in body.items()}
        return {m: body.get(m, schemas.NoFields) for m in methods if m in BODY_METHODS}
    return {m: body or schemas.NoFields for m in methods if m in BODY_METHODS}


def api_view(*methods, admin=False, body=None, files=()):
    """Wrap a JSON view: method check, session or Bearer auth, JSON body in `request.data`.

    `admin=True` limits the view to account admins; `admin=["POST", …]` limits those methods.
    `body` declares the JSON body: one `campaignhub.schemas.JsonBody` schema for every method
    that takes a body, or `{"POST": …, "PUT": …}`. A body method without a schema takes no
    fields. The body is checked against its schema before the view runs, so `request.data` holds
    only declared fields of their declared JSON types; a mismatch is a 400 naming the field.
    `files` names the file fields of a view that also takes `multipart/form-data` (uploads in
    `request.FILES`, never read into memory); its text fields are checked against the same
    schema. A field given twice is a 400, and so is a file field sent as text (a JSON key or a
    part without a filename), saying it must come as a multipart file.
    """
    allowed = [method.upper() for method in methods] or ["GET"]
    if "GET" in allowed:
        # HEAD is GET without the body (RFC 9110 §9.3.2): the view runs its GET.
        allowed.append("HEAD")
    admin_methods = set(allowed) if admin is True else {m.upper() for m in admin or ()}
    bodies = _body_schemas(allowed, body)

    def decorator(view_func):
        @csrf_exempt
        @login_not_required
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if request.method not in allowed:
                return error(
                    405,
                    f"Method {request.method} not allowed.",
                    headers={"Allow": ", ".join(allowed)},
                )
            if request.method == "HEAD":
                request.method = "GET"
                return _headers_only(wrapper(request, *args, **kwargs))
            failure = _authenticate(request)
            if failure is not None:
                return failure
            try:
                if request.method in admin_methods and not request.membership.is_admin:
                    raise PermissionDenied("Only account admins can do this.")
                request.data = _parse_body(request, bodies.get(request.method), files)
                return view_func(request, *args, **kwargs)
            except ApiProblem as problem:
                return error(
                    problem.status, problem.message, problem.errors, headers=problem.headers
                )
            except Http404 as exc:
                return error(404, _exception_message(exc, "Not found"))
            except PermissionDenied as exc:
                return error(403, _exception_message(exc, "Permission denied"))
            except RequestDataTooBig:
                return error(413, too_large_message())

        wrapper.api_methods = allowed
        wrapper.api_bodies = bodies
        return wrapper

    return decorator


def _headers_only(response):
    """The answer to HEAD: the GET answer's status and headers, its body left unsent (a
    download's rows are never read; Content-Length still gives a plain body's size)."""
    if response.streaming:
        response.close()
        response.streaming_content = []
    else:
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def _exception_message(exc, default):
    # Http404 raised by Django's own resolver carries a dict; only our plain messages are shown.
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else default


def reject_unknown_fields(data, allowed):
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiProblem(
            400,
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            errors={field: ["Unknown field."] for field in unknown},
        )


# The query keys of page-numbered lists (`paginate`) and of lists that also read by cursor
# (`page_or_cursor`), beside their own filters.
PAGE_KEYS = ("page", "per_page")
CURSOR_KEYS = (*PAGE_KEYS, "cursor")


def refuse_unknown_query(request, allowed, *, takes=None):
    """A query key a list does not take (`?sort=`, a filter of another list) is a 400 naming it
    and what the list takes, never ignored: an ignored filter answers the unfiltered list as if
    it had been applied. A key given twice is a 400 too (each takes one value, `query`).
    `takes` replaces the sentence saying what is taken ("This list takes …") where a list is
    not what the endpoint answers."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        if takes is None:
            takes = f"This list takes {', '.join(allowed) if allowed else 'no query parameters'}."
        raise ApiProblem(
            400,
            f"Unknown query parameter{plural}: {', '.join(unknown)}. {takes}",
            errors={key: ["Unknown query parameter."] for key in unknown},
        )
    repeated = repeated_keys(request.GET)
    if repeated:
        raise ApiProblem(
            400,
            repeated_message(repeated),
            errors={key: ["Given more than once; this list takes one value."] for key in repeated},
        )


def query_form(request, form_class, *, keys=(), **form_kwargs):
    """`form_class` bound to the query string's values of its fields, valid (else a 400 naming
    the field); a key that is neither one of its fields nor in `keys` (`PAGE_KEYS`,
    `CURSOR_KEYS`) is a 400 too (`refuse_unknown_query`)."""
    refuse_unknown_query(request, [*form_class.base_fields, *keys])
    query = {key: request.GET[key] for key in form_class.base_fields if key in request.GET}
    return validated(form_class, query, **form_kwargs)


def validated(form_class, data, **form_kwargs):
    """Bind `data` to `form_class` and return the valid form, or raise a 400 with its errors.

    Fields the form does not declare are rejected, so a typo never passes silently.
    """
    reject_unknown_fields(data, form_class.base_fields)
    form = form_class(data=data, **form_kwargs)
    if not form.is_valid():
        raise form_problem(form)
    return form


def form_errors(form):
    """{field: [messages]}; errors about the whole input come under `non_field_errors`."""
    return {
        ("non_field_errors" if field == "__all__" else field): [item["message"] for item in items]
        for field, items in form.errors.get_json_data().items()
    }


def form_problem(form):
    errors = form_errors(form)
    first = next(iter(errors.values()))[0]
    return ApiProblem(400, first, errors=errors)


# Beyond any real page: larger numbers would overflow the database's OFFSET.
MAX_PAGE_NUMBER = 1_000_000_000


def _positive_int(request, name, default, maximum=MAX_PAGE_NUMBER):
    """The query value `name` as a positive integer written in ASCII digits (`digits_text`, the
    rule of every id and page number), `default` when absent or empty; a 400 naming it
    otherwise. int() alone also reads "٢" or a fullwidth digit as 2, "+2" and "2_0", so a page
    in another script would silently be another page."""
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    text = digits_text(raw)
    if text is None or not text.lstrip("0"):
        raise ApiProblem(
            400,
            f"{name} must be a positive integer, written in digits 0-9.",
            {name: ["Must be a positive integer, in digits 0-9."]},
        )
    digits = text.lstrip("0")
    # Compared by length first: int() refuses text of over 4,300 digits.
    if maximum is not None and (len(digits) > len(str(maximum)) or int(digits) > maximum):
        raise ApiProblem(
            400, f"{name} must be at most {maximum}.", {name: [f"Must be at most {maximum}."]}
        )
    return int(digits)


def paginate(
    request, queryset, *, default_per_page=10, max_per_page=100, count=None, max_rows=None
):
    """Page-number pagination: returns (rows, pagination dict for the envelope).

    `count` is the list's size when already known (kept tallies), else it is counted. With
    `max_rows`, page numbers reach only the pages within the first `max_rows` rows (OFFSET
    grows with depth): the envelope says `max_page`, a deeper page is a 400 saying to follow
    `next_cursor` (see `page_or_cursor`).
    """
    page = _positive_int(request, "page", 1)
    per_page = _positive_int(request, "per_page", default_per_page, max_per_page)
    max_page = None if max_rows is None else max(max_rows // per_page, 1)
    if max_page is not None and page > max_page:
        message = f"page must be at most {max_page}; follow next_cursor for deeper pages."
        raise ApiProblem(400, message, {"page": [message]})
    total = queryset.count() if count is None else count
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page])
    pagination = {
        "page": page,
        "per_page": per_page,
        "total": total,
        "total_pages": (total + per_page - 1) // per_page,
    }
    if max_page is not None:
        pagination["max_page"] = max_page
    return rows, pagination


def next_cursor_after(row, keyset=BY_ID) -> str:
    """The cursor that reads on from `row` (the rows after it in `keyset`'s newest-first
    order), signed."""
    return signing.dumps({"after": keyset.position(row)}, salt=CURSOR_SALT)


def cursor_paginate(request, queryset, *, default_per_page=10, max_per_page=100, keyset=BY_ID):
    """Keyset pagination, newest first in `keyset`'s order (descending primary key unless
    told): returns (rows, next_cursor or None).

    The cursor is signed, so it is opaque to clients and a tampered one (or one of a list in
    another order) is a 400.
    """
    per_page = _positive_int(request, "per_page", default_per_page, max_per_page)
    queryset = keyset.newest_first(queryset)
    raw = request.GET.get("cursor")
    if raw:
        try:
            after = keyset.read(signing.loads(raw, salt=CURSOR_SALT)["after"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            after = None
        if after is None:
            raise ApiProblem(400, "Invalid cursor.", {"cursor": ["Invalid cursor."]})
        queryset = keyset.older(queryset, after)
    rows = list(queryset[: per_page + 1])
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = next_cursor_after(rows[-1], keyset)
    return rows, next_cursor


def page_or_cursor(request, queryset, *, count=None, max_rows=None, keyset=BY_ID, **kwargs):
    """Lists accept either `?page=` or `?cursor=` (both given a value: a 400, which one was
    meant is unknown): returns (rows, extra envelope keys). An empty `cursor=` starts a walk by
    cursor, unless a page is given: then it counts as none given (a form or client that sends
    every key), so `?page=2&cursor=` is page 2, never the first cursor page.

    A cursor reads newest first in `keyset`'s order (descending primary key unless told).
    `count` and `max_rows` as for `paginate`; a list limited by `max_rows` must be ordered
    newest first in `keyset`'s order, and its numbered pages carry `next_cursor` too, so a
    client reads on from the deepest numbered page by cursor.
    """
    cursor, page = request.GET.get("cursor"), request.GET.get("page")
    if cursor or (cursor is not None and not page):
        if cursor and page:
            # Which one was meant is unknown; answering either would be a guess.
            raise ApiProblem(
                400,
                "Give either page or cursor, not both.",
                {"page": ["Not with cursor: a cursor reads on from where the last page ended."]},
            )
        rows, next_cursor = cursor_paginate(request, queryset, keyset=keyset, **kwargs)
        return rows, {"next_cursor": next_cursor}
    rows, pagination = paginate(request, queryset, count=count, max_rows=max_rows, **kwargs)
    extra = {"pagination": pagination}
    if max_rows is not None:
        more = pagination["page"] < pagination["total_pages"]
        extra["next_cursor"] = next_cursor_after(rows[-1], keyset) if more and rows else None
    return rows, extra
