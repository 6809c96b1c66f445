"""The list scenario (tests/clients/lists.py) with zeep, generated from the reference
2_2 WSDL (LEADSYNC_WSDL names that file) and bound to LEADSYNC_ENDPOINT."""

from __future__ import annotations

from typing import Any

import zeep
import zeep.exceptions
from tests.clients.python.zeep_common import BINDING, ENDPOINT, PREFIX, WSDL, emit, header

EMAIL = PREFIX + "-h@example.com"


def answer(result: Any) -> dict[str, object]:
    listed = result.statusList  # zeep reads a nil statusList as an empty one
    statuses = None
    if listed is not None and listed.leadStatus:
        statuses = [
            [s.leadKey.keyType, s.leadKey.keyValue, s.status] for s in listed.leadStatus or []
        ]
    return {"success": result.success, "statuses": statuses}


def main() -> None:
    client = zeep.Client(WSDL)
    service = client.create_service(BINDING, ENDPOINT)
    leads = [{"Email": f"{PREFIX}-{name}@example.com"} for name in ("a", "b")]
    result = service.syncMultipleLeads(
        leadRecordList={"leadRecord": leads}, dedupEnabled=True, _soapheaders=header()
    )
    emit("create", ids=[s.leadId for s in result.syncStatus])

    def operate(operation: str, keys: list[tuple[str, str]], name: str = "Newsletter") -> Any:
        return service.listOperation(
            listOperation=operation,
            listKey={"keyType": "MKTOLISTNAME", "keyValue": name},
            listMemberList={"leadKey": [{"keyType": t, "keyValue": v} for t, v in keys]},
            strict=False,
            _soapheaders=header(),
        )

    emit(
        "add",
        **answer(operate("ADDTOLIST", [("IDNUM", "1"), ("EMAIL", f"{PREFIX}-b@example.com")])),
    )
    emit("is_member", **answer(operate("ISMEMBEROFLIST", [("IDNUM", "1"), ("IDNUM", "999999")])))
    emit("remove", **answer(operate("REMOVEFROMLIST", [("IDNUM", "1")])))
    emit("remove_again", **answer(operate("REMOVEFROMLIST", [("IDNUM", "1")])))
    try:
        operate("ADDTOLIST", [("IDNUM", "1")], name="Nope")
    except zeep.exceptions.Fault as fault:
        code = fault.detail.find(".//code") if fault.detail is not None else None
        emit("unknown_list", code=None if code is None else code.text)


if __name__ == "__main__":
    main()
