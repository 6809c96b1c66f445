"""syncCustomObjects, getCustomObjects and deleteCustomObjects over the wire, on both
stores, in the shapes markety's captured fixtures show."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from leadsync.custom_objects import ObjectType
from leadsync.fields import FieldType
from leadsync.store import Store
from tests.soap import XSI, answer_of, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"
NOT_INT = "not a valid integer"
ROADSHOW = ObjectType(
    0, "RoadShow", ("rid",), (("rid", FieldType.STRING), ("city", FieldType.STRING),
                              ("zip", FieldType.STRING), ("seats", FieldType.INTEGER)),
)  # fmt: skip


def _attrs(*pairs: tuple[str, str]) -> str:
    return "".join(
        f"<attribute><attrName>{n}</attrName><attrValue>{v}</attrValue></attribute>"
        for n, v in pairs
    )


def _obj(lead: int, rid: str, *attrs: tuple[str, str]) -> str:
    return (
        f"<customObj><customObjKeyList>{_attrs(('MKTOID', str(lead)), ('rid', rid))}"
        f"</customObjKeyList><customObjAttributeList>{_attrs(*attrs)}</customObjAttributeList>"
        "</customObj>"
    )


def _sync(
    client: TestClient, objects: str, operation: str = "UPSERT", name: str = "RoadShow"
) -> list[tuple[str | None, ...]]:
    tree = answer_of(
        client,
        f"<ns1:paramsSyncCustomObjects><objTypeName>{name}</objTypeName><customObjList>"
        f"{objects}</customObjList><operation>{operation}</operation>"
        "</ns1:paramsSyncCustomObjects>",
    )
    return [_status(s) for s in tree.iter("syncCustomObjStatus")]


def _status(status: etree._Element) -> tuple[str | None, ...]:
    error = status.find("error")
    assert error is not None
    keys = [a.findtext("attrValue") for a in status.iter("attribute")]
    return (
        status.findtext("objTypeName"),
        ",".join(k or "" for k in keys),
        status.findtext("status"),
        None if error.get(f"{{{XSI}}}nil") == "true" else error.text,
    )


def _get(client: TestClient, keys: str, extra: str = "") -> etree._Element:
    result = answer_of(
        client,
        f"<ns1:paramsGetCustomObjects><objTypeName>roadshow</objTypeName>{extra}"
        f"<customObjKeyList>{keys}</customObjKeyList><includeAttributes />"
        "</ns1:paramsGetCustomObjects>",
    ).find(".//result")
    assert result is not None
    return result


def _objects(result: etree._Element) -> list[dict[str, str | None]]:
    return [
        {a.findtext("attrName") or "": a.findtext("attrValue") for a in obj.iter("attribute")}
        for obj in result.iter("customObj")
    ]


def test_sync_get_and_delete_custom_objects(client: TestClient, store: Store) -> None:
    store.add_object_type("default", ROADSHOW, 1)
    response = client.post(URL, content=sync_request([{"Email": "a@x.com"}, {"Email": "b@x.com"}]))
    ann, bo = [lead_id for lead_id, _, _ in read_statuses(response.content)]
    assert _sync(client, _obj(ann, "r1", ("city", "San Mateo"), ("zip", "94404"))
                 + _obj(bo, "r1", ("city", "Paris")) + _obj(ann, "r2", ("nameasdf", "x"))
                 + _obj(999999, "r3") + _obj(ann, "r4", ("seats", "many"))) == [
        ("RoadShow", f"{ann},r1", "CREATED", None),
        ("RoadShow", f"{bo},r1", "CREATED", None),
        ("RoadShow", f"{ann},r2", "FAILED", "Unknown name attribute list: nameasdf"),
        ("RoadShow", "999999,r3", "FAILED", "lead not found: no lead has id 999999"),
        ("RoadShow", f"{ann},r4", "FAILED", f"bad value for field seats: 'many' is {NOT_INT}"),
    ]  # fmt: skip
    assert _sync(client, _obj(ann, "r1", ("zip", "94403"), ("seats", "40"))) == [
        ("RoadShow", f"{ann},r1", "UPDATED", None)
    ]
    assert _sync(client, _obj(ann, "r1"), "INSERT")[0][2:] == (
        "FAILED",
        "object exists already: INSERT creates only new objects",
    )
    assert _sync(client, _obj(ann, "r9"), "UPDATE")[0][2:] == (
        "FAILED",
        "object not found: UPDATE changes only objects that exist",
    )
    mine = _get(client, _attrs(("MKTOID", str(ann))))
    assert (mine.findtext("objTypeName"), mine.findtext("returnCount")) == ("RoadShow", "1")
    assert _objects(mine) == [
        {"MKTOID": str(ann), "rid": "r1", "city": "San Mateo", "zip": "94403", "seats": "40"}
    ]
    both = _get(client, _attrs(("rid", "r1")))
    assert [o["MKTOID"] for o in _objects(both)] == [str(ann), str(bo)]
    first = _get(client, "", "<batchSize>1</batchSize>")
    assert (first.findtext("returnCount"), first.findtext("remainingCount")) == ("1", "1")
    position = first.findtext("newStreamPosition")
    rest = _get(client, "", f"<streamPosition>{position}</streamPosition><batchSize>1</batchSize>")
    assert [o["MKTOID"] for o in _objects(rest)] == [str(bo)]
    assert rest.findtext("newStreamPosition") == ""
    none = _get(client, _attrs(("rid", "nope")))
    assert (none.findtext("returnCount"), _objects(none)) == ("0", [])
    deleted = answer_of(
        client,
        "<ns1:paramsDeleteCustomObjects><objTypeName>RoadShow</objTypeName><customObjKeyLists>"
        f"<keyList>{_attrs(('MKTOID', str(bo)), ('rid', 'r1'))}</keyList>"
        f"<keyList>{_attrs(('MKTOID', str(bo)), ('rid', 'r1'))}</keyList>"
        "</customObjKeyLists></ns1:paramsDeleteCustomObjects>",
    )
    assert [_status(s)[2:] for s in deleted.iter("syncCustomObjStatus")] == [
        ("DELETED", None),
        ("FAILED", "object not found"),
    ]
    assert _objects(_get(client, _attrs(("rid", "r1")))) == [
        {"MKTOID": str(ann), "rid": "r1", "city": "San Mateo", "zip": "94403", "seats": "40"}
    ]


def test_an_unknown_object_type_is_20110(client: TestClient, store: Store) -> None:
    body = (
        "<ns1:paramsSyncCustomObjects><objTypeName>Nope</objTypeName><customObjList>"
        f"{_obj(1, 'r')}</customObjList></ns1:paramsSyncCustomObjects>"
    )
    assert fault_code(client, body) == (20110, "Object name is not valid (20110)")


def test_a_merge_moves_the_losers_objects(client: TestClient, store: Store) -> None:
    store.add_object_type("default", ROADSHOW, 1)
    response = client.post(URL, content=sync_request([{"Email": "w@x.com"}, {"Email": "l@x.com"}]))
    win, lose = [lead_id for lead_id, _, _ in read_statuses(response.content)]
    _sync(client, _obj(win, "same", ("city", "W")) + _obj(lose, "same", ("city", "L"))
          + _obj(lose, "own", ("city", "L2")))  # fmt: skip
    keys = _attrs(("IDNUM", str(win)))
    merged = answer_of(
        client,
        f"<ns1:paramsMergeLeads><winningLeadKeyList>{keys}</winningLeadKeyList>"
        f"<losingLeadKeyLists><keyList>{_attrs(('IDNUM', str(lose)))}</keyList>"
        "</losingLeadKeyLists></ns1:paramsMergeLeads>",
    )
    assert merged.findtext(".//status") == "MERGED"
    found = _objects(_get(client, _attrs(("MKTOID", str(win)))))
    assert sorted((o["rid"], o["city"]) for o in found) == [("own", "L2"), ("same", "W")]


def test_get_custom_objects_pages_100_at_a_time(client: TestClient, store: Store) -> None:
    store.add_object_type("default", ROADSHOW, 1)
    [ann] = [
        s[0]
        for s in read_statuses(
            client.post(URL, content=sync_request([{"Email": "a@x.com"}])).content
        )
    ]
    shows = [_obj(ann, f"r{i:03d}") for i in range(105)]
    assert {s[2] for s in _sync(client, "".join(shows[:100]))} == {"CREATED"}
    assert {s[2] for s in _sync(client, "".join(shows[100:]))} == {"CREATED"}
    first = _get(client, "")
    assert (first.findtext("returnCount"), first.findtext("remainingCount")) == ("100", "5")
    position = first.findtext("newStreamPosition")
    rest = _get(client, "", f"<streamPosition>{position}</streamPosition>")
    assert (rest.findtext("returnCount"), rest.findtext("remainingCount")) == ("5", "0")
    rids = [o["rid"] for o in _objects(first) + _objects(rest)]
    assert rids == [f"r{i:03d}" for i in range(105)]
