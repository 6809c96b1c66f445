"""Requests shaped exactly as each real client library sends them (FACTS.md section 8)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from leadsync.auth import sign
from leadsync.store import Store
from tests.soap import DEMO_SECRET, DEMO_USER, now_timestamp, read_fault, read_statuses

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MK = "http://www.marketo.com/mktows/"

SUDS = f"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:ns0="{ENV}" xmlns:tns="{MK}" xmlns:SOAP-ENV="{ENV}">
   <SOAP-ENV:Header>
      <tns:AuthenticationHeader>
         <mktowsUserId>{{user}}</mktowsUserId>
         <requestSignature>{{sig}}</requestSignature>
         <requestTimestamp>{{ts}}</requestTimestamp>
      </tns:AuthenticationHeader>
   </SOAP-ENV:Header>
   <ns0:Body>
      <tns:paramsSyncMultipleLeads>
         <leadRecordList>
            <leadRecord>
               <Email>dialect@x.com</Email>
               <leadAttributeList>
                  <attribute>
                     <attrName>Company</attrName>
                     <attrValue>Acme</attrValue>
                  </attribute>
               </leadAttributeList>
            </leadRecord>
         </leadRecordList>
         <dedupEnabled>true</dedupEnabled>
      </tns:paramsSyncMultipleLeads>
   </ns0:Body>
</SOAP-ENV:Envelope>"""

SOAP_LITE = f"""<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:SOAP-ENV="{ENV}">

<SOAP-ENV:Header><ns1:AuthenticationHeader xmlns:ns1="{MK}">

<mktowsUserId>{{user}}</mktowsUserId>

<requestSignature>{{sig}}</requestSignature>

<requestTimestamp>{{ts}}</requestTimestamp></ns1:AuthenticationHeader></SOAP-ENV:Header>

<SOAP-ENV:Body><ns1:paramsSyncMultipleLeads xmlns:ns1="{MK}"><leadRecordList>

<leadRecord><Email>dialect@x.com</Email><leadAttributeList><attribute>
<attrName>Company</attrName><attrValue>Acme</attrValue></attribute></leadAttributeList>
</leadRecord></leadRecordList><dedupEnabled>1</dedupEnabled></ns1:paramsSyncMultipleLeads>

</SOAP-ENV:Body></SOAP-ENV:Envelope>"""

SOAP_WSDL = f"""<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV}"><SOAP-ENV:Header>
<AuthenticationHeader xmlns="{MK}"><mktowsUserId xmlns="">{{user}}</mktowsUserId>
<requestSignature xmlns="">{{sig}}</requestSignature>
<requestTimestamp xmlns="">{{ts}}</requestTimestamp>
</AuthenticationHeader></SOAP-ENV:Header><SOAP-ENV:Body><paramsSyncMultipleLeads xmlns="{MK}">
<leadRecordList xmlns=""><leadRecord><Email>dialect@x.com</Email><leadAttributeList><attribute>
<attrName>Company</attrName><attrValue>Acme</attrValue></attribute></leadAttributeList></leadRecord>
</leadRecordList></paramsSyncMultipleLeads></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

SOAP4R = f"""<?xml version="1.0" encoding="utf-8" ?>
<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:env="{ENV}">
  <env:Header>
    <n1:AuthenticationHeader xmlns:n1="{MK}" env:mustUnderstand="0">
      <n1:mktowsUserId>{{user}}</n1:mktowsUserId>
      <n1:requestSignature>{{sig}}</n1:requestSignature>
      <n1:requestTimestamp>{{ts}}</n1:requestTimestamp>
    </n1:AuthenticationHeader>
  </env:Header>
  <env:Body>
    <n2:paramsSyncMultipleLeads xmlns:n2="{MK}">
      <leadRecordList><leadRecord><Email>dialect@x.com</Email>
        <leadAttributeList><attribute><attrName>Company</attrName><attrValue>Acme</attrValue>
        </attribute></leadAttributeList></leadRecord></leadRecordList>
      <dedupEnabled>true</dedupEnabled>
    </n2:paramsSyncMultipleLeads>
  </env:Body>
</env:Envelope>"""

SAVON = f"""<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope
 xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:ns1="{MK}" xmlns:tns="{MK}" xmlns:SOAP-ENV="{ENV}"><SOAP-ENV:Header>
<ns1:AuthenticationHeader>
<mktowsUserId>{{user}}</mktowsUserId><requestSignature>{{sig}}</requestSignature>
<requestTimestamp>{{ts}}</requestTimestamp></ns1:AuthenticationHeader></SOAP-ENV:Header>
<SOAP-ENV:Body><ns1:paramsSyncMultipleLeads><leadRecordList><leadRecord><email>dialect@x.com</email>
<leadAttributeList><attribute><attrName>Company</attrName><attrValue>Acme</attrValue></attribute>
</leadAttributeList></leadRecord></leadRecordList><dedupEnabled>True</dedupEnabled>
</ns1:paramsSyncMultipleLeads></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

JAXWS = f"""<?xml version="1.0" ?><S:Envelope xmlns:S="{ENV}"><S:Header>
<ns2:AuthenticationHeader xmlns:ns2="{MK}"><mktowsUserId>{{user}}</mktowsUserId>
<requestSignature>{{sig}}</requestSignature><requestTimestamp>{{ts}}</requestTimestamp>
</ns2:AuthenticationHeader></S:Header><S:Body><ns2:paramsSyncMultipleLeads xmlns:ns2="{MK}">
<leadRecordList><leadRecord><Email>dialect@x.com</Email><ns2:leadAttributeList><attribute>
<attrName>Company</attrName><attrValue>Acme</attrValue></attribute></ns2:leadAttributeList>
</leadRecord></leadRecordList><dedupEnabled>true</dedupEnabled></ns2:paramsSyncMultipleLeads>
</S:Body></S:Envelope>"""

AXIS = f"""<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{ENV}"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Header><ns1:AuthenticationHeader soapenv:actor="http://schemas.xmlsoap.org/soap/actor/next"
 soapenv:mustUnderstand="0" xmlns:ns1="{MK}"><ns1:mktowsUserId>{{user}}</ns1:mktowsUserId>
<ns1:requestSignature>{{sig}}</ns1:requestSignature><ns1:requestTimestamp>{{ts}}</ns1:requestTimestamp>
</ns1:AuthenticationHeader></soapenv:Header><soapenv:Body><paramsSyncMultipleLeads xmlns="{MK}">
<leadRecordList xmlns=""><leadRecord><Email>dialect@x.com</Email><leadAttributeList><attribute>
<attrName>Company</attrName><attrValue>Acme</attrValue></attribute></leadAttributeList></leadRecord>
</leadRecordList><dedupEnabled xmlns="">true</dedupEnabled></paramsSyncMultipleLeads>
</soapenv:Body></soapenv:Envelope>"""

NODE_SOAP = f"""<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENV}"
 xmlns:tns="{MK}"><soap:Header><ns1:AuthenticationHeader xmlns:ns1="{MK}">
<mktowsUserId>{{user}}</mktowsUserId><requestSignature>{{sig}}</requestSignature>
<requestTimestamp>{{ts}}</requestTimestamp></ns1:AuthenticationHeader></soap:Header><soap:Body>
<tns:paramsSyncMultipleLeads><leadRecordList><leadRecord><Email>dialect@x.com</Email>
<leadAttributeList><attribute><attrName>Company</attrName><attrValue>Acme</attrValue></attribute>
</leadAttributeList></leadRecord></leadRecordList><dedupEnabled>true</dedupEnabled>
</tns:paramsSyncMultipleLeads></soap:Body></soap:Envelope>"""

ZEEP = f"""<soap-env:Envelope xmlns:soap-env="{ENV}"><soap-env:Header>
<ns0:AuthenticationHeader xmlns:ns0="{MK}"><mktowsUserId>{{user}}</mktowsUserId>
<requestSignature>{{sig}}</requestSignature><requestTimestamp>{{ts}}</requestTimestamp>
</ns0:AuthenticationHeader></soap-env:Header><soap-env:Body>
<ns0:paramsSyncMultipleLeads xmlns:ns0="{MK}"><leadRecordList><leadRecord>
<Email>dialect@x.com</Email>
<leadAttributeList><attribute><attrName>Company</attrName><attrValue>Acme</attrValue></attribute>
</leadAttributeList></leadRecord></leadRecordList><dedupEnabled>true</dedupEnabled>
</ns0:paramsSyncMultipleLeads></soap-env:Body></soap-env:Envelope>"""


def _fill(template: str) -> bytes:
    ts = now_timestamp()
    return template.format(user=DEMO_USER, sig=sign(DEMO_SECRET, ts, DEMO_USER), ts=ts).encode()


@pytest.mark.parametrize(
    "template",
    [SUDS, SOAP_LITE, SOAP_WSDL, SOAP4R, SAVON, JAXWS, AXIS, NODE_SOAP, ZEEP],
    ids=[
        "suds",
        "soap-lite",
        "soap-wsdl",
        "soap4r",
        "savon",
        "jax-ws",
        "axis",
        "node-soap",
        "zeep",
    ],
)
def test_each_client_dialect_syncs_with_its_attributes(
    wire_client: TestClient, sqlite_store: Store, template: str
) -> None:
    first = wire_client.post("/soap/mktows/2_2", content=_fill(template))
    assert (first.status_code, read_statuses(first.content)) == (200, [(1, "CREATED", None)])
    again = wire_client.post("/soap/mktows/2_2", content=_fill(template))
    assert read_statuses(again.content) == [(1, "UPDATED", None)]
    [lead] = sqlite_store.iter_leads()
    assert (lead.email, lead.attributes) == ("dialect@x.com", {"Company": "Acme"})


def test_ill_formed_xml_from_marketo_tronok_is_20012(client: TestClient) -> None:
    # Undeclared prefix `mkt:`, as that client sends it.
    body = _fill(NODE_SOAP).replace(b"tns:paramsSyncMultipleLeads", b"mkt:paramsSyncMultipleLeads")
    response = client.post("/soap/mktows/2_2", content=body)
    assert response.status_code == 500
    assert read_fault(response.content).code == 20012
