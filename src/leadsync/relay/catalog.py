"""The upstream's lead fields, learned from its Describe Leads: each field's SOAP, REST
and display names and type, as a ``Catalog`` the SOAP wire layer types answers with."""

from __future__ import annotations

from typing import Any

from leadsync.fields import STANDARD_FIELDS, Catalog, FieldDef, FieldType
from leadsync.relay.upstream import Upstream

_TYPES = {
    "string": FieldType.STRING,
    "email": FieldType.STRING,
    "phone": FieldType.STRING,
    "url": FieldType.STRING,
    "reference": FieldType.STRING,
    "text": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "float": FieldType.FLOAT,
    "currency": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
}
_SYSTEM = frozenset({"id", "createdAt", "updatedAt"})


class UpstreamCatalog:
    """SOAP name <-> REST name of every upstream field, and the catalog of its types."""

    def __init__(self, described: list[dict[str, Any]]) -> None:
        custom: list[FieldDef] = []
        self.rest_of: dict[str, str] = {}  # SOAP name -> REST name
        self.soap_of: dict[str, str] = {}  # REST name -> SOAP name
        self.display_of: dict[str, str] = {}  # REST name -> the upstream's display name
        for field in described:
            rest = (field.get("rest") or {}).get("name")
            soap = (field.get("soap") or {}).get("name") or rest
            if not rest or rest in _SYSTEM or not soap:
                continue
            self.rest_of[soap] = rest
            self.soap_of[rest] = soap
            self.display_of[rest] = str(field.get("displayName") or soap)
            kind = _TYPES.get(str(field.get("dataType", "string")), FieldType.STRING)
            if soap not in STANDARD_FIELDS:
                custom.append(
                    FieldDef(soap, kind, True, 0, rest, str(field.get("displayName") or soap))
                )
        self.catalog = Catalog(custom)

    @classmethod
    def learn(cls, upstream: Upstream) -> UpstreamCatalog:
        return cls(upstream.call("GET", "/rest/v1/leads/describe.json").get("result", []))
