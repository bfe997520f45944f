"""Production serving with gunicorn: several worker processes, each with its own projection."""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker
from werkzeug.http import HTTP_STATUS_CODES

__all__ = ["JsonErrorWorker", "serve"]

WORKER_CLASS = "graphsvc.server.JsonErrorWorker"
LIMIT_REQUEST_LINE = 8190  # bytes of method, path and query (gunicorn's default)
LIMIT_REQUEST_FIELDS = 100  # headers per request

# Said in the app's own words (graphsvc.api.errors); gunicorn's texts name its internals.
EDGE_MESSAGES = {
    400: "The request is not valid HTTP.",
    414: f"The request line (method, path and query) is longer than {LIMIT_REQUEST_LINE} bytes.",
    431: f"The request has more than {LIMIT_REQUEST_FIELDS} headers, or a header that is too large.",
}
EDGE_HEADERS = ("Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n")


class JsonErrorWorker(SyncWorker):
    """gunicorn's sync worker, answering the requests gunicorn itself refuses (request line or
    headers over the limits, malformed HTTP) in the API's JSON error shape instead of an HTML page.

    gunicorn's own ``handle_error`` still decides the status and writes the access log; its page
    is captured and replaced, so the mapping from error to status is never written twice.
    """

    def handle_error(self, req, client, addr, exc):
        page = _CapturedSocket()
        super().handle_error(req, page, addr, exc)
        status = page.status()
        try:
            util.write_nonblock(client, json_error_response(status))
        except Exception:  # the client may be gone already: nothing more to tell it
            self.log.debug("Failed to send error message.")


def json_error_response(status: int) -> bytes:
    """A complete HTTP/1.1 answer carrying ``{code, status, message, errors}``."""
    reason = HTTP_STATUS_CODES.get(status, "Error")
    message = EDGE_MESSAGES.get(status, "Something went wrong on our side; it has been logged."
                                if status >= 500 else reason + ".")
    body = json.dumps({"code": status, "status": reason, "message": message, "errors": {}}).encode()
    head = f"HTTP/1.1 {status} {reason}\r\n{EDGE_HEADERS}Content-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


class _CapturedSocket:
    """Stands in for the client socket while gunicorn writes its HTML error page."""

    def __init__(self):
        self.data = b""

    def gettimeout(self):
        return 0.0  # non-blocking: gunicorn then writes straight away

    def sendall(self, data: bytes) -> None:
        self.data += data

    def status(self) -> int:
        # "HTTP/1.1 414 URI Too Long" -> 414; a 500 if gunicorn wrote nothing we can read.
        parts = self.data.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 500


class _GraphsvcServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # No runtime control socket: nothing outside the process should steer the workers,
            # and several servers on one machine must not fight over one socket path.
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from . import create_app

        return create_app()


def serve(host: str, port: int, workers: int, timeout: int) -> None:
    _GraphsvcServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "timeout": timeout,
        "graceful_timeout": 20,
        "accesslog": "-",
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
    }).run()
