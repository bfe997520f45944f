"""The import pages: upload, a dry-run preview with every problem located, apply, and the templates."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from graphsvc.exporting import node_records, relationship_records
from tests.web.conftest import csrf_token

CLEAN = "id,type,name\norg-import-a,Organisation,Import Test Alpha\norg-import-b,Organisation,Import Test Beta\n"
BAD = ("id,type,name,baseline\nindicator-ok,Indicator,Fine,3\nindicator-bad,Indicator,Broken,lots\n"
       "thing-x,Nonsense,What\n")


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path):
    """Kept uploads go to the test's own folder, not the instance folder."""
    app.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def snapshot(service):
    graph = service.graph()
    return node_records(graph), relationship_records(graph)


def upload(browser, data: bytes, name: str, mode: str = "merge", token: str | None = None):
    form = {"file": (io.BytesIO(data), name), "mode": mode,
            "csrf_token": token if token is not None else csrf_token(browser, "/import")}
    return browser.post("/import", data=form, content_type="multipart/form-data")


def apply(browser, page) -> object:
    key = page.text.split('name="key" value="', 1)[1].split('"', 1)[0]
    return browser.post("/import/apply", data={"key": key, "csrf_token": csrf_token(browser, "/import")})


def test_a_coordinator_sees_the_form_with_modes_and_templates(person_as):
    page = person_as("coordinator").get("/import")
    assert page.status_code == 200
    for text in ('enctype="multipart/form-data"', 'type="file"', 'accept=".xlsx,.csv,.zip,.json"',
                 'value="merge"', 'value="create_only"', 'href="/import/template.xlsx"',
                 'href="/import/template.csv?table=nodes"', 'href="/import/template.csv?table=relationships"',
                 'name="csrf_token"'):
        assert text in page.text, text
    assert '<a class="nhsuk-header__navigation-link" href="/import"' in page.text or 'href="/import"' in page.text


@pytest.mark.parametrize("method, path", [("get", "/import"), ("post", "/import"), ("post", "/import/apply")])
def test_a_viewer_may_not_import(person_as, method, path):
    viewer = person_as("viewer")
    data = {"csrf_token": csrf_token(viewer, "/")} if method == "post" else None
    answer = getattr(viewer, method)(path, data=data)
    assert answer.status_code == 403
    assert "You do not have permission" in answer.text
    assert 'href="/import"' not in viewer.get("/").text  # no navigation entry either


def test_posts_without_the_csrf_token_are_refused(person_as, service):
    coordinator = person_as("coordinator")
    before = snapshot(service)
    assert upload(coordinator, CLEAN.encode(), "nodes.csv", token="").status_code == 400
    assert coordinator.post("/import/apply", data={"key": "x"}).status_code == 400
    assert snapshot(service) == before


def test_a_clean_csv_dry_run_shows_the_counts_and_writes_nothing_then_apply_writes(person_as, service,
                                                                                   upload_folder):
    coordinator = person_as("coordinator")
    before = snapshot(service)
    preview = upload(coordinator, CLEAN.encode(), "nodes.csv")
    assert preview.status_code == 200, preview.text
    assert "Check this import" in preview.text and "Nothing has been written yet" in preview.text
    assert "Would be created</dt>" in preview.text
    assert '<dd class="nhsuk-summary-list__value">2</dd>' in preview.text
    assert "Apply this import" in preview.text
    assert snapshot(service) == before
    assert len(list(upload_folder.glob("*.upload"))) == 1  # kept for the apply step only

    done = apply(coordinator, preview)
    assert done.status_code == 200, done.text
    assert "Import applied" in done.text and "2 created" in done.text
    assert service.get_node("org-import-a").properties["name"] == "Import Test Alpha"
    assert len(snapshot(service)[0]) == len(before[0]) + 2
    # The kept upload is gone: applying again is refused, and nothing is written twice.
    again = apply(coordinator, preview)
    assert again.status_code == 400 and "expired" in again.text
    assert not list(upload_folder.glob("*.upload"))


def test_create_only_mode_refuses_existing_records(person_as):
    coordinator = person_as("coordinator")
    assert apply(coordinator, upload(coordinator, CLEAN.encode(), "nodes.csv")).status_code == 200
    again = upload(coordinator, CLEAN.encode(), "nodes.csv", mode="create_only")
    assert again.status_code == 422
    assert "Apply this import" not in again.text
    merged = upload(coordinator, CLEAN.encode(), "nodes.csv")
    assert merged.status_code == 200 and "Would be unchanged" in merged.text


def test_an_apply_key_from_another_session_is_refused(person_as, service):
    first, second = person_as("coordinator"), person_as("coordinator")
    preview = upload(first, CLEAN.encode(), "nodes.csv")
    before = snapshot(service)
    assert apply(second, preview).status_code == 400
    assert snapshot(service) == before


def test_a_file_with_problems_lists_each_by_sheet_row_and_column(person_as, service):
    coordinator = person_as("coordinator")
    before = snapshot(service)
    page = upload(coordinator, BAD.encode(), "bad.csv")
    assert page.status_code == 422
    assert "There is a problem" in page.text and "Nothing was imported" in page.text
    assert "Apply this import" not in page.text
    rows = [[cell.strip() for cell in row.split('<td class="nhsuk-table__cell">')[1:]]
            for row in page.text.split('<tr class="nhsuk-table__row" id="problem-')[1:]]
    located = {(cells[0].split("<")[0], cells[1].split("<")[0], cells[2].split("<")[0], cells[3].split("<")[0])
               for cells in rows}
    assert ("bad.csv", "nodes", "3", "baseline") in located, located
    assert any(row[2] == "4" for row in located), located
    assert 'href="#problem-1"' in page.text  # the error summary links to the table
    assert snapshot(service) == before


def test_a_wrong_kind_of_file_or_no_file_is_a_field_error(person_as):
    coordinator = person_as("coordinator")
    missing = coordinator.post("/import", data={"mode": "merge", "csrf_token": csrf_token(coordinator, "/import")})
    assert missing.status_code == 400 and "Select a file to import." in missing.text
    wrong = upload(coordinator, b"hello", "notes.txt")
    assert wrong.status_code == 400 and "The file must be" in wrong.text
    bad_mode = upload(coordinator, CLEAN.encode(), "nodes.csv", mode="overwrite")
    assert bad_mode.status_code == 400 and "Select merge or create only." in bad_mode.text


def test_hostile_files_get_a_clear_page_not_a_500(person_as, service):
    coordinator = person_as("coordinator")
    before = snapshot(service)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", b"id,type,name\n" + b"\n" * (200 * 1024 * 1024))
    deep = ('{"nodes": [' + "[" * 5000 + "]" * 5000 + "]}").encode()
    for data, name in ((bomb.getvalue(), "bomb.zip"), (deep, "deep.json"), (b"\x00\xff garbage", "broken.xlsx")):
        page = upload(coordinator, data, name)
        assert page.status_code in (413, 422), (name, page.status_code)
        assert "There is a problem" in page.text and name in page.text
        assert "Nothing was imported" in page.text
    assert snapshot(service) == before


def test_the_upload_may_be_larger_than_other_forms(app, person_as):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    coordinator = person_as("coordinator")
    rows = "".join(f"org-big-{n},Organisation,Big import {n}\n" for n in range(200))
    page = upload(coordinator, ("id,type,name\n" + rows).encode(), "nodes.csv")
    assert page.status_code == 200, page.status_code
    assert '<dd class="nhsuk-summary-list__value">200</dd>' in page.text


def test_the_templates_download(person_as):
    coordinator = person_as("coordinator")
    workbook = coordinator.get("/import/template.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(workbook.data)).sheetnames == ["nodes", "relationships", "guide"]
    for table, first in (("nodes", ["id", "type"]), ("relationships", ["id", "type", "from", "to"])):
        answer = coordinator.get(f"/import/template.csv?table={table}")
        assert answer.status_code == 200 and answer.content_type.startswith("text/csv")
        header = next(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
        assert header[:len(first)] == first
    assert coordinator.get("/import/template.csv?table=secrets").status_code == 404


def test_a_json_document_previews_too(person_as):
    coordinator = person_as("coordinator")
    document = {"nodes": [{"id": "org-json", "type": "Organisation", "name": "Json Org"}], "relationships": []}
    page = upload(coordinator, json.dumps(document).encode(), "graph.json")
    assert page.status_code == 200 and "Apply this import" in page.text
