"""``leadsync push --dry-run``: every row checked against the field catalog (the
server's describeMObject, or leadsync's standard fields), nothing sent."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leadsync.client.types import KEYS, RemoteFault
from leadsync.fields import STANDARD_FIELDS, FieldType, check_value
from leadsync.model import FOREIGN_SYS_TYPES
from leadsync.push.files import Names, Report, Row, Value, open_rows
from leadsync.words import quoted

if TYPE_CHECKING:
    from leadsync.client import Client  # imported when a push runs: httpx is heavy

Catalog = Mapping[str, FieldType | None]  # field name -> type (None: not checked)
_DESCRIBED_TYPES = {
    "string": FieldType.STRING,
    "email": FieldType.STRING,
    "phone": FieldType.STRING,
    "url": FieldType.STRING,
    "text": FieldType.TEXT,
    "textarea": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "score": FieldType.INTEGER,
    "float": FieldType.FLOAT,
    "currency": FieldType.FLOAT,
    "percent": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
}


def field_catalog(client: Client | None) -> tuple[Catalog, str]:
    """The fields to check against, and where they come from: the server's describeMObject,
    or leadsync's standard catalog when there is no server or it answers 20019."""
    if client is not None:
        try:
            described = client.describe_mobject("LeadRecord")
        except RemoteFault as fault:
            if fault.code != 20019:
                raise
        else:
            catalog = {f.name: _DESCRIBED_TYPES.get(f.data_type.lower()) for f in described}
            return catalog, "the server's describeMObject"
    return dict(STANDARD_FIELDS), "leadsync's standard fields (no describeMObject)"


def _text(value: Value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def check_row(row: Row, catalog: Catalog) -> str | None:
    """What the server would refuse in this row, as its error would say it; None if fine."""
    if row.record is None:
        return row.problem
    record = row.record
    if all(record.get(key) in (None, "") for key in ("Id", "ForeignSysPersonId", "Email")):
        return "lead record has no key: give Id, ForeignSysPersonId or Email"
    lead_id = record.get("Id")
    if lead_id is not None and not (
        isinstance(lead_id, int) or _text(lead_id).strip().lstrip("+-").isdigit()
    ):
        return f"Id {quoted(_text(lead_id))} is not an integer"
    kind = record.get("ForeignSysType")
    if kind not in (None, "") and kind not in FOREIGN_SYS_TYPES:
        return f"bad ForeignSysType {quoted(_text(kind))}: use CUSTOM, SFDC or NETSUITE"
    attributes = {k: v for k, v in record.items() if k not in KEYS}
    unknown = sorted(name for name in attributes if name not in catalog)
    if unknown:
        return f"unknown fields for import: {', '.join(unknown)}"
    for name, value in attributes.items():
        field_type = catalog[name]
        if value is None or field_type is None:
            continue
        text = _text(value)
        if text == "" and field_type not in (FieldType.STRING, FieldType.TEXT):
            continue  # an empty number, date or boolean clears the field
        wrong = check_value(field_type, text)
        if wrong:
            return f"bad value for field {name}: {quoted(text[:80])} is {wrong}"
    return None


def check_file(file: Path, fmt: str, report_path: Path, client: Client | None) -> int:
    """Check every row of ``file``, report the invalid ones, print a summary; how many
    were invalid."""
    catalog, source = field_catalog(client)
    rows = invalid = 0
    shown = 20
    with open(file, "rb") as handle:
        columns, found = open_rows(handle, fmt, Names(catalog))
        report = Report(report_path, columns)
        report.claim()
        try:
            for row in found:
                rows += 1
                problem = check_row(row, catalog)
                if problem is None:
                    continue
                invalid += 1
                report.write([(row, "INVALID", problem)])
                if invalid <= shown:
                    click.echo(f"line {row.line}: {problem}")
        finally:
            report.close()
    if invalid > shown:
        click.echo(f"... and {invalid - shown:,} more")
    click.echo(f"checked against {source}")
    click.echo(f"rows:     {rows:,}")
    click.echo(f"valid:    {rows - invalid:,}")
    click.echo(f"invalid:  {invalid:,}")
    if invalid:
        click.echo(f"report:   {report_path}")
    return invalid
