"""A very small WSGI toolkit for the sandbox: routing, JSON/HTML responses, a threaded server."""

import json
import re
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class Request:
    def __init__(self, environ):
        self.method = environ["REQUEST_METHOD"]
        self.path = environ.get("PATH_INFO", "/")
        self.query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        self.content_type = environ.get("CONTENT_TYPE", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""

    def json(self):
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            return None
        return data

    def form(self):
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


class Response:
    def __init__(self, status=200, body=b"", content_type="application/json", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = [("Content-Type", content_type), *(headers or {}).items()]


def json_response(data, status=200, headers=None):
    return Response(status, json.dumps(data), headers=headers)


def html_response(html, status=200):
    return Response(status, html, content_type="text/html; charset=utf-8")


def redirect(location):
    return Response(302, b"", headers={"Location": location})


class Router:
    def __init__(self):
        self.routes = []

    def route(self, method, pattern):
        def decorator(handler):
            self.routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return decorator

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        start_response(
            f"{response.status} {STATUS_TEXT.get(response.status, '')}",
            [*response.headers, ("Content-Length", str(len(response.body)))],
        )
        return [response.body]

    def dispatch(self, request):
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if not match:
                continue
            allowed = True
            if method == request.method:
                return handler(request, **match.groupdict())
        if allowed:
            return json_response({"error": "Method not allowed"}, 405)
        return json_response({"error": "Not found"}, 404)


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


def serve(app, host, port, *, verbose=True):
    server = make_server(host, port, app, server_class=ThreadingServer, handler_class=QuietHandler)
    server.verbose = verbose
    return server
