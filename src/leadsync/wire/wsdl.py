"""Render leadsync's WSDL from the declarative interface in ``wire/mktows.py``."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import quoteattr

from lxml import etree

from leadsync import ns
from leadsync.wire import mktows
from leadsync.wire.xsd import HEADER_PARTS, ComplexType, Element

# Elements API versions after 2_2 added to a params type: (type, index, element).
LATER_ELEMENTS: tuple[tuple[str, int, Element], ...] = (
    # getLeadChanges' activityNameFilter (display names) came with 2_3, after activityFilter
    (
        "ParamsGetLeadChanges",
        2,
        Element("activityNameFilter", "tns:ArrayOfString", min_occurs=0, nillable=True),
    ),
    # scheduleCampaign's cloneToProgramName, after campaignRunAt (Marketo's sample order)
    (
        "ParamsScheduleCampaign",
        3,
        Element("cloneToProgramName", "xs:string", min_occurs=0, nillable=True),
    ),
)

_W = f"{{{ns.WSDL}}}"
_XS = f"{{{ns.XS}}}"
_SOAP = f"{{{ns.WSDL_SOAP}}}"
_ADDRESS = "__LEADSYNC_ADDRESS__"


def _element(parent: etree._Element, el: Element) -> None:
    etree.SubElement(
        parent,
        f"{_XS}element",
        name=el.name,
        type=el.type,
        minOccurs=str(el.min_occurs),
        maxOccurs="unbounded" if el.max_occurs is None else str(el.max_occurs),
        nillable="true" if el.nillable else "false",
    )


def _later(ct: ComplexType) -> ComplexType:
    """``ct`` as API versions after 2_2 declare it (LATER_ELEMENTS)."""
    added = [(index, element) for name, index, element in LATER_ELEMENTS if name == ct.name]
    if not added:
        return ct
    elements = list(ct.elements)
    for index, element in added:
        elements.insert(index, element)
    return ComplexType(ct.name, tuple(elements), ct.base, ct.abstract)


def _complex_type(schema: etree._Element, ct: ComplexType) -> None:
    node = etree.SubElement(schema, f"{_XS}complexType", name=ct.name)
    if ct.abstract:
        node.set("abstract", "true")
    if ct.base is not None:
        ext = etree.SubElement(
            etree.SubElement(node, f"{_XS}complexContent"), f"{_XS}extension", base=ct.base
        )
        node = ext
    seq = etree.SubElement(node, f"{_XS}sequence")
    for el in ct.elements:
        _element(seq, el)


def _schema(types: etree._Element, later: bool) -> None:
    # No elementFormDefault: local elements are unqualified, exactly as in Marketo's WSDL.
    schema = etree.SubElement(types, f"{_XS}schema", targetNamespace=ns.MKTOWS)
    for st in mktows.SIMPLE_TYPES:
        restriction = etree.SubElement(
            etree.SubElement(schema, f"{_XS}simpleType", name=st.name),
            f"{_XS}restriction",
            base="xs:string",
        )
        for value in st.values:
            etree.SubElement(restriction, f"{_XS}enumeration", value=value)
    for ct in mktows.COMPLEX_TYPES:
        _complex_type(schema, _later(ct) if later else ct)
    for ge in mktows.GLOBAL_ELEMENTS:
        etree.SubElement(schema, f"{_XS}element", name=ge.name, type=ge.type)


def _messages(root: etree._Element) -> None:
    for header, part in HEADER_PARTS.items():
        msg = etree.SubElement(root, f"{_W}message", name=header)
        etree.SubElement(msg, f"{_W}part", name=part, element=f"tns:{header}")
    for op in mktows.OPERATIONS:
        for message, element in (
            (op.request_message, op.input_element),
            (op.response_message, op.output_element),
        ):
            msg = etree.SubElement(root, f"{_W}message", name=message)
            etree.SubElement(msg, f"{_W}part", name=element, element=f"tns:{element}")


def _port_type(root: etree._Element) -> None:
    port_type = etree.SubElement(root, f"{_W}portType", name="MktowsPort")
    for op in mktows.OPERATIONS:
        node = etree.SubElement(port_type, f"{_W}operation", name=op.name)
        etree.SubElement(node, f"{_W}documentation").text = op.documentation
        etree.SubElement(node, f"{_W}input", message=f"tns:{op.request_message}")
        etree.SubElement(node, f"{_W}output", message=f"tns:{op.response_message}")


def _binding(root: etree._Element) -> None:
    binding = etree.SubElement(
        root, f"{_W}binding", name="MktowsApiSoapBinding", type="tns:MktowsPort"
    )
    etree.SubElement(binding, f"{_SOAP}binding", style="document", transport=ns.SOAP_HTTP)
    for op in mktows.OPERATIONS:
        node = etree.SubElement(binding, f"{_W}operation", name=op.name)
        etree.SubElement(node, f"{_SOAP}operation", soapAction=ns.SOAP_ACTION_PREFIX + op.name)
        given = etree.SubElement(node, f"{_W}input")
        for header in op.headers:
            etree.SubElement(
                given,
                f"{_SOAP}header",
                use="literal",
                part=HEADER_PARTS[header],
                message=f"tns:{header}",
            )
        etree.SubElement(given, f"{_SOAP}body", use="literal")
        etree.SubElement(etree.SubElement(node, f"{_W}output"), f"{_SOAP}body", use="literal")


@cache
def _template(later: bool) -> str:
    nsmap = {"soap": ns.WSDL_SOAP, "tns": ns.MKTOWS, "wsdl": ns.WSDL, "xs": ns.XS}
    root = etree.Element(f"{_W}definitions", nsmap=nsmap, name="mktows", targetNamespace=ns.MKTOWS)
    _schema(etree.SubElement(root, f"{_W}types"), later)
    _messages(root)
    _port_type(root)
    _binding(root)
    service = etree.SubElement(root, f"{_W}service", name="MktMktowsApiService")
    port = etree.SubElement(
        service, f"{_W}port", name="MktowsApiSoapPort", binding="tns:MktowsApiSoapBinding"
    )
    etree.SubElement(port, f"{_SOAP}address", location=_ADDRESS)
    body: str = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def render_wsdl(address: str, version: str = "2_2") -> bytes:
    """The WSDL of API ``version`` (``2_2``: the reference's exact shape), UTF-8, with
    ``soap:address`` set to the endpoint the client called."""
    major, _, minor = version.partition("_")
    template = _template((int(major), int(minor or 0)) > (2, 2))
    return template.replace(f'"{_ADDRESS}"', quoteattr(address)).encode("utf-8")
