"""``graphsvc token create|list|revoke``: manage access tokens from the command line."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..app import get_service
from ..auth import ROLES, issue_token
from ..errors import DomainError

__all__ = ["ensure_first_admin", "register"]

CLI_ACTOR = "cli"


def register(app: Flask) -> None:
    tokens = AppGroup("token", help="Create, list and revoke access tokens.")

    @tokens.command("create")
    @click.option("--name", required=True, help="Who or what uses the token; recorded as the actor of its writes.")
    @click.option("--role", required=True, type=click.Choice(ROLES))
    @click.option("--link", is_flag=True, help="Also print a sign-in link for the web pages: it works once, "
                                               "for 15 minutes.")
    @click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
                  help="Where people open the web pages; the sign-in link starts with it.")
    def create(name: str, role: str, link: bool, base_url: str):
        """Create a token and print it (it is shown this once)."""
        try:
            record, token = issue_token(get_service().store, name, role, CLI_ACTOR)
        except DomainError as exc:
            raise click.ClickException(f"{exc.message} {exc.errors or ''}") from exc
        click.echo(token)
        if link:
            from ..web.links import LINK_MINUTES, make_sign_in_link

            click.echo(f"Sign-in link (works once, for {LINK_MINUTES} minutes): "
                       f"{make_sign_in_link(current_app, record.token_hash, base_url)}")

    @tokens.command("list")
    def list_tokens():
        """List tokens: name, role, created, revoked."""
        for record in get_service().store.list_tokens():
            state = f"revoked {record.revoked_at}" if record.revoked_at else "active"
            click.echo(f"{record.name:<32} {record.role:<12} {record.created_at}  {state}")

    @tokens.command("revoke")
    @click.argument("name")
    def revoke(name: str):
        """Revoke a token by name; it stops working at once."""
        try:
            get_service().store.revoke_token(name, CLI_ACTOR)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"Revoked '{name}'.")

    app.cli.add_command(tokens)


def ensure_first_admin(store) -> str | None:
    """On a store with no tokens at all, create one admin token and return it (else None)."""
    if store.list_tokens():
        return None
    _, token = issue_token(store, "admin", "admin", CLI_ACTOR)
    return token
