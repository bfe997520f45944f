"""The national frameworks the system reports against: coverage and evidence packs (docs/frameworks.md).

`/api/v1/frameworks` and `/api/v1/frameworks/<id>` belong to the generic collection (api/nodes.py), so the
summaries of all frameworks are at `/api/v1/frameworks/coverage`; one framework's coverage at
`/api/v1/frameworks/<id>/coverage` and its evidence pack at `/api/v1/frameworks/<id>/evidence-pack`.
Reads, so any role from viewer up.
"""

from __future__ import annotations

import datetime as dt

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..queries.frameworks import NOT_IN_USE, evidence_pack, framework_coverage, framework_list
from ..queries.moments import Moment
from ..reports.evidence_pack import to_html, to_xlsx
from ..schemas import IsoDate
from .moments import AS_OF_RANGE, MomentSchema, moment_headers

__all__ = ["blp"]

blp = Blueprint("framework_reports", __name__, url_prefix="/api/v1/frameworks",
                description="The national frameworks the system reports against: coverage and evidence packs.")

TEXT = {"type": "string"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACK_DESCRIPTION = (
    "format=json (default): application/json, described by the schema. format=html: text/html, a print-ready A4 "
    "document (title page, contents, a page per top-level item, table headers repeated on each page; no scripts or "
    "external files). format=xlsx: a workbook with the sheets Items, Evidence and Indicators (frozen header row, "
    "formula-safe cells, an Example column), attachment evidence-pack-<framework>-<judged_on>.xlsx. Example "
    "(fictional) records are marked in every format.")


class CoverageFrameworkQuery(Schema):
    class Meta:
        unknown = RAISE

    judged_on = IsoDate(validate=AS_OF_RANGE, metadata={
        "description": "Judge indicators (latest value, trend, on or off track) as if today were this date; values "
                       "dated after it are left out. Default: today."})
    examples = fields.Boolean(load_default=True, metadata={
        "description": "Include fictional example records (default true); false leaves them out."})


class EvidencePackQuery(CoverageFrameworkQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "html", "xlsx")))


class CoveragePartySchema(Schema):
    id = fields.String(allow_none=True, metadata={"description": "Null for a person who is not named."})
    type = fields.String(allow_none=True)
    name = fields.String(metadata={"description": "Accountable owners are named; a person who leads is 'a person'."})
    example = fields.Boolean()


class CoverageWorkSchema(Schema):
    id, type, name = fields.String(), fields.String(), fields.String()
    status = fields.String(allow_none=True)
    owners = fields.List(fields.Nested(CoveragePartySchema), metadata={"description": "ACCOUNTABLE_FOR it."})
    leads = fields.List(fields.Nested(CoveragePartySchema), metadata={"description": "LEADS it (initiatives)."})
    example = fields.Boolean()


class CoverageOutcomeSchema(Schema):
    id, type, name = fields.String(), fields.String(), fields.String()
    level = fields.String(allow_none=True)
    owners = fields.List(fields.Nested(CoveragePartySchema))
    example = fields.Boolean()


class CoveragePointSchema(Schema):
    value = fields.Raw(metadata={"description": "A number."})
    date = fields.String(allow_none=True)
    period = fields.String(allow_none=True)


class CoverageIndicatorSchema(Schema):
    id, type, name = fields.String(), fields.String(), fields.String()
    unit, direction = fields.String(allow_none=True), fields.String(allow_none=True)
    target = fields.Raw(allow_none=True)
    target_date = fields.String(allow_none=True)
    latest = fields.Nested(CoveragePointSchema, allow_none=True,
                           metadata={"description": "The latest value by judged_on."})
    trend = fields.String(allow_none=True, metadata={"description": "improving, worsening, unchanged or null."})
    on_track = fields.Boolean(allow_none=True, metadata={"description": "Null without a value or a trajectory."})
    expected = fields.Raw(allow_none=True, metadata={"description": "The trajectory at the latest value's date."})
    series = fields.List(fields.Nested(CoveragePointSchema),
                         metadata={"description": "Evidence pack only: the values."})
    example = fields.Boolean()


class CoverageEvidenceSchema(Schema):
    work = fields.List(fields.Nested(CoverageWorkSchema))
    outcomes = fields.List(fields.Nested(CoverageOutcomeSchema))
    indicators = fields.List(fields.Nested(CoverageIndicatorSchema))


class CoverageItemSchema(CoverageEvidenceSchema):
    id, title = fields.String(), fields.String()
    code, kind = fields.String(allow_none=True), fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    description = fields.String(allow_none=True)
    depth = fields.Integer(metadata={"description": "0 for a top-level item, 1 for its parts, ..."})
    parent = fields.String(allow_none=True)
    parts = fields.List(fields.String(), metadata={"description": "Its parts (PART_OF it), in published order."})
    leaf = fields.Boolean()
    direct_evidence = fields.Boolean(metadata={"description": "Something EVIDENCES the item itself."})
    evidence = fields.Boolean(metadata={"description": "The item or any of its parts has evidence."})
    from_parts = fields.Nested(CoverageEvidenceSchema,
                               metadata={"description": "Its parts' evidence, each record once."})
    flags = fields.List(fields.String(), metadata={"description": "framework-item-without-evidence, or empty."})
    example = fields.Boolean()


class CoverageFrameworkSchema(Schema):
    id, name = fields.String(), fields.String()
    short_name, publisher, publication = (fields.String(allow_none=True) for _ in range(3))
    published, url, description, note = (fields.String(allow_none=True) for _ in range(4))
    example = fields.Boolean()


class CoverageSummarySchema(Schema):
    items, with_evidence, without_evidence = fields.Integer(), fields.Integer(), fields.Integer()
    leaves, leaves_with_evidence = fields.Integer(), fields.Integer()
    flagged = fields.Integer(metadata={"description": "Leaf items flagged framework-item-without-evidence."})


class CoverageFrameworkSummarySchema(CoverageFrameworkSchema):
    in_use = fields.Boolean(metadata={"description": "At least one item has evidence."})
    summary = fields.Nested(CoverageSummarySchema)


class CoverageFrameworkListSchema(Schema):
    frameworks = fields.List(fields.Nested(CoverageFrameworkSummarySchema))


class CoverageSchema(Schema):
    framework = fields.Nested(CoverageFrameworkSchema)
    judged_on = fields.String()
    graph_as_of = fields.Nested(MomentSchema)
    examples = fields.Boolean()
    in_use = fields.Boolean()
    in_use_note = fields.String(allow_none=True, metadata={"description": f"When not in use: '{NOT_IN_USE}'"})
    summary = fields.Nested(CoverageSummarySchema)
    items = fields.List(fields.Nested(CoverageItemSchema), metadata={"description": "Published order, parents first."})
    flagged = fields.List(fields.String(), metadata={"description": "Ids of the flagged items."})
    contains_examples = fields.Boolean()


class EvidencePackSectionSchema(Schema):
    id, code, title = fields.String(), fields.String(allow_none=True), fields.String()
    example = fields.Boolean()
    items = fields.List(fields.Nested(CoverageItemSchema),
                        metadata={"description": "The top-level item, then its parts."})


class EvidencePackSchema(CoverageSchema):
    sections = fields.List(fields.Nested(EvidencePackSectionSchema),
                           metadata={"description": "One per top-level item."})
    without_evidence = fields.List(fields.Nested(CoverageItemSchema),
                                   metadata={"description": "Items with no evidence."})


@blp.route("/coverage")
class Frameworks(MethodView):
    @blp.arguments(CoverageFrameworkQuery, location="query", unknown=RAISE)
    @blp.response(200, CoverageFrameworkListSchema)
    def get(self, args):
        """Every framework with its item counts: how many items have evidence and how many do not. (The
        records themselves are at GET /api/v1/frameworks.)"""
        return {"frameworks": framework_list(get_service(), args["examples"])}


@blp.route("/<framework_id>/coverage")
class Coverage(MethodView):
    @blp.arguments(CoverageFrameworkQuery, location="query", unknown=RAISE)
    @blp.response(200, CoverageSchema)
    def get(self, args, framework_id: str):
        """One framework's items in published order, each with the work, outcomes and indicators that
        EVIDENCES it (a parent also shows its parts'), and the framework-item-without-evidence flag."""
        return framework_coverage(get_service(), framework_id, _day(args), args["examples"])


@blp.route("/<framework_id>/evidence-pack")
class EvidencePack(MethodView):
    @blp.arguments(EvidencePackQuery, location="query", unknown=RAISE)
    @blp.response(200, EvidencePackSchema, description=PACK_DESCRIPTION)
    @blp.alt_response(200, schema=TEXT, content_type="text/html", success=True, description=PACK_DESCRIPTION)
    @blp.alt_response(200, schema=TEXT, content_type=XLSX, success=True, description=PACK_DESCRIPTION)
    def get(self, args, framework_id: str):
        """The evidence pack: the starting point of an annual return against the framework."""
        pack = evidence_pack(get_service(), framework_id, _day(args), args["examples"])
        headers = moment_headers(Moment(**pack["graph_as_of"]))
        if args["format"] == "html":
            return Response(to_html(pack), content_type="text/html; charset=utf-8", headers=headers)
        if args["format"] == "xlsx":
            response = Response(to_xlsx(pack), content_type=XLSX, headers=headers)
            response.headers["Content-Disposition"] = (
                f'attachment; filename="evidence-pack-{_safe(framework_id)}-{pack["judged_on"]}.xlsx"')
            return response
        return pack


def _day(args: dict) -> dt.date | None:
    return dt.date.fromisoformat(args["judged_on"]) if args.get("judged_on") else None


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)[:80]
