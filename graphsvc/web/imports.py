"""Import: upload a workbook, CSV table, ZIP of tables or JSON document; preview it; then apply it.

Every upload is checked first as a dry run (the importer's own, in one rolled-back transaction) and
the page lists every problem by file, sheet, row and column, or says what would be created, updated
or left unchanged. A clean upload is kept in the instance folder under a random name that only this
person's signed session knows, for an hour at most; "Apply this import" runs the same import for
real and deletes it. Views validate, call graphsvc.importing and render: no rule is written twice.
"""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path

from flask import Response, abort, current_app, g, render_template, request, session

from ..app import get_service
from ..importing import MODES, ImportLimits, ImportOptions, InputFile, detect_format, import_files
from ..importing.templates import template_csv, template_xlsx
from . import web
from .formatting import phrase

__all__ = ["KEEP_SECONDS", "UPLOAD_FOLDER"]

IMPORT_ROLE = "coordinator"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = (".xlsx", ".csv", ".zip", ".json")
TABLES = ("nodes", "relationships")
UPLOAD_FOLDER = "imports"  # in the instance folder, unless IMPORT_UPLOAD_FOLDER names another
KEEP_SECONDS = 3600  # an upload not applied within the hour is deleted
SESSION_KEY = "import_upload"
UPLOAD_ENDPOINTS = frozenset({"web.import_preview", "web.import_apply"})
MODE_HINTS = {
    "merge": "Records whose id already exists are updated; blank cells keep what is stored.",
    "create_only": "Only new records are added; a row whose record already exists is a problem.",
}


@web.url_value_preprocessor
def larger_uploads(endpoint, _values):
    """The upload's size limit is the import's, not the 1 MiB of other forms. This runs before the
    blueprint's CSRF check, which is the first to read the form."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


# -- pages -------------------------------------------------------------------------------------------

@web.route("/import")
def import_form():
    _require_role()
    return render_template("web/imports_form.html", **_form_context())


@web.route("/import", methods=["POST"])
def import_preview():
    """Check the upload as a dry run; keep it for the apply step only when it is clean."""
    _require_role()
    upload = request.files.get("file")
    mode = request.form.get("mode", "merge")
    errors = {}
    if mode not in MODES:
        errors["mode"] = "Select merge or create only."
    if upload is None or not upload.filename:
        errors["file"] = "Select a file to import."
    elif not upload.filename.lower().endswith(EXTENSIONS):
        errors["file"] = "The file must be an Excel workbook (.xlsx), a CSV table (.csv), a ZIP of CSV tables " \
                         "(.zip) or a JSON document (.json)."
    if errors:
        return render_template("web/imports_form.html", **_form_context(mode, errors)), 400
    name = Path(upload.filename).name
    data = upload.read()
    result = _run(data, name, mode, dry_run=True)
    key = None
    _forget_upload()
    if not result.error_count:
        key = _keep(data)
        session[SESSION_KEY] = {"key": key, "name": name, "mode": mode, "at": time.time()}
    context = {**_result_context(result, name, mode), "key": key}
    return render_template("web/imports_preview.html", **context), result.status


@web.route("/import/apply", methods=["POST"])
def import_apply():
    """Run the previewed upload for real: the one this session kept, never a path the form names."""
    _require_role()
    kept = session.get(SESSION_KEY) or {}
    path = _kept_path(kept.get("key"))
    if kept.get("key") != request.form.get("key") or path is None:
        return render_template("web/imports_form.html", **_form_context(errors={
            "file": "The preview has expired or was replaced. Choose the file again to check it."})), 400
    data = path.read_bytes()
    result = _run(data, kept["name"], kept["mode"], dry_run=False)
    _forget_upload()
    context = _result_context(result, kept["name"], kept["mode"])
    if result.error_count:  # the store changed since the preview: nothing was written
        return render_template("web/imports_preview.html", **context, key=None), result.status
    return render_template("web/imports_done.html", **context)


@web.route("/import/template.xlsx")
def import_template_xlsx():
    buffer = io.BytesIO()
    template_xlsx(get_service().vocabulary, buffer)
    return _attachment(buffer.getvalue(), XLSX, "graphsvc-import-template.xlsx")


@web.route("/import/template.csv")
def import_template_csv():
    table = request.args.get("table", "nodes")
    if table not in TABLES:
        abort(404)
    text = template_csv(get_service().vocabulary, table)
    return _attachment(text.encode("utf-8"), "text/csv; charset=utf-8", f"graphsvc-{table}.csv")


# -- helpers -----------------------------------------------------------------------------------------

def _require_role() -> None:
    if not g.user.can(IMPORT_ROLE):
        abort(403)


def _run(data: bytes, name: str, mode: str, dry_run: bool):
    fmt = detect_format(name, data[:512]) or "unknown"
    options = ImportOptions(mode=mode, dry_run=dry_run, role=g.user.role,
                            limits=ImportLimits.from_config(current_app.config))
    return import_files(get_service(), [InputFile(name, io.BytesIO(data), fmt)], g.user.name, options)


def _form_context(mode: str = "merge", errors: dict | None = None) -> dict:
    errors = errors or {}
    return {
        "page_title": ("Error: " if errors else "") + "Import records",
        "errors": errors, "mode": mode,
        "error_list": [{"text": message, "href": f"#{field}"} for field, message in errors.items()],
        "mode_items": [{"value": value, "text": phrase(value), "hint": {"text": MODE_HINTS.get(value, "")},
                        "checked": value == mode} for value in MODES],
        "max_size": _size(current_app.config["IMPORT_MAX_BYTES"]),
    }


def _result_context(result, name: str, mode: str) -> dict:
    problems = [{**problem, "file": problem.get("file") or name} for problem in result.errors]
    if result.error_count:
        title = "Error: Problems with " + name
    else:
        title = ("Import applied: " if result.applied else "Check this import: ") + name
    return {
        "page_title": title, "name": name, "mode_text": phrase(mode), "result": result,
        "problems": problems, "unlisted": result.error_count - len(problems),
        "error_list": [{"text": _where(problem) + ": " + problem["message"], "href": f"#problem-{index}"}
                       for index, problem in enumerate(problems[:10], start=1)],
        "duplicates": result.possible_duplicates,
    }


def _where(problem: dict) -> str:
    parts = [problem.get("file")]
    if problem.get("sheet"):
        parts.append(f"sheet {problem['sheet']}")
    if problem.get("row") is not None:
        parts.append(f"row {problem['row']}")
    if problem.get("column"):
        parts.append(f"column {problem['column']}")
    return ", ".join(part for part in parts if part)


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_UPLOAD_FOLDER") or Path(current_app.instance_path) / UPLOAD_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep(data: bytes) -> str:
    """Store the upload under a random name (after deleting any older than the hour); return the name."""
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass
    key = secrets.token_urlsafe(24)
    (folder / f"{key}.upload").write_bytes(data)
    return key


def _kept_path(key) -> Path | None:
    if not isinstance(key, str) or not key or not key.replace("-", "").replace("_", "").isalnum():
        return None
    path = _folder() / f"{key}.upload"
    try:
        fresh = path.stat().st_mtime >= time.time() - KEEP_SECONDS
    except FileNotFoundError:
        return None
    return path if fresh else None


def _forget_upload() -> None:
    kept = session.pop(SESSION_KEY, None) or {}
    path = _kept_path(kept.get("key"))
    if path is not None:
        path.unlink(missing_ok=True)


def _attachment(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"
