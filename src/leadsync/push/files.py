"""The files of ``leadsync push``: streamed CSV and JSON Lines rows, the checkpoint that
makes a push resumable, and the report of failed rows (see ``command.py``)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import click
import orjson

from leadsync.client.types import KEYS

Value = str | int | float | bool | None
_BOM = b"\xef\xbb\xbf"
_FINGERPRINT_BYTES = 1 << 20


# -- reading ------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One data row: ``record`` is what is sent, or ``problem`` says why it cannot be."""

    index: int  # among the file's data rows, from 0: the checkpoint counts these
    line: int  # the file line it starts on
    cells: list[str]  # its values as the report shows them
    end: int  # the byte offset just past it
    record: dict[str, Value] | None = None
    problem: str | None = None


def _lines(handle: BinaryIO, position: list[int]) -> Iterator[str]:
    """Decoded lines; ``position`` holds [bytes read, lines read]. Bad UTF-8 survives as
    surrogates, so the row can be failed and reported as it was."""
    for raw in handle:
        text = raw[3:] if position[0] == 0 and raw.startswith(_BOM) else raw
        position[0] += len(raw)
        position[1] += 1
        yield text.decode("utf-8", "surrogateescape")


def _bad_utf8(values: Iterable[str]) -> bool:
    return any(not value.isascii() and _has_surrogate(value) for value in values)


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in value)


# What `leadsync leads export` writes beside the keys and attributes: read back, not sent.
EXPORT_ONLY = ("instance", "createdAt", "updatedAt")


class Names:
    """A file's field names to the catalog's: the same name, else the one name that
    differs only in case (``email`` is ``Email``). Names of neither stay as they are
    (the server says they are unknown); the export's own columns are None (not sent)."""

    def __init__(self, catalog: Iterable[str]) -> None:
        self._known = {*KEYS, *catalog}
        self._folded: dict[str, list[str]] = {}
        for name in sorted(self._known):
            self._folded.setdefault(name.casefold(), []).append(name)
        self._skipped = {name.casefold() for name in EXPORT_ONLY}

    def __call__(self, name: str) -> str | None:
        """The catalog's name for ``name``; ValueError when it could be two fields."""
        if name in self._known:
            return name
        folded = name.casefold()
        if folded in self._skipped:
            return None
        found = self._folded.get(folded, [name])
        if len(found) > 1:
            raise ValueError(f"{name} could be any of the fields {', '.join(found)}")
        return found[0]

    def record(self, record: dict[str, Value]) -> dict[str, Value]:
        """``record`` with the catalog's names; ValueError for a name given twice."""
        renamed: dict[str, Value] = {}
        for name, value in record.items():
            canonical = self(name)
            if canonical is None:
                continue
            if canonical in renamed:
                raise ValueError(f"{canonical} is given twice")
            renamed[canonical] = value
        return renamed


def csv_header(handle: BinaryIO, names: Names | None = None) -> tuple[list[str], Iterator[Row]]:
    """The header's names (as in the file) and the data rows after it, whose records use
    the catalog's names."""
    position = [0, 0]
    reader = csv.reader(_lines(handle, position))
    header = [name.strip() for name in next(reader, [])]
    if not header:
        raise click.UsageError("the CSV file is empty: the first row must name the fields")
    if not all(header) or len(set(header)) != len(header) or _bad_utf8(header):
        raise click.UsageError(f"the CSV header needs distinct, non-empty names: {header}")
    fields: list[str | None] = list(header)
    if names is not None:
        try:
            fields = [names(name) for name in header]
        except ValueError as exc:
            raise click.UsageError(f"the CSV header: {exc}") from None
        given = [name for name in fields if name is not None]
        twice = sorted({name for name in given if given.count(name) > 1})
        if twice:
            raise click.UsageError(
                f"the CSV header names {', '.join(twice)} more than once (in any case)"
            )
    return header, _csv_rows(reader, fields, position)


def _csv_rows(reader: Any, header: list[str | None], position: list[int]) -> Iterator[Row]:
    index = 0
    while True:
        line = position[1] + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(index, line, [], position[0], problem=f"not valid CSV: {exc}")
            index += 1
            continue
        if not cells:
            continue  # a blank line
        row = Row(index, line, cells, position[0])
        index += 1
        if len(cells) > len(header) and any(cells[len(header) :]):
            row.problem = f"{len(cells)} cells, but the header names {len(header)} fields"
        elif _bad_utf8(cells):
            row.problem = "not valid UTF-8"
        else:
            row.record = {
                name: cell
                for name, cell in zip(header, cells, strict=False)
                if cell != "" and name is not None
            }
        yield row


def jsonl_rows(handle: BinaryIO, names: Names | None = None) -> Iterator[Row]:
    """One JSON object a line, with the catalog's names; blank lines are skipped."""
    offset = line = index = 0
    for raw in handle:
        text = raw[3:] if offset == 0 and raw.startswith(_BOM) else raw
        offset += len(raw)
        line += 1
        if not text.strip():
            continue
        row = Row(index, line, [text.decode("utf-8", "replace").rstrip("\r\n")], offset)
        index += 1
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            row.problem = f"not valid JSON: {exc}"
        else:
            if not isinstance(value, dict):
                row.problem = f"not a JSON object but {type(value).__name__}"
            else:
                nested = [k for k, v in value.items() if isinstance(v, dict | list)]
                if nested:
                    row.problem = f"nested values cannot be sent: {', '.join(nested)}"
                elif names is None:
                    row.record = value
                else:
                    try:
                        row.record = names.record(value)
                    except ValueError as exc:
                        row.problem = str(exc)
        yield row


def open_rows(
    handle: BinaryIO, fmt: str, names: Names | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The report's value columns and the rows of the file (named as ``names`` says)."""
    if fmt == "csv":
        return csv_header(handle, names)
    return ["record"], jsonl_rows(handle, names)


# -- the checkpoint and the report ---------------------------------------------------------


@dataclass
class Checkpoint:
    """What has been answered, in rows of the file; saved atomically as JSON."""

    fingerprint: str
    rows_done: int = 0  # every row before this index is answered
    ahead: list[list[int]] = field(default_factory=list)  # answered [start, end) beyond
    created: int = 0
    updated: int = 0
    failed: int = 0
    report_bytes: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.failed

    def done(self, index: int) -> bool:
        return index < self.rows_done or any(a <= index < b for a, b in self.ahead)

    def acknowledge(self, indices: Iterable[int]) -> None:
        spans = self.ahead
        for index in indices:
            if spans and spans[-1][1] == index:
                spans[-1][1] += 1
            else:
                spans.append([index, index + 1])
        spans.sort()
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        while merged and merged[0][0] <= self.rows_done:
            self.rows_done = max(self.rows_done, merged.pop(0)[1])
        self.ahead = merged

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as out:
            out.write(json.dumps(self.__dict__, indent=1).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            return cls(**json.loads(path.read_bytes()))
        except (ValueError, TypeError) as exc:
            raise click.UsageError(f"{path} is not a leadsync push checkpoint ({exc})") from None


def fingerprint(path: Path, fmt: str) -> str:
    """The file's size and a hash of its start: a resumed run must read the same file."""
    with open(path, "rb") as handle:
        head = hashlib.sha256(handle.read(_FINGERPRINT_BYTES)).hexdigest()[:32]
    return f"{fmt}:{path.stat().st_size}:{head}"


class Report:
    """Failed rows as CSV: ``line``, the row's values, ``status``, ``error``. An earlier
    run's report stays as it was until this run has an answer (``claim``): then it is
    replaced, or cut back to ``keep`` bytes on resume. Opened on the first failed row."""

    def __init__(self, path: Path, columns: list[str], keep: int = 0) -> None:
        self.path = path
        names = ["line", *columns]
        for extra in ("status", "error"):
            while extra in names:
                extra = "_" + extra
            names.append(extra)
        self.header = names
        self._width = len(columns)
        self._keep = keep
        self.size = keep
        self._out: BinaryIO | None = None
        self._claimed = False

    def claim(self) -> None:
        """This run's report from now on: an earlier one is replaced (or, on resume, cut
        back to what the checkpoint counted). Before, a run that stops with no answer
        (a wrong key, no server) leaves the earlier report as it was."""
        if self._claimed:
            return
        self._claimed = True
        if self._keep and self.path.exists():
            with open(self.path, "r+b") as existing:
                self.size = min(self._keep, existing.seek(0, os.SEEK_END))
                existing.truncate(self.size)
        else:
            self.size = 0
            self.path.unlink(missing_ok=True)

    def write(self, failed: list[tuple[Row, str, str]]) -> None:
        self.claim()
        if not failed:
            return
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        if self._out is None:
            self._out = open(self.path, "ab")  # closed by close()
            if self._out.tell() == 0:
                writer.writerow(self.header)
        for row, status, error in failed:
            cells = row.cells + [""] * (self._width - len(row.cells))  # short CSV rows
            writer.writerow([row.line, *cells, status, error])
        data = text.getvalue().encode("utf-8", "surrogateescape")
        self._out.write(data)
        self._out.flush()
        os.fsync(self._out.fileno())
        self.size = self._out.tell()

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
