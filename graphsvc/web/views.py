"""The pages: each view validates, builds one context dict from the read functions, and renders it."""

from __future__ import annotations

from flask import g, redirect, render_template, request
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..app import get_service
from . import web
from .as_json import render_page
from .pages import attention_context, record_context, search_context
from .sessions import end_session, start_session

__all__ = ["SignInForm"]

WRONG_TOKEN = "That access token is not valid or has been revoked. Check you pasted all of it."


class SignInForm(FlaskForm):
    class Meta:
        csrf = False  # checked for every unsafe request by the blueprint, before any view runs

    token = PasswordField("Access token", validators=[
        DataRequired(message="Enter your access token."), Length(max=200, message=WRONG_TOKEN)])


@web.route("/")
def home():
    return render_page("web/home.html", attention_context(get_service()))


@web.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        if start_session(form.token.data) is not None:
            return redirect(_safe_next(request.args.get("next")))
        form.token.errors = [WRONG_TOKEN]
    status = 400 if form.errors else 200
    return render_template("web/sign_in.html", form=form, next=_safe_next(request.args.get("next"))), status


@web.route("/sign-out", methods=["POST"])
def sign_out():
    end_session()
    return redirect("/sign-in")


@web.route("/search")
def search():
    context = search_context(get_service(), request.args.get("q", ""), request.args.get("page", ""))
    return render_page("web/search.html", context)


@web.route("/records/<record_id>")
def record(record_id: str):
    return render_page("web/record.html", record_context(get_service(), record_id, g.user))


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//elsewhere` or a full URL)."""
    # Browsers drop tabs and newlines from addresses, so "/\t/elsewhere" would become "//elsewhere".
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(char) < 32 for char in target)):
        return "/"
    return target
