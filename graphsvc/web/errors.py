"""Error pages in NHS style for people's pages; the API keeps its JSON errors.

Which face answers is decided by the path, so a mistyped page address gets a page and a mistyped
API address gets JSON, whether or not a route matched.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import DomainError

__all__ = ["error_page", "page_error", "register_page_errors"]

log = logging.getLogger(__name__)

PAGES = {
    400: ("Sorry, there is a problem with that request",
          "The form may have been open too long, or it came from somewhere else. Go back, reload the page "
          "and try again."),
    403: ("You do not have permission to see this page",
          "Your role does not allow this. Ask an administrator if you need it."),
    404: ("Page not found",
          "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."),
    405: ("Sorry, that cannot be done here", "Go back and use the page's own buttons and links."),
    500: ("Sorry, there is a problem with the service",
          "Try again later. The problem has been logged; nothing you entered was lost unless it said so."),
}


def register_page_errors(app: Flask) -> None:
    """Outside the pages' own views (see `page_error`), only unmatched addresses need a choice of face."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]

    @app.errorhandler(HTTPException)
    def unmatched_address(error: HTTPException):
        # Replaces flask-smorest's handler for HTTP errors raised outside any page view (e.g. 404 for
        # an unknown address), handing API ones back to it.
        if request.path.startswith("/api/"):
            return api.handle_http_exception(error)
        return error_page(error.code or 500)



def page_error(error: Exception):
    """The pages' handler for every error: HTTP errors (CSRF refusals are 400s), domain errors (an
    unknown id is a 404) and anything unexpected (logged, then a 500 page with no traceback)."""
    if isinstance(error, HTTPException):
        return error_page(error.code or 500)
    if isinstance(error, DomainError):
        return error_page(error.status)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500)


def error_page(status: int):
    """The NHS-style page for `status` (an unlisted 4xx reads as 400, an unlisted 5xx as 500)."""
    title, advice = PAGES.get(status) or (PAGES[500] if status >= 500 else PAGES[400])
    return render_template("web/error.html", title=title, advice=advice, status=status), status
