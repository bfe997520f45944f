"""`/api/v1/import`: bulk import of a native JSON document, CSV tables or an Excel workbook, and the
spreadsheet templates. One transaction per import: everything is applied or nothing is."""

from __future__ import annotations

import io
from http import HTTPStatus

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from ..app import get_service
from ..importing import MODES, ImportLimits, ImportOptions, InputFile, detect_format, import_files
from ..importing.templates import template_csv, template_xlsx
from ..service import GraphService
from .identity import current_actor
from .security import current_identity, requires

__all__ = ["imports_blueprint"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_TYPES = {XLSX: "xlsx", "application/zip": "zip", "text/csv": "csv"}
BINARY = {"type": "string", "format": "binary"}
TABLES = ("nodes", "relationships")


class ImportQuery(Schema):
    mode = fields.String(load_default="merge", validate=validate.OneOf(MODES))
    dry_run = fields.Boolean(load_default=False)
    accept_duplicates = fields.Boolean(load_default=False)


class ProblemSchema(Schema):
    file = fields.String(allow_none=True, metadata={"description": "The file (or ZIP member) the problem is in."})
    sheet = fields.String(allow_none=True, metadata={"description": "Excel sheet, or the table/section."})
    row = fields.Integer(allow_none=True, metadata={"description": "Spreadsheet row (header = 1) or JSON item."})
    column = fields.String(allow_none=True, metadata={"description": "The column or field, if one is at fault."})
    message = fields.String()


class PossibleDuplicateSchema(ProblemSchema):
    type = fields.String()
    name = fields.String()
    matches = fields.Dict(metadata={"description": "The existing node it resembles: id, name, score (0-1)."})


class ToleratedSchema(ProblemSchema):
    rule = fields.String()


class ImportReportSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    applied = fields.Boolean(metadata={"description": "Whether anything was written (false on a dry run or errors)."})
    dry_run = fields.Boolean()
    rows = fields.Integer(metadata={"description": "Rows read."})
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ProblemSchema), metadata={"description": "Every problem, with its place "
                                                                               "(the first 1,000)."})
    error_count = fields.Integer()
    possible_duplicates = fields.List(fields.Nested(PossibleDuplicateSchema))
    tolerated = fields.List(fields.Nested(ToleratedSchema))


REQUEST_BODY = {
    "required": True,
    "description": "A native JSON document `{\"nodes\": [...], \"relationships\": [...]}`; or multipart form "
                   "data with one or more `file` parts (.json, .xlsx, .zip of CSV tables, .csv) and/or `nodes` "
                   "and `relationships` CSV parts; or a raw .xlsx, .zip or .csv body. See docs/import.md.",
    "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "nodes": {"type": "array", "items": {"type": "object"}},
            "relationships": {"type": "array", "items": {"type": "object"}}}}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "array", "items": BINARY}, "nodes": BINARY, "relationships": BINARY}}},
        XLSX: {"schema": BINARY},
        "application/zip": {"schema": BINARY},
        "text/csv": {"schema": BINARY},
    },
}
QUERY = [
    {"in": "query", "name": "mode", "schema": {"type": "string", "enum": list(MODES), "default": "merge"},
     "description": "merge: update records whose id exists (blank cells keep stored values); create_only: refuse "
                    "rows whose record exists."},
    {"in": "query", "name": "dry_run", "schema": {"type": "boolean", "default": False},
     "description": "Check and count everything, write nothing."},
    {"in": "query", "name": "accept_duplicates", "schema": {"type": "boolean", "default": False},
     "description": "Create rows without an id even when they look like an existing record."},
]


def imports_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("import", __name__, url_prefix="/api/v1/import",
                    description="Bulk import (JSON, CSV, Excel) with row-level errors, and spreadsheet templates.")

    @blp.before_request
    def larger_bodies():
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]  # files, not API calls

    @blp.route("")
    class Import(MethodView):
        @requires("coordinator")
        @blp.doc(requestBody=REQUEST_BODY, parameters=QUERY)
        @blp.response(200, ImportReportSchema, description="Imported (or, on a dry run, checked): the counts.")
        @blp.alt_response(422, schema=ImportReportSchema,
                          description="Nothing was imported: every problem is listed with its place.")
        @blp.alt_response(413, schema=ImportReportSchema,
                          description="Nothing was imported: a file is over a size limit (docs/import.md, Limits).")
        def post(self):
            """Import nodes and relationships in one transaction (coordinator; governance-only fields and
            relationships need the governance role)."""
            try:
                args = ImportQuery().load(request.args.to_dict())
            except ValidationError as exc:
                return _report_only([(name, " ".join(map(str, messages))) for name, messages in exc.messages.items()])
            options = ImportOptions(mode=args["mode"], dry_run=args["dry_run"],
                                    accept_duplicates=args["accept_duplicates"], role=current_identity().role,
                                    limits=ImportLimits.from_config(current_app.config))
            files = _input_files()
            if not files:
                return _report_only([(None, "Send a JSON document, a multipart upload with a 'file' part, or an "
                                            ".xlsx, .zip or .csv body.")])
            result = import_files(get_service(), files, current_actor(), options)
            status = result.status
            return {"code": status, "status": HTTPStatus(status).phrase, **result.as_dict()}, status

    Import.post.accepts_any_body = True  # JSON or files: the view reads the body itself

    @blp.route("/template.xlsx")
    class TemplateWorkbook(MethodView):
        @blp.response(200, BINARY, content_type=XLSX,
                      description="An Excel workbook: sheets nodes and relationships with every column, and a "
                                  "guide sheet listing each type's columns and allowed values.")
        def get(self):
            """The Excel import template."""
            buffer = io.BytesIO()
            template_xlsx(get_service().vocabulary, buffer)
            return _attachment(buffer.getvalue(), XLSX, "graphsvc-import-template.xlsx")

    @blp.route("/template.csv")
    class TemplateCsv(MethodView):
        @blp.doc(parameters=[{"in": "query", "name": "table", "schema": {"type": "string", "enum": list(TABLES),
                                                                         "default": "nodes"},
                              "description": "Which table: nodes (default) or relationships."}])
        @blp.response(200, BINARY, content_type="text/csv",
                      description="The header row of the nodes or relationships CSV table.")
        def get(self):
            """A CSV import template (header row) for the nodes or the relationships table."""
            table = request.args.get("table", "nodes")
            if table not in TABLES:
                abort(422, message="table must be 'nodes' or 'relationships'.", errors={"table": ["Not allowed."]})
            text = template_csv(get_service().vocabulary, table)
            return _attachment(text.encode("utf-8"), "text/csv; charset=utf-8", f"graphsvc-{table}.csv")

    return blp


def _input_files() -> list[InputFile]:
    mimetype = request.mimetype
    if request.is_json:
        return [InputFile("request.json", io.BytesIO(request.get_data()), "json")]
    if mimetype == "multipart/form-data":
        files = []
        for field, upload in request.files.items(multi=True):
            stream = io.BytesIO(upload.read())
            name = upload.filename or field
            section = field if field in TABLES else None
            fmt = "csv" if section else detect_format(name, stream.getvalue()[:512])
            files.append(InputFile(name, stream, fmt or "unknown", section))
        return files
    if mimetype in RAW_TYPES:
        return [InputFile(f"request.{RAW_TYPES[mimetype]}", io.BytesIO(request.get_data()), RAW_TYPES[mimetype])]
    abort(415, message="Send JSON (application/json), a multipart upload (multipart/form-data), or an .xlsx, "
                       ".zip or .csv body with its content type.")
    return []


def _report_only(problems: list[tuple[str | None, str]]):
    """A 422 import report for a request that never got as far as reading rows (options, no file)."""
    errors = [{"file": None, "sheet": None, "row": None, "column": column, "message": message}
              for column, message in problems]
    message = f"{len(errors)} problem(s) found; nothing was imported."
    return {"code": 422, "status": "Unprocessable Entity", "message": message, "applied": False, "dry_run": False,
            "rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": errors, "error_count": len(errors),
            "possible_duplicates": [], "tolerated": []}, 422


def _attachment(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
