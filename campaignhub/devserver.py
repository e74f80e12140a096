"""Daphne (the server of `manage.py runserver`, so of `make run`) hands every request body to
Django unread.

Daphne's request is Twisted's HTTP request, which by default parses a POST's form body itself
(into `args`, which Daphne never reads) and answers one it cannot parse, `multipart/form-data`
without its boundary or with one its body does not have, with a bare `HTTP/1.1 400 Bad Request`:
no headers, no body, before Django sees the request or logs it. A PUT is not parsed there, so it
reached Django. Django reads form bodies itself and refuses an unreadable one with a clear
message (`campaignhub.errors`: the envelope under /v1/, the 400 page elsewhere), so Twisted's
parsing is switched off. Uvicorn (the Procfile's server) passes bodies through already.
"""

import inspect


def install() -> bool:
    """Make Daphne's HTTP requests leave POST bodies unparsed (Twisted's
    `parsePOSTFormSubmission=False`). Idempotent; False when Daphne is not installed or its
    Twisted cannot switch the parsing off."""
    try:
        from daphne import http_protocol
        from twisted.web import http
    except ImportError:
        return False
    if getattr(http_protocol.WebRequest, "body_left_to_django", False):
        return True
    if "parsePOSTFormSubmission" not in inspect.signature(http.Request.__init__).parameters:
        return False

    class UnparsedBodyRequest(http_protocol.WebRequest):
        body_left_to_django = True

        def __init__(self, *args, **kwargs):
            kwargs["parsePOSTFormSubmission"] = False
            super().__init__(*args, **kwargs)

    # `HTTPFactory.buildProtocol` looks the request class up in its module on each connection.
    http_protocol.WebRequest = UnparsedBodyRequest
    return True
