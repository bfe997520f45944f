"""`/api/v1/tokens`: token management (admin only). A new token is shown once, at creation."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..app import get_service
from ..auth import ROLES, issue_token
from .identity import current_actor
from .security import requires

__all__ = ["blp"]

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="Access tokens (admin only).")


class TokenSchema(Schema):
    name = fields.String()
    role = fields.String()
    created_at = fields.String()
    revoked_at = fields.String(allow_none=True)


class NewTokenSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 64))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The token itself: shown this once, store it safely."})


@blp.route("")
class Tokens(MethodView):
    @requires("admin")
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """Every token, revoked ones included (never the tokens themselves)."""
        return [record.as_dict() for record in get_service().store.list_tokens()]

    @requires("admin")
    @blp.arguments(NewTokenSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, body):
        """Create a token with a name and a role."""
        record, token = issue_token(get_service().store, body["name"], body["role"], current_actor())
        return {**record.as_dict(), "token": token}


@blp.route("/<name>")
class TokenItem(MethodView):
    @requires("admin")
    @blp.response(200, TokenSchema)
    def delete(self, name):
        """Revoke a token; it stops working at once and stays listed for the record."""
        return get_service().store.revoke_token(name, current_actor()).as_dict()
