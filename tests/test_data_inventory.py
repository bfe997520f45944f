"""`graphsvc data-inventory`: generated from the vocabulary's marks, and copied into
docs/data-protection.md, which must not drift from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from graphsvc.data_inventory import BEGIN_MARKER, END_MARKER, data_inventory
from graphsvc.exporting import FORMATS
from graphsvc.vocabulary import load_vocabulary

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-protection.md"


def rows_about(text: str, record: str) -> dict[str, str]:
    """{field: whole table row} for one record's rows of the personal data table."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {record} | `")]
    return {row.split("`")[1]: row for row in rows}


def test_the_document_carries_the_command_output(runner):
    result = runner.invoke(args=["data-inventory"])
    assert result.exit_code == 0, result.output
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN_MARKER) == 1 and text.count(END_MARKER) == 1
    section = text.split(BEGIN_MARKER)[1].split(END_MARKER)[0]
    assert section.strip("\n") == result.output.strip("\n"), (
        "docs/data-protection.md is out of date: run `graphsvc data-inventory --update docs/data-protection.md`")


def test_every_personal_field_is_listed_with_who_sees_it():
    text = data_inventory(load_vocabulary())
    person = rows_about(text, "Person")
    assert set(person) == {"name", "job_title", "seniority", "email"}
    assert "| coordinator, governance, admin |" in person["email"] and "viewer" not in person["email"]
    assert "| viewer, coordinator, governance, admin |" in person["name"]
    assert "action log" in person["name"] and "action log" not in person["job_title"]
    assert set(rows_about(text, "WORKS_FOR (relationship)")) == {"role"}
    assert rows_about(text, "Organisation") == {}  # nothing personal about an organisation


def test_every_export_format_is_an_outflow():
    text = data_inventory(load_vocabulary())
    for fmt in FORMATS:
        assert f"| Export `format={fmt}` |" in text
    assert "Kumu, a third-party" in text and "History: `GET /api/v1/history`" in text


def test_a_new_personal_mark_changes_the_inventory():
    vocabulary = load_vocabulary()
    organisation = vocabulary.node_types["Organisation"]
    marked = dataclasses.replace(organisation.properties["identifier"], personal=True, sensitive=True)
    changed = dataclasses.replace(organisation, properties={**organisation.properties, "identifier": marked})
    text = data_inventory(dataclasses.replace(vocabulary, node_types={**vocabulary.node_types,
                                                                     "Organisation": changed}))
    assert "coordinator, governance, admin" in rows_about(text, "Organisation")["identifier"]
