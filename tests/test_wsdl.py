"""Our WSDL against Marketo's 2_2 WSDL: same names, operations, messages and types."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from leadsync.wire.wsdl import render_wsdl
from tests.soap import REFERENCE_WSDL, shared

W = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
NS = {"wsdl": W, "xs": XS, "soap": SOAP}
ADDRESS = "http://127.0.0.1:8080/soap/mktows/2_2"


@pytest.fixture(scope="module")
def ours() -> etree._Element:
    return etree.fromstring(render_wsdl(ADDRESS))


@pytest.fixture(scope="module")
def real() -> etree._Element:
    return etree.parse(str(shared(REFERENCE_WSDL))).getroot()


def _types(root: etree._Element) -> dict[str, Any]:
    found: dict[str, Any] = {}
    schema = root.find("wsdl:types/xs:schema", NS)
    assert schema is not None
    assert schema.get("elementFormDefault") is None  # locals stay unqualified
    for node in schema:
        if not isinstance(node.tag, str):
            continue
        kind = etree.QName(node).localname
        if kind == "simpleType":
            found[str(node.get("name"))] = [
                e.get("value") for e in node.iter(f"{{{XS}}}enumeration")
            ]
        elif kind == "complexType":
            ext = node.find(".//xs:extension", NS)
            found[str(node.get("name"))] = (
                node.get("abstract", "false"),
                None if ext is None else ext.get("base"),
                [
                    (
                        e.get("name"),
                        e.get("type"),
                        e.get("minOccurs", "1"),
                        e.get("maxOccurs", "1"),
                        e.get("nillable", "false"),
                    )
                    for e in node.iter(f"{{{XS}}}element")
                ],
            )
        else:
            found[f"element {node.get('name')}"] = node.get("type")
    return found


def _operations(root: etree._Element) -> dict[str, Any]:
    messages = {
        m.get("name"): [(p.get("name"), p.get("element")) for p in m.findall("wsdl:part", NS)]
        for m in root.findall("wsdl:message", NS)
    }
    found: dict[str, Any] = {}
    for op in root.findall("wsdl:portType/wsdl:operation", NS):
        name = op.get("name")
        inp = op.find("wsdl:input", NS)
        out = op.find("wsdl:output", NS)
        assert inp is not None and out is not None
        bound = root.find(f"wsdl:binding/wsdl:operation[@name='{name}']", NS)
        assert bound is not None
        action = bound.find("soap:operation", NS)
        assert action is not None
        headers = [
            (h.get("message"), h.get("part"), h.get("use"))
            for h in bound.findall("wsdl:input/soap:header", NS)
        ]
        found[str(name)] = (
            messages[inp.get("message", "").split(":")[1]],
            messages[out.get("message", "").split(":")[1]],
            action.get("soapAction"),
            headers,
        )
    return found


def test_every_type_and_element_matches_marketos(
    ours: etree._Element, real: etree._Element
) -> None:
    mine, theirs = _types(ours), _types(real)
    assert len(theirs) == 15 + 127 + 48
    assert mine == theirs


def test_every_operation_matches_marketos(ours: etree._Element, real: etree._Element) -> None:
    mine, theirs = _operations(ours), _operations(real)
    assert len(theirs) == 23
    assert mine == theirs
    assert mine["syncMultipleLeads"] == (
        [("paramsSyncMultipleLeads", "tns:paramsSyncMultipleLeads")],
        [("successSyncMultipleLeads", "tns:successSyncMultipleLeads")],
        "http://www.marketo.com/mktows/syncMultipleLeads",
        [("tns:AuthenticationHeader", "authentication", "literal")],
    )


def test_service_port_and_binding_carry_marketos_names(ours: etree._Element) -> None:
    assert ours.get("name") == "mktows"
    assert ours.get("targetNamespace") == "http://www.marketo.com/mktows/"
    port = ours.find("wsdl:service[@name='MktMktowsApiService']/wsdl:port", NS)
    assert port is not None
    assert (port.get("name"), port.get("binding")) == (
        "MktowsApiSoapPort",
        "tns:MktowsApiSoapBinding",
    )
    binding = ours.find("wsdl:binding", NS)
    assert binding is not None
    assert (binding.get("name"), binding.get("type")) == ("MktowsApiSoapBinding", "tns:MktowsPort")
    style = binding.find("soap:binding", NS)
    assert style is not None and style.get("style") == "document"


def test_the_address_is_the_url_the_client_used_and_escaped() -> None:
    url = 'https://leads.example.com:8443/soap/mktows/3_1?"<&>'
    root = etree.fromstring(render_wsdl(url))
    address = root.find("wsdl:service/wsdl:port/soap:address", NS)
    assert address is not None and address.get("location") == url


@pytest.mark.parametrize(
    ("version", "declared"),
    [("2_2", ["startPosition", "activityFilter", "batchSize", "leadSelector"])]
    + [
        (v, ["startPosition", "activityFilter", "activityNameFilter", "batchSize", "leadSelector"])
        for v in ("2_3", "2_7", "3_1")
    ],
)
def test_get_lead_changes_declares_activity_name_filter_after_2_2(
    version: str, declared: list[str]
) -> None:
    root = etree.fromstring(render_wsdl(ADDRESS.replace("2_2", version), version))
    [params] = root.iterfind(".//xs:complexType[@name='ParamsGetLeadChanges']", NS)
    assert [e.get("name") for e in params.iterfind(".//xs:element", NS)] == declared


@pytest.mark.parametrize(
    ("version", "declared"),
    [("2_2", ["programName", "campaignName", "campaignRunAt", "programTokenList"])]
    + [
        (
            v,
            [
                "programName",
                "campaignName",
                "campaignRunAt",
                "cloneToProgramName",
                "programTokenList",
            ],
        )
        for v in ("2_3", "3_1")
    ],  # fmt: skip
)
def test_schedule_campaign_declares_clone_to_program_name_after_2_2(
    version: str, declared: list[str]
) -> None:
    root = etree.fromstring(render_wsdl(ADDRESS.replace("2_2", version), version))
    [params] = root.iterfind(".//xs:complexType[@name='ParamsScheduleCampaign']", NS)
    assert [e.get("name") for e in params.iterfind(".//xs:element", NS)] == declared
