"""`/api/v1/actions/<id>/accountable` and `/raci`: who answers for an action, and who else is involved."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..accountability import (
    RACI_TYPES,
    accountable_etag,
    add_party,
    display_name,
    owner_of,
    parties,
    remove_party,
    set_owner,
)
from ..app import get_service
from ..schemas import id_validator
from .identity import current_actor
from .nodes import IF_MATCH
from .security import requires

__all__ = ["blp"]

blp = Blueprint("accountability", __name__, url_prefix="/api/v1/actions",
                description="One accountable owner per action, plus responsible, consulted and informed parties.")

_ID = {"validate": id_validator("Not a valid id.")}


class PartySchema(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()
    relationship = fields.String(metadata={"description": "The id of the relationship that records the role."})


class OwnerAnswerSchema(Schema):
    action = fields.String()
    owner = fields.Nested(PartySchema, allow_none=True)
    warnings = fields.List(fields.String())


class OwnerInputSchema(Schema):
    class Meta:
        unknown = RAISE

    owner = fields.String(required=True, metadata={"description": "Id of a person, group or organisation."}, **_ID)


class RaciAnswerSchema(Schema):
    accountable = fields.List(fields.Nested(PartySchema))
    responsible = fields.List(fields.Nested(PartySchema))
    consulted = fields.List(fields.Nested(PartySchema))
    informed = fields.List(fields.Nested(PartySchema))


class RaciInputSchema(Schema):
    class Meta:
        unknown = RAISE

    role = fields.String(required=True, validate=validate.OneOf(sorted(RACI_TYPES)))
    party = fields.String(required=True, **_ID)


@blp.route("/<action_id>/accountable")
class Accountable(MethodView):
    @blp.response(200, OwnerAnswerSchema)
    def get(self, action_id):
        """The accountable owner (`null` when there is none); the ETag guards a later PUT."""
        assignment = owner_of(get_service(), action_id)
        return _owner_answer(assignment), 200, {"ETag": accountable_etag(assignment)}

    @requires("governance")
    @blp.arguments(OwnerInputSchema)
    @blp.response(200, OwnerAnswerSchema)
    @blp.doc(**IF_MATCH)
    def put(self, body, action_id):
        """Make this the action's one accountable owner, replacing any previous owner(s) in one change."""
        assignment = set_owner(get_service(), action_id, body["owner"], current_actor(),
                               request.headers.get("If-Match"))
        return _owner_answer(assignment), 200, {"ETag": accountable_etag(assignment)}


@blp.route("/<action_id>/raci")
class Raci(MethodView):
    @blp.response(200, RaciAnswerSchema)
    def get(self, action_id):
        """Everyone accountable, responsible, consulted or informed."""
        return parties(get_service(), action_id)

    @requires("governance")
    @blp.arguments(RaciInputSchema)
    @blp.response(201, RaciAnswerSchema)
    def post(self, body, action_id):
        """Record a responsible, consulted or informed party (repeating it changes nothing)."""
        service = get_service()
        _, created = add_party(service, action_id, body["role"], body["party"], current_actor())
        return parties(service, action_id), 201 if created else 200

    @requires("governance")
    @blp.arguments(RaciInputSchema, location="query")
    @blp.response(200, RaciAnswerSchema)
    def delete(self, args, action_id):
        """Remove a party's role: `?role=responsible&party=<id>`."""
        service = get_service()
        remove_party(service, action_id, args["role"], args["party"], current_actor())
        return parties(service, action_id)


def _owner_answer(assignment) -> dict:
    owner = assignment.owner
    return {"action": assignment.action.id, "warnings": assignment.warnings,
            "owner": None if owner is None else {
                "id": owner.id, "type": owner.type, "relationship": assignment.relationship.id,
                "name": display_name(get_service(), owner)}}
