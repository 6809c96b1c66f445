"""The text scan of plain leadRecordLists (wire/scan.py) against the tree decoder.

The tree decoder (wire/leads.py) defines the rules; the scan may only ever give the same
records or decline (None). Generated lists mix the plain shape with everything that is
not plain: prefixes, xsi:nil and xsi:type, comments, CDATA, unknown and nested children,
missing or reordered attrName/attrValue, entity and character references, odd Ids.

parse_envelope leaves a plain list's content out of what lxml parses, so the scan must
also never take content lxml refuses: generated broken content (illegal characters,
unknown or illegal references, mismatched prefixes, stray ``]]>`` and ``&``) must get
the whole document's fault, or, where lxml takes it, the tree's records.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from leadsync.errors import MktowsError
from leadsync.model import Attribute, LeadRecord
from leadsync.wire import leads
from leadsync.wire.envelope import children, parse_envelope
from tests.examples import cases
from tests.soap import MKTOWS, SOAP_ENV, XSI

SCAN = cases(200)

PREFIXES = ["", "ns1:", "ns2:"]  # ns1 and ns2 are both declared on the Envelope


def document(records: str, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        f"{declaration}"
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{MKTOWS}"'
        f' xmlns:ns2="urn:other" xmlns:xsi="{XSI}"><SOAP-ENV:Body>'
        f"<ns1:paramsSyncMultipleLeads><leadRecordList>{records}</leadRecordList>"
        "<dedupEnabled>true</dedupEnabled></ns1:paramsSyncMultipleLeads>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def tree_of(source: bytes, max_attributes: int = 1000) -> tuple[list[LeadRecord], bool]:
    """The records and dedup flag as the tree decoder alone gives them."""
    body = parse_envelope(source, whole=True).body
    [record_list] = [c for c in children(body) if c.tag == "leadRecordList"]
    elements = [c for c in children(record_list) if c.tag.endswith("leadRecord")]
    return [leads.lead_record(e, max_attributes) for e in elements], True


def both(source: bytes, max_attributes: int = 1000) -> tuple[object, object]:
    """The records as the server reads them (the scan where it can) and as the tree
    alone gives them."""
    scanned = leads.sync_multiple_leads(parse_envelope(source), 300, max_attributes)
    return scanned, tree_of(source, max_attributes)


def scan_of(source: bytes) -> list[LeadRecord] | None:
    """The records the text scan gives (parse_envelope's, the list left out of the
    parse), or None where the document is parsed whole."""
    return parse_envelope(source).records


def outcome(source: bytes, whole: bool) -> object:
    """What the server makes of a syncMultipleLeads document: its records, or its
    fault. ``whole``: lxml parses all of it and the tree decodes the records."""
    try:
        if whole:
            return tree_of(source)
        return leads.sync_multiple_leads(parse_envelope(source), 300)
    except MktowsError as error:
        return error.code, str(error)


texts = st.one_of(
    st.text(
        st.characters(codec="utf-8", exclude_characters="\r\ufffe\uffff", min_codepoint=0x9).filter(
            lambda c: c in "\t\n" or ord(c) >= 0x20
        ),
        max_size=12,
    ),
    st.sampled_from(["", " ", "a@x.com", "AT&T", "<b>", "x > y", "12", "-3", "1e3", "attrValue/>"]),
)


@st.composite
def escaped(draw: st.DrawFn) -> str:
    """A text as a client may write it: escaped, or with character references."""
    text = draw(texts)
    if draw(st.booleans()):
        return escape(text, {'"': "&quot;", "'": "&apos;"})
    return "".join(f"&#{ord(c)};" if c in "&<" or draw(st.booleans()) else c for c in text)


@st.composite
def element(draw: st.DrawFn, name: str, content: str | None) -> str:
    """``name`` with ``content`` (None: empty), in one of the ways clients write it."""
    prefix = draw(st.sampled_from(PREFIXES))
    attributes = draw(
        st.sampled_from(["", "", "", "", ' xsi:nil="true"', ' xsi:type="xsd:string"', ' a="1"'])
    )
    space = draw(st.sampled_from(["", "", "\n  ", " "]))
    if content is None and draw(st.booleans()):
        return f"{space}<{prefix}{name}{attributes}/>"
    return f"{space}<{prefix}{name}{attributes}>{content or ''}</{prefix}{name}>"


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(element("attrName", draw(st.sampled_from(["FirstName", "Company", "", "X"]))))
    value = draw(element("attrValue", draw(st.one_of(st.none(), escaped()))))
    parts = draw(
        st.sampled_from(
            [[name, value]] * 6 + [[name], [value, name], [value], [name, value, name], []]
        )
    )
    extra = draw(st.sampled_from(["", "", "", "<stray/>", "<!-- c -->", "<attribute/>"]))
    return draw(element("attribute", "".join(parts) + extra))


@st.composite
def record(draw: st.DrawFn) -> str:
    children = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(
                ["Email"] * 3
                + ["list"] * 3
                + ["Id", "email", "ForeignSysPersonId", "ForeignSysType", "odd"]
            )
        )
        if kind == "list":
            items = "".join(draw(st.lists(attribute(), max_size=4)))
            children.append(draw(element("leadAttributeList", items or None)))
        elif kind == "Id":
            text = draw(st.sampled_from(["1", "42", "007", " 5", "-1", "x", "", "2147483648"]))
            children.append(draw(element("Id", text)))
        elif kind == "odd":
            children.append(
                draw(
                    st.sampled_from(
                        [
                            "<stray>x</stray>",
                            "<leadRecord><Email>inner@x.com</Email></leadRecord>",
                            "<![CDATA[a]]>",
                            "<!-- note -->",
                            "<?pi x?>",
                            "<wrap><Email>deep@x.com</Email></wrap>",
                            "tail text",
                        ]
                    )
                )
            )
        else:
            children.append(draw(element(kind, draw(st.one_of(st.none(), escaped())))))
    return draw(element("leadRecord", "".join(children) or None))


@SCAN
@given(st.lists(record(), min_size=1, max_size=5), st.integers(1, 3))
def test_the_scan_gives_the_tree_decoders_records_or_declines(
    records: list[str], max_attributes: int
) -> None:
    source = document("".join(records))
    scanned, tree = both(source, max_attributes)
    assert scanned == tree


def _plain(count: int, prefix: str = "", attribute_list_prefix: str = "") -> str:
    p, q = prefix, attribute_list_prefix or prefix
    return "".join(
        f"<{p}leadRecord><{p}Email>lead{i}@x.com</{p}Email><{q}leadAttributeList>"
        f"<{p}attribute><{p}attrName>FirstName</{p}attrName>"
        f"<{p}attrValue>Zo&#xEB; &amp; {i}</{p}attrValue></{p}attribute>"
        f"<{p}attribute><{p}attrName>Company</{p}attrName><{p}attrValue/></{p}attribute>"
        f"</{q}leadAttributeList></{p}leadRecord>"
        for i in range(count)
    )


EXPECTED = [
    LeadRecord(
        email=f"lead{i}@x.com",
        attributes=(Attribute("FirstName", f"Zoë & {i}"), Attribute("Company", "")),
    )
    for i in range(3)
]


def test_plain_lists_are_scanned_with_or_without_prefixes() -> None:
    # The seed's shape, JAX-WS's qualified leadAttributeList, and every tag prefixed.
    for records in (_plain(3), _plain(3, attribute_list_prefix="ns2:"), _plain(3, "ns1:")):
        source = document(records)
        assert scan_of(source) == EXPECTED
        assert both(source) == ((EXPECTED, True), (EXPECTED, True))


def test_what_is_not_plain_is_left_to_the_tree() -> None:
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    declined = [
        document(_plain(3), latin),  # another encoding
        document(_plain(3).replace("<Email>", '<Email xsi:type="xsd:string">')),
        document(_plain(3).replace("<attrValue/>", '<attrValue xsi:nil="true"/>')),
        document(_plain(3).replace("<Email>lead1", "<!-- c --><Email>lead1")),
        document(_plain(3).replace("<attrName>Company</attrName>", "")),  # no attrName
        document(_plain(2) + "<leadRecord><Id> 7</Id></leadRecord>"),  # the tree words it
        document(_plain(3).replace("</leadAttributeList>", "<stray/></leadAttributeList>", 1)),
    ]
    for source in declined:
        assert scan_of(source) is None, source
        scanned, tree = both(source)
        assert scanned == tree


def test_too_many_attributes_are_left_to_the_tree() -> None:
    source = document(_plain(1))
    assert parse_envelope(source).records is not None  # read, then the tree words it
    scanned, tree = both(source, max_attributes=1)
    assert (
        scanned
        == tree
        == (
            [LeadRecord(problem="too many attributes in one lead record: at most 1")],
            True,
        )
    )


@st.composite
def plain_record(draw: st.DrawFn) -> str:
    """A record in the plain shape: any prefixes, texts and spacing, nothing else."""

    def tag(name: str, content: str | None) -> str:
        prefix = draw(st.sampled_from(PREFIXES))
        space = draw(st.sampled_from(["", "\n  "]))
        if content is None:
            return f"{space}<{prefix}{name}/>"
        return f"{space}<{prefix}{name}>{content}</{prefix}{name}>"

    children = []
    kinds = draw(st.lists(st.sampled_from(["Email", "email", "Id", "list", "FSP"])))
    if kinds.count("list") > 1:  # two lists in one record are left to the tree
        kinds = [k for k in kinds if k != "list"] + ["list"]
    for kind in kinds:
        if kind == "list":
            items = "".join(
                tag(
                    "attribute",
                    tag("attrName", draw(st.sampled_from(["FirstName", "Company", "X"])))
                    + tag("attrValue", draw(st.one_of(st.none(), escaped()))),
                )
                for _ in range(draw(st.integers(0, 3)))
            )
            children.append(tag("leadAttributeList", items or None))
        elif kind == "Id":
            children.append(tag("Id", str(draw(st.integers(0, 999_999_999)))))
        elif kind == "FSP":
            children.append(tag("ForeignSysPersonId", draw(escaped())))
        else:
            children.append(tag(kind, draw(st.one_of(st.none(), escaped()))))
    return tag("leadRecord", "".join(children))


@SCAN
@given(st.lists(plain_record(), min_size=1, max_size=5))
def test_plain_records_are_scanned_to_the_tree_decoders_records(records: list[str]) -> None:
    source = document("".join(records))
    scanned = scan_of(source)
    assert scanned is not None
    assert both(source) == ((scanned, True), (scanned, True))


broken = st.sampled_from(
    [
        "\x01", "\x0b", "\x7f", "\ufffe", "\uffff", "\u00a0", "&", "&foo;", "&#0;",
        "&#x0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&#X41;", "&#x41", "&amp",
        "]]>", "]]", ">", "<", "</", "<Email>", "</Email>", "<ns1:Email>", "</ns2:Email>",
        "<ns9:x/>", "<ns9:Email>u@x.com</ns9:Email>", "<ns1:Email>u@x.com</ns1:Email>",
        "<a b='1'/>", "<!-- c -->", "<![CDATA[x]]>", "<?pi?>", "&#9;", "&#13;",
        "\t", " ", "\n", "\r", "leadRecord", "<leadRecordList>", "</leadRecordList>",
    ]
)  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A plain list with a few pieces of broken or odd text put in at random places."""
    content = "".join(draw(st.lists(plain_record(), min_size=1, max_size=3)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(broken) + content[at:]
    return content


@SCAN
@given(damaged())
def test_the_scan_never_takes_content_lxml_refuses(content: str) -> None:
    source = document(content)
    assert outcome(source, whole=False) == outcome(source, whole=True)


def test_broken_content_gets_the_whole_documents_fault() -> None:
    for piece in ("\x01", "&foo;", "&#0;", "&#x110000;", "]]>", "&", "<ns1:Email>x</ns2:Email>"):
        source = document(_plain(2).replace("Zo&#xEB;", f"Zo{piece}", 1))
        got = outcome(source, whole=False)
        assert isinstance(got, tuple)
        assert got[0] == 20012, piece
        assert str(got[1]).startswith("Request not understood: malformed XML"), got
        assert got == outcome(source, whole=True)
