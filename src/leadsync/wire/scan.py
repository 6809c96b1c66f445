"""The plain shape of a leadRecordList, read straight from the request's text.

Most clients send their records in one plain shape: UTF-8, no attributes on the
elements, no comments, CDATA or carriage returns, every attribute with an attrName and
an attrValue. Such records are read here with a few regular expressions over the text
(loops in C), not by visiting the ~5,000 element proxies of a 300-lead call one by one
(docs/performance.md has the figures).

This only reads a document lxml has already parsed: well-formed (so the first end tag
after an element's text is that element's own), without a DOCTYPE (so the only entity
references are XML's five and character references), with its leadRecordList found in
the tree. It answers None whenever the text is anything but the plain shape: an
attribute such as xsi:nil or xsi:type, a comment, an unknown child, an attribute without
attrValue, an empty attrName, an Id that is not a plain number, another encoding. The
caller then decodes the tree with ``wire/leads.py``, which defines the rules;
``tests/test_scan.py`` checks that the two agree on generated documents.

Every tag of the list is accounted for: a record's fields and attributes are matched in
order, and the number of "<" in the list must equal the number of tags the matches
read, so no element can hide between matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from leadsync.model import Attribute, LeadRecord

_LIST_OPEN = re.compile(rb"<((?:[A-Za-z_][\w.-]*+:)?)leadRecordList>")
# Prefixes are taken off the tags first: names are matched by local name.
_RECORD = re.compile(r"\s*+<leadRecord>")
_FIELD = re.compile(r"\s*+<(Id|Email|ForeignSysPersonId|ForeignSysType|email)(?:/>|>([^<]*+)</\1>)")
_ATTRIBUTE_LIST = re.compile(r"\s*+<leadAttributeList(/?)>")
_ATTRIBUTE = re.compile(  # six tags, or five with <attrValue/>: see _SELF_CLOSED
    r"\s*+<attribute>\s*+<attrName>([^<]++)</attrName>"
    r"\s*+<attrValue(?:/>|>([^<]*+)</attrValue>)\s*+</attribute>"
)
_SELF_CLOSED = "<attrValue/>"
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+);|#([0-9]+);|(lt|gt|amp|quot|apos);)")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_UTF8_DECLARATION = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']utf-?8[\"']", re.IGNORECASE)
_PLAIN_INT = re.compile(r"[0-9]{1,9}")  # within xs:int, no sign, no spaces
_new_attribute = tuple.__new__  # Attribute(name, value) without NamedTuple's Python __new__


def _reference(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        return _NAMED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _unescape(text: str) -> str:
    return _ENTITY.sub(_reference, text) if "&" in text else text


def _is_utf8(source: bytes) -> bool:
    """UTF-8 by its byte order mark, its declaration or XML's default."""
    source = source.removeprefix(b"\xef\xbb\xbf")
    if source.startswith(b"<?xml"):
        declaration = source[: source.find(b"?>") + 2]
        return b"encoding" not in declaration or bool(_UTF8_DECLARATION.match(declaration))
    return source[:1] == b"<"


def scan_records(
    source: bytes, expected: int, max_attributes: int, prefixes: Iterable[str | None] = ()
) -> list[LeadRecord] | None:
    """The records of the document's one leadRecordList, or None if it is not plain.

    ``prefixes``: the namespace prefixes in scope at the list (a plain record declares
    none of its own)."""
    opened = _LIST_OPEN.search(source)
    if opened is None or source.count(b"leadRecordList") != 2 or not _is_utf8(source):
        return None
    closing = source.find(b"</" + opened.group(1) + b"leadRecordList>", opened.end())
    if closing < 0:
        return None
    region = source[opened.end() : closing].decode()
    if "<!" in region or "<?" in region or "\r" in region:
        return None
    for prefix in prefixes:  # text holds no "<": these are all tags
        if prefix and f"<{prefix}:" in region:
            region = region.replace(f"<{prefix}:", "<").replace(f"</{prefix}:", "</")
    escaped = "&" in region
    records: list[LeadRecord] = []
    tags = 0
    position = 0
    while (record := _RECORD.match(region, position)) is not None:
        content, position = _content(region, record, "</leadRecord>")
        read = _record(content, max_attributes, escaped)
        if read is None:
            return None
        records.append(read[0])
        tags += read[1] + 2
    if len(records) != expected or region.count("<") != tags:
        return None
    return records


def _content(text: str, start: re.Match[str], end_tag: str) -> tuple[str, int]:
    """The content of the element whose start tag ``start`` matched, and where it ends.

    Its end tag is the first one of its name after it: an element of the same name
    inside it ends it early, and the content read then is not plain."""
    end = text.find(end_tag, start.end())
    if end < 0:
        return "<", len(text)  # not plain: a tag no match can read
    return text[start.end() : end], end + len(end_tag)


def _record(content: str, max_attributes: int, escaped: bool) -> tuple[LeadRecord, int] | None:
    """A plain leadRecord's content: the record and the number of its tags."""
    lead_id: int | None = None
    keys: dict[str, str] = {}
    attributes: list[Attribute] = []
    tags = 0
    position = 0
    end = len(content.rstrip())
    while position < end:
        field = _FIELD.match(content, position)
        if field is not None:
            name, text = field.group(1, 2)
            if name == "Id":
                if text is None or not _PLAIN_INT.fullmatch(text):
                    return None  # the tree decoder words the failure
                lead_id = int(text)
            else:
                keys[name] = "" if text is None else _unescape(text) if escaped else text
            tags += 1 if text is None else 2
            position = field.end()
            continue
        listed = _ATTRIBUTE_LIST.match(content, position)
        if listed is None:
            return None
        if listed.group(1):  # <leadAttributeList/>
            items, position = "", listed.end()
            tags += 1
        else:
            items, position = _content(content, listed, "</leadAttributeList>")
            tags += 2
        pairs = _ATTRIBUTE.findall(items)
        if len(pairs) > max_attributes:
            return None
        if escaped:
            pairs = [(_unescape(name), _unescape(value)) for name, value in pairs]
        attributes = [_new_attribute(Attribute, pair) for pair in pairs]  # the last list wins
        tags += 6 * len(pairs) - items.count(_SELF_CLOSED)
    email = keys.get("Email")
    if email is None:
        email = keys.get("email")
    return (
        LeadRecord(
            id=lead_id,
            email=email or None,
            foreign_sys_person_id=keys.get("ForeignSysPersonId") or None,
            foreign_sys_type=keys.get("ForeignSysType") or None,
            attributes=tuple(attributes),
        ),
        tags,
    )
