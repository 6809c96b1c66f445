"""The Bulk Extract endpoints for leads and activities (rest-api/bulk-extract.md,
bulk-lead-extract.md, bulk-activity-extract.md): create, enqueue, status, cancel, the
file, and the listing of an instance's jobs, under ``/bulk/v1/leads/export`` and
``/bulk/v1/activities/export``.

A job of another instance, or of the other kind, is not found (1013). The file is the
one answer that is not JSON: the bytes (a ``Range: bytes=a-b`` gives 206 with
Content-Range, an unsatisfiable one 416), or 404 with a plain text message while the
job is not completed, as Marketo answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from starlette.responses import FileResponse, PlainTextResponse, Response

from leadsync.errors import BadParameter, ParameterRequired, UnsupportedFilter
from leadsync.exports import ExportJob, ExportKind, ExportStatus
from leadsync.rest.registry import Answer, Handler, RestCall, endpoint
from leadsync.rest.tokens import after_id, page_token
from leadsync.rest.values import iso, parse_time
from leadsync.service.exports import Window
from leadsync.words import quoted

MAX_BATCH = 300
_LEAD_FILTERS = frozenset({"createdAt", "updatedAt", "staticListId", "staticListName"})
_ACTIVITY_FILTERS = frozenset({"createdAt", "activityTypeIds"})
_UNSUPPORTED = {
    ExportKind.LEADS: frozenset({"smartListId", "smartListName"}),
    ExportKind.ACTIVITIES: frozenset({"primaryAttributeValueIds", "primaryAttributeValues"}),
}
_STATUSES = {status.value.casefold(): status for status in ExportStatus}
_STATUSES["canceled"] = ExportStatus.CANCELLED  # Marketo's docs spell it both ways


def job_json(job: ExportJob) -> dict[str, Any]:
    """A job's status as Marketo gives it: the times it has, and a completed job's file."""
    found: dict[str, Any] = {
        "exportId": job.id,
        "status": job.status.value,
        "createdAt": iso(job.created_at),
    }
    if job.queued_at is not None:
        found["queuedAt"] = iso(job.queued_at)
    if job.started_at is not None:
        found["startedAt"] = iso(job.started_at)
    if job.finished_at is not None and job.status in (ExportStatus.COMPLETED, ExportStatus.FAILED):
        found["finishedAt"] = iso(job.finished_at)
    found["format"] = job.format.value
    if job.status is ExportStatus.COMPLETED:
        found["numberOfRecords"] = job.records
        found["fileSize"] = job.file_size
        found["fileChecksum"] = f"sha256:{job.checksum}"
    if job.status is ExportStatus.FAILED:
        found["errorMsg"] = job.error
    return found


def _window(name: str, value: object) -> Window:
    if not isinstance(value, dict):
        raise BadParameter(f"Invalid value for filter {name}: an object with startAt and endAt")
    times = []
    for end in ("startAt", "endAt"):
        given = value.get(end)
        if given is None or (isinstance(given, str) and not given.strip()):
            raise ParameterRequired(f"{name}.{end} cannot be blank")
        if not isinstance(given, str):
            raise BadParameter(f"Invalid value for {name}.{end}: an ISO 8601 date and time")
        times.append(parse_time(f"{name}.{end}", given))
    return times[0], times[1]


def _integers(name: str, value: object) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise BadParameter(f"Invalid value for {name}. Required of type 'array' of integers")
    return value


def _strings(name: str, value: object) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadParameter(f"Invalid value for {name}. Required of type 'array' of strings")
    return value


def _create(kind: ExportKind) -> Handler:
    def create(call: RestCall) -> Answer:
        body = call.body
        if body is None:
            raise ParameterRequired("filter cannot be blank")
        if not isinstance(body, dict):
            raise BadParameter("Invalid data: the body must be a JSON object")
        fields = _strings("fields", body.get("fields"))
        file_format = body.get("format")
        if file_format is not None and not isinstance(file_format, str):
            raise BadParameter("Invalid value for format. Required of type 'string'")
        headers = body.get("columnHeaderNames")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
        ):
            raise BadParameter("Invalid value for columnHeaderNames: an object of strings")
        given = body.get("filter")
        if given is None:
            raise ParameterRequired("filter cannot be blank")
        if not isinstance(given, dict):
            raise BadParameter("Invalid value for filter. Required of type 'object'")
        known = _LEAD_FILTERS if kind is ExportKind.LEADS else _ACTIVITY_FILTERS
        for name in given:
            if name in _UNSUPPORTED[kind]:
                raise UnsupportedFilter(f"Unsupported filter type for target subscription: {name}")
            if name not in known:
                raise BadParameter(f"Invalid filter type {quoted(str(name))}")
        created = _window("createdAt", given["createdAt"]) if "createdAt" in given else None
        exports = call.services.exports
        if kind is ExportKind.LEADS:
            list_id = given.get("staticListId")
            if list_id is not None and (isinstance(list_id, bool) or not isinstance(list_id, int)):
                raise BadParameter("Invalid value for staticListId. Required of type 'integer'")
            list_name = given.get("staticListName")
            if list_name is not None and not isinstance(list_name, str):
                raise BadParameter("Invalid value for staticListName. Required of type 'string'")
            updated = _window("updatedAt", given["updatedAt"]) if "updatedAt" in given else None
            job = exports.create(
                call.instance,
                kind,
                fields,
                file_format,
                headers,
                created=created,
                updated=updated,
                list_id=list_id,
                list_name=list_name,
            )
        else:
            kinds = given.get("activityTypeIds")
            job = exports.create(
                call.instance,
                kind,
                fields,
                file_format,
                headers,
                created=created,
                kinds=None if kinds is None else _integers("activityTypeIds", kinds),
            )
        return {"result": [job_json(job)]}

    create.__name__ = f"create_{kind.value}_export"
    return create


def _on_job(
    kind: ExportKind, verb: str, act: Callable[[RestCall, ExportKind, str], ExportJob]
) -> Handler:
    def handler(call: RestCall) -> Answer:
        return {"result": [job_json(act(call, kind, call.path["exportId"]))]}

    handler.__name__ = f"{verb}_{kind.value}_export"
    return handler


def _enqueue(call: RestCall, kind: ExportKind, export_id: str) -> ExportJob:
    return call.services.exports.enqueue(call.instance, kind, export_id)


def _status(call: RestCall, kind: ExportKind, export_id: str) -> ExportJob:
    return call.services.exports.job(call.instance, kind, export_id)


def _cancel(call: RestCall, kind: ExportKind, export_id: str) -> ExportJob:
    return call.services.exports.cancel(call.instance, kind, export_id)


def _jobs(kind: ExportKind) -> Handler:
    def jobs(call: RestCall) -> Answer:
        statuses = []
        for name in call.csv("status"):
            if name.casefold() not in _STATUSES:
                choices = ", ".join(status.value for status in ExportStatus)
                raise BadParameter(f"Invalid value {quoted(name)} for status: {choices}")
            statuses.append(_STATUSES[name.casefold()])
        size = call.integer("batchSize", MAX_BATCH) or MAX_BATCH
        if not 1 <= size <= MAX_BATCH:
            raise BadParameter(f"Invalid value {size} for batchSize: 1 to {MAX_BATCH}")
        exports = call.services.exports
        key = call.services.rest.stream_key()
        listing = f"bulk {kind.value} export"
        start = after_id(key, call, listing, "")
        found = exports.jobs(call.instance, kind, statuses, start, size + 1)
        answer: Answer = {"result": [job_json(job) for job in found[:size]]}
        if len(found) > size:
            answer["nextPageToken"] = page_token(key, call, listing, "", found[size - 1].seq)
        return answer

    jobs.__name__ = f"list_{kind.value}_exports"
    return jobs


def _file(kind: ExportKind) -> Callable[[RestCall], Response]:
    def file(call: RestCall) -> Response:
        export_id = call.path["exportId"]
        found = call.services.exports.file(call.instance, kind, export_id)
        if found is None:
            return PlainTextResponse(
                f"Export file not found: export job {export_id} is not completed, "
                "or not one of this instance",
                404,
            )
        path, job = found
        return FileResponse(path, media_type=job.format.media_type)

    file.__name__ = f"{kind.value}_export_file"
    return file


for _kind in ExportKind:
    _base = f"/bulk/v1/{_kind.value}/export"
    endpoint(f"{_base}/create.json", "POST")(_create(_kind))
    endpoint(f"{_base}/{{exportId}}/enqueue.json", "POST")(_on_job(_kind, "enqueue", _enqueue))
    endpoint(f"{_base}/{{exportId}}/status.json")(_on_job(_kind, "status", _status))
    endpoint(f"{_base}/{{exportId}}/cancel.json", "POST")(_on_job(_kind, "cancel", _cancel))
    # rest/app.py answers a handler's Response as it is.
    endpoint(f"{_base}/{{exportId}}/file.json")(cast(Handler, _file(_kind)))
    endpoint(f"{_base}.json")(_jobs(_kind))
