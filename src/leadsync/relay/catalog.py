"""The upstream's lead fields, learned from its Describe Leads: each field's SOAP, REST
and display names and type, as a ``Catalog`` the SOAP wire layer types answers with.

Described when the server starts; an upstream down then does not stop the start: its
calls answer 20011 "unreachable" meanwhile, and the first call once it answers learns
the fields."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from leadsync.errors import MktowsError
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
log = logging.getLogger("leadsync.relay")


class _Fields:
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


class UpstreamCatalog:
    """The upstream's fields (``_Fields``), described once, at the first use."""

    def __init__(self, describe: Callable[[], list[dict[str, Any]]]) -> None:
        self._describe = describe
        self._fields: _Fields | None = None
        self._lock = threading.Lock()

    @classmethod
    def learn(cls, upstream: Upstream) -> UpstreamCatalog:
        """The upstream's fields, described when first needed (a failure then is that
        call's fault, and the next call describes again)."""
        return cls(lambda: upstream.call("GET", "/rest/v1/leads/describe.json").get("result", []))

    def describe_now(self) -> None:
        """Describe the upstream at once (at start); a failure is logged, not raised:
        the first call that needs the fields describes again."""
        try:
            self._learned()
        except MktowsError as exc:
            log.warning("upstream not described at start (%s): the first call will", exc)

    def _learned(self) -> _Fields:
        fields = self._fields
        if fields is None:
            with self._lock:
                if self._fields is None:
                    self._fields = _Fields(self._describe())
                fields = self._fields
        return fields

    @property
    def rest_of(self) -> dict[str, str]:
        """SOAP name -> REST name."""
        return self._learned().rest_of

    @property
    def soap_of(self) -> dict[str, str]:
        """REST name -> SOAP name."""
        return self._learned().soap_of

    @property
    def display_of(self) -> dict[str, str]:
        """REST name -> the upstream's display name."""
        return self._learned().display_of

    @property
    def catalog(self) -> Catalog:
        return self._learned().catalog
