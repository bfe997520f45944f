"""Every uploaded import file is treated as hostile: deep nesting, ZIP and spreadsheet bombs, XML
entities, damaged or encrypted archives and control characters are refused with a 413 or 422 in the
error shape, before the import takes the store's write lock; id-less rows are matched by name without
comparing every pair; the write-ahead log is folded back after every import."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from contextlib import contextmanager

import pytest
from openpyxl import Workbook

from graphsvc.importing import names as names_module
from graphsvc.importing.names import NameIndex

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post(client, data=None, query="", **kwargs):
    return client.post(f"/api/v1/import{query}", data=data, **kwargs)


@pytest.fixture
def lock_spy(service, monkeypatch):
    """Counts the import transactions opened: a refused file must never open one."""
    opened = []
    real = service.store.transaction

    @contextmanager
    def spy(actor):
        opened.append(actor)
        with real(actor) as tx:
            yield tx

    monkeypatch.setattr(service.store, "transaction", spy)
    return opened


def refused(response, status: int, *words: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert (body["code"], body["applied"]) == (status, False)
    assert {"code", "status", "message", "errors"} <= set(body)
    text = " ".join(error["message"] for error in body["errors"])
    for word in words:
        assert word in text, text
    return body


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patched_zip(data: bytes, local_offset: int, central_offset: int, value: int) -> bytes:
    """The ZIP with one 2-byte field changed in every local header and every central directory entry."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = out.find(signature)
        while at != -1:
            out[at + offset:at + offset + 2] = struct.pack("<H", value)
            at = out.find(signature, at + 4)
    return bytes(out)


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    workbook.active.title = "nodes"
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(xlsx: bytes, part: str, change) -> bytes:
    """The workbook with one of its XML parts passed through ``change`` (bytes → bytes), or added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts.get(part, b""))
    return zip_bytes(parts)


def shared_strings(count: int, declared: int | None = None) -> bytes:
    unique = f' uniqueCount="{declared}"' if declared is not None else ""
    items = "".join(f"<si><t>text {i}</t></si>" for i in range(count))
    return (f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"{unique}>'
            f"{items}</sst>").encode()


THEMES = [["type", "name"], ["Theme", "Cycling"], ["Theme", "Walking"]]


# -- 1. nesting ---------------------------------------------------------------------------------------

def test_a_deeply_nested_document_is_refused_before_the_store_is_locked(client, lock_spy):
    depth = 100_000  # about 200 KB
    body = b'{"nodes":' + b"[" * depth + b"]" * depth + b"}"
    response = post(client, body, content_type="application/json")
    refused(response, 422, "nested more than 5 levels")
    assert lock_spy == []


def test_nesting_inside_a_row_is_refused_with_its_place(client, lock_spy):
    document = {"nodes": [{"type": "Theme", "name": "Cycling"},
                          {"type": "Theme", "name": {"a": {"b": {"c": "deep"}}}}]}
    body = refused(post(client, json=document), 422, "nested more than 5 levels")
    assert (body["errors"][0]["sheet"], body["errors"][0]["row"]) == ("nodes", 2)
    assert lock_spy == []


def test_json_nested_100k_deep_at_the_top_is_a_4xx_not_a_500(client):
    response = post(client, b"[" * 100_000, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"]


def test_the_cli_refuses_a_deeply_nested_file(runner, service, tmp_path):
    path = tmp_path / "nested.json"
    path.write_bytes(b'{"nodes":[' + b"[" * 50_000 + b"]" * 50_000 + b"]}")
    outcome = runner.invoke(args=["import", str(path)])
    assert outcome.exit_code != 0
    assert "nested more than 5 levels" in outcome.output
    assert service.store.count() == (0, 0)


# -- 2. name matching at scale ------------------------------------------------------------------------

class _Names:
    def __init__(self, labels):
        self.labels = labels

    def node_labels(self, node_type):
        return [(f"n{i}", label) for i, label in enumerate(self.labels)]


FILLER = [f"{a} {b} Community Trust" for a in ("Alder", "Birch", "Cedar", "Damson", "Elm", "Fir", "Gorse", "Hazel",
                                              "Ivy", "Juniper") for b in range(300)]


def test_blocked_matching_still_finds_misspellings_and_word_order():
    index = NameIndex(_Names([*FILLER, "Example Borough Council", "Ruth Penhaligon", "Riverside Food Bank"]),
                      scan_all_up_to=0)
    assert index.close("Organisation", "Ruth Penhalligon")["name"] == "Ruth Penhaligon"
    assert index.close("Organisation", "Example Borogh Cncl")["name"] == "Example Borough Council"
    assert index.close("Organisation", "Food Bank Riverside")["name"] == "Riverside Food Bank"
    assert index.close("Organisation", "Lakeside Allotment Society") is None


def test_matching_names_scores_only_a_few_candidates_per_row(client, monkeypatch):
    seen = []
    real = names_module.process.extractOne

    def counting(query, choices, **kwargs):
        seen.append(len(choices))
        return real(query, choices, **kwargs)

    monkeypatch.setattr(names_module.process, "extractOne", counting)
    monkeypatch.setattr(names_module, "SCAN_ALL_UP_TO", 100)
    document = {"nodes": [{"type": "Organisation", "name": name} for name in FILLER]}
    body = post(client, json=document, query="?dry_run=true").get_json()
    assert body["rows"] == len(FILLER) and body["error_count"] == 0
    assert len(seen) == len(FILLER)
    assert max(seen[200:]) < 0.1 * len(FILLER)  # not every earlier name: a few blocks' worth


# -- 3. ZIP and spreadsheet bombs ---------------------------------------------------------------------

def test_a_zip_bomb_is_refused_by_its_compression_ratio(client, lock_spy):
    bomb = zip_bytes({"nodes.csv": b"type,name\n" + b"," * (8 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024
    refused(post(client, bomb, content_type="application/zip"), 413, "times its packed size", "ZIP bomb")
    assert lock_spy == []


def test_a_zip_with_too_many_members_is_refused(client):
    many = zip_bytes({f"extra-{i}.txt": b"x" for i in range(101)} | {"nodes.csv": b"type,name\nTheme,Cycling\n"})
    refused(post(client, many, content_type="application/zip"), 413, "holds 102 files; the limit is 100")


def test_unpacked_size_limits_are_settings(app, client):
    table = b"type,name\n" + b"Theme,Cycling\n" * 200
    app.config["IMPORT_MAX_UNPACKED_BYTES"] = 1_000
    refused(post(client, zip_bytes({"nodes.csv": table}), content_type="application/zip"), 413,
            "unpacks to 2,810 bytes; the limit is 1,000 bytes")
    app.config["IMPORT_MAX_UNPACKED_BYTES"] = None
    app.config["IMPORT_MAX_MEMBER_BYTES"] = 1_000
    refused(post(client, zip_bytes({"nodes.csv": table}), content_type="application/zip"), 413,
            "the limit for one part is 1,000 bytes")


def test_a_csv_line_over_the_limit_is_refused_with_its_place(app, client, lock_spy):
    app.config["IMPORT_MAX_LINE_BYTES"] = 100
    table = b"type,name\nTheme,Cycling\nTheme," + b"x" * 200 + b"\n"
    body = refused(post(client, data={"nodes": (io.BytesIO(table), "nodes.csv")}), 413, "Line 3 is longer than")
    assert body["errors"][0]["row"] == 3
    assert lock_spy == []


def test_a_csv_header_with_too_many_columns_is_refused(client):
    table = b"type,name" + b",x" * 200_000 + b"\nTheme,Cycling\n"
    refused(post(client, data={"nodes": (io.BytesIO(table), "nodes.csv")}), 413, "more than 1,000 columns")


def test_a_workbook_declaring_a_million_rows_is_refused_at_once(client, lock_spy):
    tiny = rewritten(workbook_bytes(THEMES), "xl/worksheets/sheet1.xml",
                     lambda xml: xml.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1:XFD1048576"/>'))
    assert len(tiny) < 8 * 1024
    refused(post(client, tiny, content_type=XLSX), 413, "declares 1,048,576 rows; the limit is 500,000")
    assert lock_spy == []


def test_a_workbook_using_a_far_row_or_column_is_refused(client):
    far_row = rewritten(workbook_bytes(THEMES), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b'<row r="3"', b'<row r="900000"').replace(b'r="A3"', b'r="A900000"')
                        .replace(b'r="B3"', b'r="B900000"').replace(b'<dimension ref="A1:B3" />', b""))
    refused(post(client, far_row, content_type=XLSX), 413, "uses 900,000 rows")
    wide = rewritten(workbook_bytes(THEMES), "xl/worksheets/sheet1.xml",
                     lambda xml: xml.replace(b'r="B3"', b'r="XFD3"').replace(b'<dimension ref="A1:B3" />', b""))
    refused(post(client, wide, content_type=XLSX), 413, "uses 16,384 columns; the limit is 1,000")
    unnumbered = rewritten(workbook_bytes(THEMES), "xl/worksheets/sheet1.xml",
                           lambda xml: xml.replace(b'<row r="3">', b'<row r="3">' + b"<c/>" * 1_001))
    refused(post(client, unnumbered, content_type=XLSX), 413, "Row 3 of this sheet has more than 1,000 cells")


def test_a_workbook_with_too_many_shared_strings_is_refused(app, client):
    declared = rewritten(workbook_bytes(THEMES), "xl/sharedStrings.xml", lambda _: shared_strings(2, 1_000_000))
    refused(post(client, declared, content_type=XLSX), 413, "holds 1,000,000 distinct texts (shared strings); "
                                                             "the limit is 500,000")
    app.config["IMPORT_MAX_SHARED_STRINGS"] = 3
    counted = rewritten(workbook_bytes(THEMES), "xl/sharedStrings.xml", lambda _: shared_strings(4))
    refused(post(client, counted, content_type=XLSX), 413, "holds 4 distinct texts", "the limit is 3")


def test_an_ordinary_workbook_still_imports(client):
    body = post(client, workbook_bytes(THEMES), content_type=XLSX).get_json()
    assert (body["code"], body["created"]) == (200, 2), body


# -- 4. entities, damaged and encrypted archives ------------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


@pytest.mark.parametrize("prolog", [BILLION_LAUGHS, XXE, b'<?xml version="1.0"?><!DOCTYPE sst>'],
                         ids=["billion-laughs", "xxe", "bare-dtd"])
def test_a_workbook_with_a_dtd_or_entities_is_refused(client, lock_spy, prolog):
    hostile = rewritten(workbook_bytes(THEMES), "xl/worksheets/sheet1.xml", lambda xml: prolog + xml)
    body = refused(post(client, hostile, content_type=XLSX), 422, "declares a DTD or XML entities")
    assert body["errors"][0]["file"].endswith("xl/worksheets/sheet1.xml")
    assert lock_spy == []


def test_a_zip_with_a_bad_checksum_is_refused(client, lock_spy):
    good = zip_bytes({"nodes.csv": b"type,name\nTheme,Cycling\n"}, zipfile.ZIP_STORED)
    damaged = good.replace(b"Cycling", b"Cyclinx", 1)
    refused(post(client, damaged, content_type="application/zip"), 422, "damaged", "CRC")
    assert lock_spy == []


def test_an_encrypted_member_is_refused(client):
    good = zip_bytes({"nodes.csv": b"type,name\nTheme,Cycling\n"}, zipfile.ZIP_STORED)
    refused(post(client, patched_zip(good, 6, 8, 0x1), content_type="application/zip"), 422, "encrypted")


def test_an_unknown_compression_method_is_refused(client):
    good = zip_bytes({"nodes.csv": b"type,name\nTheme,Cycling\n"}, zipfile.ZIP_STORED)
    refused(post(client, patched_zip(good, 8, 10, 99), content_type="application/zip"), 422,
            "compression method (99)")


def test_a_damaged_workbook_is_a_422_not_a_500(client):
    broken = workbook_bytes(THEMES).replace(b"PK\x01\x02", b"PK\x00\x00")
    refused(post(client, broken, content_type=XLSX), 422, "Not a readable Excel workbook")


# -- 5. control characters ----------------------------------------------------------------------------

@pytest.mark.parametrize("character", ["\x00", "\x0b"], ids=["nul", "vertical-tab"])
def test_a_name_with_a_control_character_is_refused_with_its_place(client, character):
    document = {"nodes": [{"type": "Theme", "name": "Cycling"}, {"type": "Theme", "name": f"Walk{character}ing"}]}
    body = refused(post(client, json=document), 422)
    assert [(e["file"], e["sheet"], e["row"], e["column"]) for e in body["errors"]] == \
        [("request.json", "nodes", 2, "name")]


def test_a_csv_cell_with_a_control_character_is_refused_with_its_place(client):
    table = b"type,name\nTheme,Cycling\nTheme,Walk\x0bing\n"
    body = refused(post(client, data={"nodes": (io.BytesIO(table), "nodes.csv")}), 422)
    assert [(e["file"], e["sheet"], e["row"], e["column"]) for e in body["errors"]] == \
        [("nodes.csv", "nodes", 3, "name")]


# -- 6. the write-ahead log ---------------------------------------------------------------------------

def resources(count: int, start: int = 0) -> dict:
    return {"nodes": [{"id": f"resource-{i}", "type": "Resource", "title": f"Resource number {i}",
                       "url": f"https://example.org/resources/{i}"} for i in range(start, start + count)]}


def wal_size(app) -> int:
    wal = app.config["DATABASE"] + "-wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def test_the_write_ahead_log_is_small_after_a_bulk_import(app, client):
    body = post(client, json=resources(4_000)).get_json()
    assert (body["created"], body["applied"]) == (4_000, True)
    assert wal_size(app) < 1024 * 1024


@pytest.mark.parametrize("query", ["?dry_run=true", "?mode=create_only"], ids=["dry-run", "failed"])
def test_a_dry_run_or_a_failed_import_also_folds_the_log_back(app, client, service, monkeypatch, query):
    with monkeypatch.context() as without:
        without.setattr(service.store, "checkpoint", lambda: None)
        assert post(client, json=resources(4_000)).status_code == 200
    assert wal_size(app) > 1024 * 1024  # what a bulk import leaves behind without a checkpoint
    body = post(client, json=resources(2_000, start=3_000), query=query).get_json()
    assert body["applied"] is False and body["rows"] == 2_000
    assert wal_size(app) < 1024 * 1024


@pytest.mark.parametrize("escaped", [r"\ud800", r"\udc00", r"ab\udfff", r"x\\\ud83d"])
def test_a_lone_surrogate_is_refused_not_turned_into_a_question_mark(client, lock_spy, escaped):
    body = '{"nodes": [{"id": "theme-s", "type": "Theme", "name": "Odd ' + escaped + '"}]}'
    answer = client.post("/api/v1/import", data=body.encode(), content_type="application/json")
    refused(answer, 422, "surrogate")
    assert lock_spy == [] and client.get("/api/v1/themes/theme-s").status_code == 404


def test_a_surrogate_pair_and_an_escaped_backslash_are_fine(client):
    body = r'{"nodes": [{"id": "theme-s", "type": "Theme", "name": "Smile \ud83d\ude00 and \\ud800 as text"}]}'
    answer = client.post("/api/v1/import", data=body.encode(), content_type="application/json")
    assert answer.status_code == 200, answer.get_json()
    assert client.get("/api/v1/themes/theme-s").get_json()["name"] == "Smile \U0001f600 and \\ud800 as text"


def test_import_limits_can_be_set_from_the_environment():
    from graphsvc.config import settings_from_environment

    assert settings_from_environment({"GRAPHSVC_IMPORT_MAX_JSON_DEPTH": "8"})["IMPORT_MAX_JSON_DEPTH"] == 8
