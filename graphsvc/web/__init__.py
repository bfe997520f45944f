"""The web pages for people who never use curl: server-rendered, NHS.UK styled, signed in by session.

Pages use the NHS.UK design system through nhsuk-frontend-jinja's macros; the vendored CSS, JS and
images (copied from npm by `make`) are served from this package, the images at `/assets/`, where
the CSS expects them. Every page needs a signed-in person unless it is listed in PUBLIC_ENDPOINTS;
unsafe methods must carry a CSRF token (the API is exempt: it takes bearer tokens, not cookies).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, g, redirect, request, send_from_directory
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from .errors import page_error, register_page_errors
from .navigation import NAVIGATION
from .sessions import configure_sessions, load_logged_in_user

__all__ = ["PUBLIC_ENDPOINTS", "csrf", "register_web", "web"]

HERE = Path(__file__).parent
ASSETS = HERE / "static" / "vendor" / "nhsuk" / "assets"
PUBLIC_ENDPOINTS = frozenset({"web.sign_in", "web.sign_in_link", "web.static", "web.assets"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

csrf = CSRFProtect()
web = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/web")
# Our templates first, then NHS.UK's macros (as nhsuk-frontend-jinja's README configures them).
web.jinja_loader = ChoiceLoader([FileSystemLoader(HERE / "templates"), PackageLoader("nhsuk_frontend_jinja")])
web.register_error_handler(Exception, page_error)


@web.before_request
def protect_pages():
    """CSRF first (sign-in included: no forged sign-ins), then who is asking; strangers go to sign in."""
    if request.method not in SAFE_METHODS:
        csrf.protect()
    load_logged_in_user(current_app.config["SESSION_IDLE_MINUTES"])
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect("/sign-in?" + urlencode({"next": request.full_path.rstrip("?")}))
    return None


@web.after_request
def private_pages(response):
    # Pages show what a role may see: no shared cache may keep them.
    if request.endpoint not in ("web.static", "web.assets"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.route("/assets/<path:filename>")
def assets(filename: str):
    """NHS.UK frontend's images and icons, where its CSS looks for them."""
    return send_from_directory(ASSETS, filename)


@web.app_context_processor
def page_globals():
    user = g.get("user")
    navigation = [{"text": text, "href": href} for text, href, role in NAVIGATION if user and user.can(role)]
    return {"user": user, "service_name": "graphsvc", "navigation": navigation}


# The modules whose routes attach to `web`, one per area of the service.
PAGE_MODULES = ("views", "actions", "edit", "connections", "mapping", "raci", "imports", "links", "progress",
                "changes", "flag_changes", "board_pack", "meetings", "indicators", "impact", "frameworks")


def register_web(app: Flask) -> None:
    """Sessions, CSRF, NHS.UK templates, the pages and their error pages."""
    import importlib

    for name in PAGE_MODULES:
        importlib.import_module(f"{__name__}.{name}")

    configure_sessions(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in protect_pages, so never on /api/
    csrf.init_app(app)
    # NHS.UK macros read optional, nested parameters; this keeps a missing one from raising.
    app.jinja_env.undefined = ChainableUndefined
    app.register_blueprint(web)
    register_page_errors(app)
