"""The plain shape of a leadRecordList, read straight from the request's text.

Most clients send their records in one plain shape: UTF-8, no attributes on the
elements, no comments, CDATA or carriage returns, every attribute with an attrName and
an attrValue. Such a list's content is read here with a few regular expressions (loops
in C), neither built as ~5,000 lxml elements nor visited one element proxy at a time
(docs/performance.md has the figures).

The content is checked against the plain shape's whole grammar first (one ``fullmatch``
of a regular expression: every tag, in its place, with XML whitespace between, an end
tag with its start tag's prefix), its prefixes against those in scope, and its text
against what XML asks (legal characters only, ``&`` only in the five named or legal
numeric references, no ``]]>``). Content that passes is well-formed XML where it
stands, so ``wire/envelope.py`` may leave it out of what lxml parses. Anything else
answers None: an attribute such as xsi:nil or xsi:type, a comment, an unknown child, an
attribute without attrValue, an empty attrName, an Id that is not a plain number, a
record with two attribute lists, a prefix not in scope. The caller then parses the
whole document and decodes the tree with ``wire/leads.py``,
which defines the rules; ``tests/test_scan.py`` checks that the two agree on generated
documents, and that the scan never takes content lxml refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from leadsync.model import Attribute, LeadRecord

_LIST_OPEN = re.compile(rb"<((?:[A-Za-z_][\w.-]*+:)?)leadRecordList>")
_LARGEST_TEXT = 10_000_000  # libxml2's largest text node without huge_tree

_W = r"[ \t\n]*+"  # XML's white space (a carriage return is declined before)
_PREFIX = r"(?:[A-Za-z_][\w.-]*+:)?"  # checked against those in scope after the match
_USED_PREFIX = re.compile(r"</?([A-Za-z_][\w.-]*+):")


_KEYS = ("Id", "Email", "ForeignSysPersonId", "ForeignSysType", "email")


def _grammar(prefixed: bool) -> re.Pattern[str]:
    """A plain list's whole content: its tags without prefixes, or (``prefixed``) each
    with an optional one that its end tag repeats (a backreference: a mismatched pair
    does not match; ~3 times the cost, so only for content with prefixes)."""
    groups = iter(range(100))

    def tag(name: str, content: str, may_close: bool = False) -> str:
        """A start tag and its end tag around ``content`` (``may_close``: or the tag
        self-closed)."""
        if prefixed:
            group = f"p{next(groups)}"
            start, end = rf"<(?P<{group}>{_PREFIX}){name}", rf"</(?P={group}){name}>"
        else:
            start, end = f"<{name}", f"</{name}>"
        return rf"{start}(?:/>|>{content}{end})" if may_close else rf"{start}>{content}{end}"

    keys = "|".join(tag(key, "[^<]*+", may_close=True) for key in _KEYS)
    value = tag("attrValue", "[^<]*+", may_close=True)
    attribute = tag("attribute", rf"{_W}{tag('attrName', '[^<]++')}{_W}{value}{_W}")
    listed = tag("leadAttributeList", rf"(?:{_W}{attribute})*+{_W}", may_close=True)
    record = tag("leadRecord", rf"(?:{_W}(?:{keys}|{listed}))*+{_W}")
    return re.compile(rf"(?:{_W}{record})*+{_W}")


_PLAIN = _grammar(prefixed=False)
_PLAIN_PREFIXED = _grammar(prefixed=True)

_FIELD = re.compile(r"<(Id|Email|ForeignSysPersonId|ForeignSysType|email)(?:/>|>([^<]*+)<)")
_PAIR = re.compile(r"<attrName>([^<]++)</attrName>[ \t\n]*+<attrValue(?:/>|>([^<]*+)<)")
# Bytes no XML text may hold here: C0 controls but tab and line feed, and a carriage
# return (XML reads it as a line feed, which the tree decoder would give); a byte left
# after deleting all others is one of them (UTF-8 sequences are bytes from 0x80).
_NOT_CONTROL = bytes([0x09, 0x0A, *range(0x20, 0x100)])
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+);|#([0-9]+);|(lt|gt|amp|quot|apos);)")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_UTF8_DECLARATION = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']utf-?8[\"']", re.IGNORECASE)
_PLAIN_INT = re.compile(r"[0-9]{1,9}")  # within xs:int, no sign, no spaces
_attribute = partial(tuple.__new__, Attribute)  # without NamedTuple's Python __new__
_record = partial(tuple.__new__, LeadRecord)


def _reference(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        return _NAMED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _unescape(text: str) -> str:
    return _ENTITY.sub(_reference, text) if "&" in text else text


def _legal(code: int) -> bool:
    """Whether a character reference names a character XML allows."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _references_are_xml(text: str) -> bool:
    """Every ``&`` starts one of XML's five named references or a legal numeric one."""
    found = _ENTITY.findall(text)
    if len(found) != text.count("&"):
        return False
    return all(
        name or _legal(int(hexadecimal, 16) if hexadecimal else int(decimal))
        for hexadecimal, decimal, name in found
    )


def _is_utf8(source: bytes) -> bool:
    """UTF-8 by its byte order mark, its declaration or XML's default."""
    source = source.removeprefix(b"\xef\xbb\xbf")
    if source.startswith(b"<?xml"):
        declaration = source[: source.find(b"?>") + 2]
        return b"encoding" not in declaration or bool(_UTF8_DECLARATION.match(declaration))
    return source[:1] == b"<"


def list_content(source: bytes) -> tuple[int, int] | None:
    """Where the content of the document's one leadRecordList lies (start, end), when
    its text names the list exactly twice, in a start tag without attributes and an end
    tag with the same prefix, in a UTF-8 document."""
    opened = _LIST_OPEN.search(source)
    if opened is None or source.count(b"leadRecordList") != 2 or not _is_utf8(source):
        return None
    closing = source.find(b"</" + opened.group(1) + b"leadRecordList>", opened.end())
    if closing < 0 or closing - opened.end() > _LARGEST_TEXT:
        return None
    return opened.end(), closing


def scan_records(content: bytes, prefixes: Iterable[str | None] = ()) -> list[LeadRecord] | None:
    """The records of a leadRecordList's content, or None if it is not plain.

    ``prefixes``: the namespace prefixes in scope at the list; a tag may carry one of
    them (its end tag the same), and is then read by its local name."""
    if content.translate(None, _NOT_CONTROL) or b"]]>" in content:
        return None  # \r: XML reads it as \n, which the tree decoder's text would hold
    if b"\xef\xbf\xbe" in content or b"\xef\xbf\xbf" in content:
        return None  # U+FFFE, U+FFFF: not XML characters
    try:
        region = content.decode()  # strict: no surrogates, nothing past U+10FFFF
    except UnicodeDecodeError:
        return None
    used = set(_USED_PREFIX.findall(region)) if ":" in region else set()  # text may hold ":"
    if not used:
        if _PLAIN.fullmatch(region) is None:
            return None
    else:
        if not used <= {p for p in prefixes if p}:
            return None  # a prefix not in scope: lxml refuses the document
        if _PLAIN_PREFIXED.fullmatch(region) is None:
            return None
        for prefix in used:  # every pair matched: taking the prefixes off hides nothing
            region = region.replace(f"<{prefix}:", "<").replace(f"</{prefix}:", "</")
    escaped = "&" in region
    if escaped and not _references_are_xml(region):
        return None
    records: list[LeadRecord] = []
    for text in region.split("</leadRecord>")[:-1]:  # the grammar holds: one record each
        lead_id: int | None = None
        keys: dict[str, str] = {}
        for name, value in _FIELD.findall(text):  # the last of a repeated key wins
            if name == "Id":
                if not _PLAIN_INT.fullmatch(value):
                    return None  # the tree decoder words the failure
                lead_id = int(value)
            else:
                keys[name] = _unescape(value) if escaped else value
        listed = text.find("<leadAttributeList")
        if text.find("<leadAttributeList", listed + 1) > 0:
            return None  # several lists: the tree decoder reads (and may fail) each
        pairs = _PAIR.findall(text, listed) if listed >= 0 else []
        if escaped:
            pairs = [(_unescape(name), _unescape(value)) for name, value in pairs]
        email = keys.get("Email")
        if email is None:
            email = keys.get("email")
        records.append(
            _record(
                (
                    lead_id,
                    email or None,
                    keys.get("ForeignSysPersonId") or None,
                    keys.get("ForeignSysType") or None,
                    tuple(map(_attribute, pairs)),
                    None,
                    None,
                )
            )
        )
    return records
