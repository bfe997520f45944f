"""`/api/v1/indicators/<id>/measurements` and the measurement tables (docs/impact.md).

An indicator's series is recorded through the indicator, like progress updates through their action
(graphsvc/api/progress.py): the body's schema is built from the vocabulary's Measurement when the app
loads it, registered in the OpenAPI document when this blueprint joins an app, and checked by
``graphsvc.measurements.record_measurement``, which the web form calls too. How the series stands
(latest value, trend, on or off track) is ``graphsvc.analysis.indicators.judge``'s answer, never
worked out here. The tables (CSV or Excel, one row per value) live in graphsvc.measurement_tables.
"""

from __future__ import annotations

import datetime as dt
import io
from http import HTTPStatus

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..app import get_service
from ..importing import ImportLimits, ImportResult, InputFile, detect_format
from ..measurement_tables import TABLE_FORMATS, export_table, import_table
from ..measurements import (
    INDICATOR,
    MAX_BREAKDOWN,
    MEASUREMENT,
    RECORD_ROLE,
    indicator_summary,
    measurement_entries,
    measurement_input_schema,
    new_entry,
    record_measurement,
)
from ..schemas import IsoDate, property_field
from ..service import node_etag
from .identity import current_actor
from .imports import BINARY, ImportReportSchema
from .nodes import IF_MATCH
from .security import requires
from .subcollections import PageQuerySchema, json_answer, schema_ref

__all__ = ["blp"]

blp = Blueprint("indicator_measurements", __name__, url_prefix="/api/v1/indicators",
                description="An indicator's measurements: its series, recorded, imported and exported.")

INPUT, ENTRY, PAGE, RECORDED = ("MeasurementRecordInput", "MeasurementEntry", "MeasurementList",
                                "MeasurementRecorded")
BREAKDOWN_DESCRIPTION = (f"At most {MAX_BREAKDOWN} ids, each a Population or a Place the value is for; absent or "
                         "empty for the whole population. A broken-down value needs `people` (at least 10).")


class MeasurementsQuerySchema(PageQuerySchema):
    judged_on = IsoDate(load_default=None, metadata={
        "description": "The day the latest value is judged on (values dated after it are not yet known); "
                       "default today (UTC)."})


class ExportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="csv", validate=validate.OneOf(TABLE_FORMATS))
    indicator = fields.String(load_default=None, validate=validate.Length(1, 200),
                              metadata={"description": "Only this indicator's values (its id)."})
    examples = fields.Boolean(load_default=True, metadata={
        "description": "false leaves out the values of example (fictional) indicators."})


class ImportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    dry_run = fields.Boolean(load_default=False)


class BreakdownPartSchema(Schema):
    id = fields.String()
    type = fields.String(metadata={"description": "Population or Place."})
    name = fields.String()


class TrajectorySchema(Schema):
    start = fields.String()
    baseline = fields.Float()
    end = fields.String()
    target = fields.Float()


@blp.record_once
def _document(state) -> None:
    """Name the vocabulary-made schemas in this app's OpenAPI document (the operations refer to them)."""
    service = get_service(state.app)
    spec = state.app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    entry = _entry_schema(service)
    body = measurement_input_schema(service.schemas)
    spec.components.schema(INPUT, schema=type(INPUT, (body,), {
        "breakdown": fields.List(fields.String(), validate=validate.Length(max=MAX_BREAKDOWN),
                                 metadata={"description": BREAKDOWN_DESCRIPTION})}))
    indicator = type("MeasuredIndicator", (Schema,), {
        "id": fields.String(), "example": fields.Boolean(),
        **{name: property_field(spec_) for name, spec_ in service.vocabulary.node_type(INDICATOR).properties.items()
           if name in ("name", "unit", "direction", "baseline", "baseline_date", "target", "target_date")}})
    judgement = type("IndicatorJudgement", (Schema,), {
        "latest": fields.Nested(entry, allow_none=True), "previous": fields.Nested(entry, allow_none=True),
        "points": fields.Integer(metadata={"description": "Whole-population values known on the day judged."}),
        "trend": fields.String(allow_none=True, metadata={"description": "improving, worsening or unchanged."}),
        "expected": fields.Float(allow_none=True, metadata={
            "description": "The trajectory at the latest value's date."}),
        "on_track": fields.Boolean(allow_none=True, metadata={
            "description": "null without a value or a trajectory to judge it by."}),
        "trajectory": fields.Nested(TrajectorySchema, allow_none=True)})
    spec.components.schema(ENTRY, schema=entry)
    spec.components.schema(PAGE, schema=type(PAGE, (Schema,), {
        "indicator": fields.Nested(indicator), "judged_on": fields.String(), "judgement": fields.Nested(judgement),
        "items": fields.List(fields.Nested(entry), metadata={"description": "Newest first."}),
        "total": fields.Integer(), "limit": fields.Integer(), "offset": fields.Integer()}))
    spec.components.schema(RECORDED, schema=type(RECORDED, (Schema,), {
        "measurement": fields.Nested(entry), "indicator": fields.Nested(indicator)}))


@blp.route("/<indicator_id>/measurements")
class Measurements(MethodView):
    @blp.arguments(MeasurementsQuerySchema, location="query")
    @blp.response(200)
    @blp.doc(responses={"200": json_answer(PAGE, "The indicator, how its latest value stands, and its values newest "
                                             "first; the ETag is the indicator's, for a later POST's If-Match.")})
    def get(self, args, indicator_id):
        """An indicator's measurements, newest first (breakdowns included), with the judgement of its
        series on `judged_on`: latest and previous value, trend, expected value and on or off track."""
        service = get_service()
        indicator = service.get_node(indicator_id, INDICATOR)
        judged_on = dt.date.fromisoformat(args["judged_on"]) if args["judged_on"] else None
        answer = measurement_entries(service, indicator_id, args["limit"], args["offset"], judged_on)
        return answer, 200, {"ETag": node_etag(indicator)}

    @requires(RECORD_ROLE)
    @blp.response(201)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": schema_ref(INPUT)}}},
             responses={"201": json_answer(RECORDED, "The measurement as recorded, and its indicator after it."),
                        **IF_MATCH["responses"]},
             parameters=IF_MATCH["parameters"])
    def post(self, indicator_id):
        """Record a value: `period`, `value`, `date` (the day the period ends, not after today, UTC),
        `source`, `people`, `note`, and `breakdown` (a population and/or place). A whole-population value
        that is the newest by date becomes the indicator's `latest_value`/`latest_date`; a back-dated one
        moves nothing back. The value is example data exactly when the indicator is."""
        service = get_service()
        saved = record_measurement(service, indicator_id, request.get_json(silent=True), current_actor(),
                                   request.headers.get("If-Match"))
        answer = {"measurement": new_entry(saved), "indicator": indicator_summary(saved.indicator)}
        location = url_for(f"{service.node_type(MEASUREMENT).plural}.Item", node_id=saved.measurement.id)
        return answer, 201, {"ETag": node_etag(saved.indicator), "Location": location}


@blp.route("/measurements/export")
class MeasurementsExport(MethodView):
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, BINARY, content_type="text/csv",
                  description="One row per measurement: indicator, period, date, value, source, people, "
                              "population, place, note.")
    @blp.alt_response(200, schema=BINARY, content_type=TABLE_FORMATS["xlsx"], success=True,
                      description="The same table as an Excel workbook (format=xlsx).")
    def get(self, args):
        """The measurement table (every indicator's values, or one's), ready to edit and import back."""
        service = get_service()
        if args["indicator"] is not None:
            service.get_node(args["indicator"], INDICATOR)  # 404 for an unknown one, not an empty table
        body, filename = export_table(service, args["format"], args["indicator"], args["examples"])
        response = Response(body, content_type=TABLE_FORMATS[args["format"]])
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@blp.route("/measurements/import")
class MeasurementsImport(MethodView):
    @requires(RECORD_ROLE)
    @blp.doc(requestBody={"required": True, "content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "properties": {"file": BINARY, "dry_run": {"type": "boolean"}}}},
                 "application/json": {"schema": {"type": "object", "properties": {"rows": {
                     "type": "array",
                     "items": {"type": "object", "description": "One value: the table's columns."}}}}}}},
             parameters=[{"in": "query", "name": "dry_run", "schema": {"type": "boolean", "default": False},
                          "description": "Check every row, write nothing."}])
    @blp.response(200, ImportReportSchema, description="Imported (or, on a dry run, checked): the counts.")
    @blp.alt_response(422, schema=ImportReportSchema,
                      description="Nothing was imported: every problem is listed with its row and column.")
    @blp.alt_response(413, schema=ImportReportSchema, description="Nothing was imported: the file is too large.")
    def post(self):
        """Import a measurement table (CSV or Excel, as the export writes it): every row is checked
        first, by the same rules as a recorded value, and nothing is written unless all pass."""
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
        try:
            args = ImportQuerySchema().load({**request.args.to_dict(), **_form_flags()})
        except ValidationError as exc:
            return _report([(name, " ".join(map(str, messages))) for name, messages in exc.messages.items()])
        files = _uploaded()
        if len(files) != 1:
            return _report([("file", "Send one measurement table as the multipart part 'file' (.csv or .xlsx), "
                                     "or the rows as JSON.")])
        limits = ImportLimits.from_config(current_app.config)
        return _report_of(import_table(get_service(), files[0], current_actor(), args["dry_run"], limits))

    post.accepts_any_body = True  # a multipart upload: the view reads the body itself


def _report(problems: list[tuple[str | None, str]]):
    """The import report for a request that never got as far as reading rows (its options, no file)."""
    result = ImportResult()
    for column, message in problems:
        result.errors.append({"file": None, "sheet": None, "row": None, "column": column, "message": message})
        result.error_count += 1
    return _report_of(result)


def _report_of(result: ImportResult):
    status = result.status
    return {"code": status, "status": HTTPStatus(status).phrase, **result.as_dict()}, status


def _form_flags() -> dict:
    """``dry_run`` may come as a form field beside the file, as a web form sends it."""
    return {"dry_run": request.form["dry_run"]} if "dry_run" in request.form else {}


def _uploaded() -> list[InputFile]:
    """The JSON body, or the multipart ``file`` parts, each read into memory (within the size limit)."""
    if request.is_json:
        return [InputFile("request.json", io.BytesIO(request.get_data()), "json")]
    if request.mimetype != "multipart/form-data":
        return []
    found = []
    for upload in request.files.getlist("file"):
        data = upload.read()
        name = upload.filename or "file"
        found.append(InputFile(name, io.BytesIO(data), detect_format(name, data[:512]) or "unknown"))
    return found


def _entry_schema(service) -> type[Schema]:
    """A measurement as the API shows it: the vocabulary's properties, its breakdown, its last change."""
    node_type = service.vocabulary.node_type(MEASUREMENT)
    attrs = {"id": fields.String(), **{name: property_field(spec) for name, spec in node_type.properties.items()},
             "breakdown": fields.List(fields.Nested(BreakdownPartSchema), metadata={
                 "description": "The population and/or place the value is for; empty for the whole population."}),
             "updated_at": fields.String(allow_none=True, metadata={"description": "UTC time of its last change."})}
    return type(ENTRY, (Schema,), attrs)
