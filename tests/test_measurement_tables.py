"""Measurement tables: export to CSV and Excel, import back, located errors, all-or-nothing writes,
dry runs and hostile files. Every name and figure here is fictional."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from graphsvc.importing import ImportLimits, InputFile
from graphsvc.measurement_tables import COLUMNS, import_table
from graphsvc.measurements import record_measurement

EXPORT = "/api/v1/indicators/measurements/export"
IMPORT = "/api/v1/indicators/measurements/import"
INDICATOR, OTHER = "indicator-heron-uptake", "indicator-heron-waits"
HEADER = ",".join(COLUMNS)


@pytest.fixture
def indicators(service):
    service.create_node("Indicator", {"id": INDICATOR, "name": "Heron clinic uptake", "unit": "%",
                                      "direction": "increase"}, "test")
    service.create_node("Indicator", {"id": OTHER, "name": "Heron clinic waits", "direction": "decrease",
                                      "example": True}, "test")
    service.create_node("Population", {"id": "population-heron", "name": "Heron families"}, "test")
    service.create_node("Place", {"id": "place-heron", "name": "Heron Ward"}, "test")
    return service


@pytest.fixture
def series(indicators):
    """Three values, one broken down, one with formula-like text a spreadsheet would run."""
    record_measurement(indicators, INDICATOR, {"period": "Q1 2026/27", "value": 41.5, "date": "2026-06-30",
                                               "source": "=HYPERLINK(\"http://example.invalid\")"}, "test")
    record_measurement(indicators, INDICATOR, {"period": "Q2 2026/27", "value": 38, "date": "2026-09-30",
                                               "people": 64, "breakdown": ["population-heron", "place-heron"],
                                               "note": "-2 on the quarter"}, "test")
    record_measurement(indicators, OTHER, {"period": "2025/26", "value": 12, "date": "2026-03-31"}, "test")
    return indicators


def count(service) -> int:
    return service.list_nodes("Measurement", limit=500)[1]


def upload(client, body: bytes, name: str, query: str = ""):
    return client.post(IMPORT + query, data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")


def csv_table(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode()


def test_csv_export_lists_every_value_with_ids_and_neutralises_formulas(series, client_as):
    answer = client_as("viewer").get(EXPORT)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["indicator"] for row in rows] == [INDICATOR, INDICATOR, OTHER]
    first, split = rows[0], rows[1]
    assert first["source"] == "'=HYPERLINK(\"http://example.invalid\")"  # shown as text, never run
    assert (split["population"], split["place"], split["people"]) == ("population-heron", "place-heron", "64")
    assert split["note"] == "'-2 on the quarter"
    only = list(csv.DictReader(io.StringIO(client_as("viewer").get(f"{EXPORT}?indicator={OTHER}").get_data(
        as_text=True))))
    assert [row["indicator"] for row in only] == [OTHER]
    real = client_as("viewer").get(f"{EXPORT}?examples=false").get_data(as_text=True)
    assert OTHER not in real and INDICATOR in real
    assert client_as("viewer").get(f"{EXPORT}?indicator=indicator-missing").status_code == 404
    assert client_as("viewer").get(f"{EXPORT}?format=pdf").status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(series, client, tmp_path, fmt):
    exported = client.get(f"{EXPORT}?format={fmt}").get_data()
    again = upload(client, exported, f"measurements.{fmt}").get_json()
    assert again["applied"] and (again["created"], again["unchanged"]) == (0, 3)  # already held: nothing added
    # Into a second system with the same indicators, the table makes the same series.
    from graphsvc import create_app
    from graphsvc.app import get_service

    other = create_app({"DATABASE": str(tmp_path / "other.sqlite3"), "TESTING": True})
    service = get_service(other)
    for node in series.list_nodes("Indicator")[0] + series.list_nodes("Population")[0] + \
            series.list_nodes("Place")[0]:
        service.create_node(node.type, {"id": node.id, **node.properties}, "test")
    result = import_table(service, InputFile(f"m.{fmt}", io.BytesIO(exported), fmt), "test")
    assert result.applied and result.created == 3, result.errors

    def values(svc):
        found = set()
        for node in svc.list_nodes("Measurement")[0]:
            parts = tuple(sorted(r.target for r in svc.store.relationships_of(node.id) if r.type == "BROKEN_DOWN_BY"))
            found.add((tuple(sorted(node.properties.items())), parts))
        return found

    assert values(service) == values(series)
    assert service.get_node(OTHER).properties["latest_value"] == 12


def test_names_resolve_and_a_valid_table_writes_and_keeps_the_indicator_in_step(indicators, client_as):
    table = csv_table("Heron clinic uptake,Q1,2026-06-30,40,Heron return (fictional),,,,",
                      f"{INDICATOR},Q2,2026-09-30,44,,,,,",
                      f"{INDICATOR},Q2,2026-09-30,31,,25,Heron families,Heron Ward,")
    answer = upload(client_as("coordinator"), table, "m.csv")
    body = answer.get_json()
    assert answer.status_code == 200 and body["applied"] and body["created"] == 3 and body["rows"] == 3
    assert count(indicators) == 3
    held = indicators.get_node(INDICATOR).properties
    assert (held["latest_value"], held["latest_date"]) == (44, "2026-09-30")


def test_errors_are_located_and_one_bad_row_writes_nothing(indicators, client_as):
    table = csv_table(f"{INDICATOR},Q1,2026-06-30,40,,,,,",
                      f"{INDICATOR},Q2,2026-09-30,31,,6,population-heron,,",
                      "indicator-missing,Q2,2026-09-30,1,,,,,",
                      f"{INDICATOR},Q3,2026-09-31,lots,,,,,",
                      f"{INDICATOR},Q4,2026-09-30,5,,,,place-heron,",
                      f"{INDICATOR},Q5,2026-09-30,5,,20,,Heron Pond,",
                      f"{INDICATOR},Q1,2026-06-30,40,,,,,")
    answer = upload(client_as("coordinator"), table, "m.csv")
    body = answer.get_json()
    assert answer.status_code == 422 and body["applied"] is False
    located = {(error["row"], error["column"]) for error in body["errors"]}
    assert located == {(3, "people"), (4, "indicator"), (5, "date"), (5, "value"), (6, "people"), (7, "place"),
                       (8, "period")}
    by_row = {error["row"]: error["message"] for error in body["errors"]}
    assert by_row[3].startswith("A value describing fewer than 10 people is refused")
    assert "how many people it describes" in by_row[6] and "Row 2 already gives" in by_row[8]
    assert count(indicators) == 0 and "latest_value" not in indicators.get_node(INDICATOR).properties


def test_a_differing_value_for_a_held_period_is_refused_not_doubled(series, client):
    table = csv_table(f"{INDICATOR},Q1 2026/27,2026-06-30,43,,,,,")
    body = upload(client, table, "m.csv").get_json()
    assert body["errors"][0]["column"] == "value" and "already has a different value" in body["errors"][0]["message"]
    assert count(series) == 3


def test_a_dry_run_checks_every_row_and_writes_nothing(indicators, client):
    table = csv_table(f"{INDICATOR},Q1,2026-06-30,40,,,,,", f"{INDICATOR},Q2,2026-09-30,44,,,,,")
    for query, form in (("?dry_run=true", {}), ("", {"dry_run": "true"})):
        answer = client.post(IMPORT + query, data={"file": (io.BytesIO(table), "m.csv"), **form},
                             content_type="multipart/form-data")
        body = answer.get_json()
        assert answer.status_code == 200 and body["dry_run"] and not body["applied"] and body["created"] == 2
        assert body["message"].startswith("Dry run")
    assert count(indicators) == 0


def test_a_future_date_is_refused_on_import_too(indicators):
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)).isoformat()
    result = import_table(indicators, InputFile("m.csv", io.BytesIO(csv_table(f"{INDICATOR},Q9,{later},1,,,,,")),
                                                "csv"), "test")
    assert result.errors[0]["column"] == "date" and "cannot be after today" in result.errors[0]["message"]


@pytest.mark.parametrize("header, column", [("indicator,period,date,value,colour", "colour"),
                                            ("indicator,period,value", "date")])
def test_a_bad_header_is_refused_at_row_one(indicators, client, header, column):
    body = upload(client, f"{header}\r\n".encode(), "m.csv").get_json()
    assert body["errors"][0]["row"] == 1 and body["errors"][0]["column"] == column


def test_a_workbook_with_a_formula_is_refused(indicators, client):
    book = Workbook()
    sheet = book.active
    sheet.title = "measurements"
    sheet.append(list(COLUMNS))
    sheet.append([INDICATOR, "Q1", "2026-06-30", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    body = upload(client, buffer.getvalue(), "m.xlsx").get_json()
    assert body["error_count"] == 1 and "formula" in body["errors"][0]["message"] and count(indicators) == 0


def test_a_zip_bomb_is_refused_before_reading(indicators):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (4 * 1024 * 1024) + b"</a>")
    result = import_table(indicators, InputFile("bomb.xlsx", io.BytesIO(buffer.getvalue()), "xlsx"), "test",
                          limits=ImportLimits(max_compression_ratio=50))
    assert result.status == 413 and "ZIP bomb" in result.errors[0]["message"] and count(indicators) == 0


def test_not_a_table_and_roles(indicators, client_as):
    coordinator = client_as("coordinator")
    assert upload(coordinator, b"\x00\x01 not a table", "m.bin").status_code == 422
    assert coordinator.post(IMPORT, data={}, content_type="multipart/form-data").status_code == 422
    assert upload(client_as("viewer"), csv_table(f"{INDICATOR},Q1,2026-06-30,40,,,,,"), "m.csv").status_code == 403
    rows = {"rows": [{"indicator": INDICATOR, "period": "Q1", "date": "2026-06-30", "value": 40}]}
    assert coordinator.post(IMPORT, json=rows).get_json()["created"] == 1
    assert coordinator.post(IMPORT, json={"rows": "nope"}).status_code == 422
    bad = coordinator.post(IMPORT, json={"rows": [{"indicator": INDICATOR, "period": "Q2", "date": "2026-06-30"}]})
    assert [(e["row"], e["column"]) for e in bad.get_json()["errors"]] == [(1, "value")]  # a JSON row is its item


def test_the_export_workbook_guards_formula_text_too(series, client):
    book = load_workbook(io.BytesIO(client.get(f"{EXPORT}?format=xlsx").get_data()))
    cells = [cell.value for row in book["measurements"].iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://example.invalid\")" in cells
    assert not any(isinstance(cell, str) and cell.startswith("=") for cell in cells)
