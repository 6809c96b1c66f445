"""Relay mode: legacy SOAP calls answered by a live Marketo through its REST API.

The SOAP wire layer is the same; the services behind it are the relay's: ``leads.py``
turns each lead operation into REST calls on the upstream (``upstream.py``: tokens,
pacing, retries, errors as faults), with the upstream's fields learned from its Describe
(``catalog.py``). An operation the relay does not carry answers 20019 naming why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, cast

import orjson

from leadsync.calls import Clock, utc_now
from leadsync.errors import ConfigError, UnsupportedOperation
from leadsync.relay.catalog import UpstreamCatalog
from leadsync.relay.custom_objects import RelayCustomObjectService
from leadsync.relay.history import RelayHistoryService
from leadsync.relay.leads import RelayLeadService
from leadsync.relay.operations import RelayCampaignService, RelayListService, RelayMergeService
from leadsync.relay.upstream import Upstream
from leadsync.relay_settings import RelaySettings
from leadsync.service import ObjectService, Services
from leadsync.store.base import Store


class Unsupported:
    """A service whose every operation answers 20019: the relay does not carry it."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: object, **kwargs: object) -> NoReturn:
            raise UnsupportedOperation(
                f"Unsupported operation: the relay does not carry {self._what} to the"
                " upstream's REST API (docs/relay.md)"
            )

        return refuse


def secret_of(settings: RelaySettings) -> str:
    path = settings.upstream_client_secret_file
    if not path:
        raise ConfigError("relay mode needs --upstream-client-secret-file FILE")
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the upstream secret file {path}: {exc.strerror}") from None
    if not lines or not lines[0].strip():
        raise ConfigError(f"the upstream secret file {path} is empty")
    return lines[0].strip()


def relay_services(
    store: Store, settings: RelaySettings, clock: Clock = utc_now, upstream: Upstream | None = None
) -> Services:
    """The services of relay mode: lead operations on the upstream, the rest 20019. The
    store still holds the SOAP users (and REST clients) that may call the relay."""
    upstream = upstream or Upstream(settings, secret_of(settings))
    mirror = store if settings.relay_mirror else None
    catalog = UpstreamCatalog.learn(upstream)
    catalog.describe_now()
    leads = RelayLeadService(upstream, catalog, mirror)
    local = Services.over(store, clock)
    unsupported = {
        name: cast(Any, Unsupported(what))
        for name, what in (
            ("imports", "importToList"),
            ("mobjects", "the MObject operations"),
        )
    }
    return replace(
        local,
        leads=leads,
        lists=RelayListService(upstream, leads),
        campaigns=RelayCampaignService(upstream, leads),
        merge=RelayMergeService(upstream, leads),
        history=RelayHistoryService(upstream, leads),
        custom_objects=RelayCustomObjectService(upstream),
        objects=ObjectService(store, lambda _instance: leads.catalog),
        **unsupported,
    )


# The services an instance's calls reach: the ones the SOAP handlers call with the
# instance as first argument.
ROUTED = ("leads", "lists", "campaigns", "merge", "history", "custom_objects", "mobjects",
          "imports", "objects")  # fmt: skip


class _Routed:
    """One service field, routed by the instance its method is called with (the first
    argument): an instance with its own upstream to its relay services, any other call
    to the default services."""

    def __init__(self, router: InstanceRouter, field: str) -> None:
        self._router = router
        self._field = field

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            services = self._router.services_for(args[0] if args else None)
            return getattr(getattr(services, self._field), name)(*args, **kwargs)

        return call


class InstanceRouter:
    """``instances add NAME --upstream ...``: instances whose calls go to their own
    upstream, each relay built at its first call (so one upstream down at start does not
    keep the others from serving) and kept."""

    def __init__(
        self,
        store: Store,
        default: Services,
        upstreams: dict[str, RelaySettings],
        clock: Clock,
        make: Callable[[RelaySettings], Upstream],
    ) -> None:
        self._store = store
        self._default = default
        self._upstreams = upstreams
        self._clock = clock
        self._make = make
        self._built: dict[str, Services] = {}
        self._lock = threading.Lock()

    def services_for(self, instance: object) -> Services:
        if not isinstance(instance, str) or instance not in self._upstreams:
            return self._default
        with self._lock:
            found = self._built.get(instance)
            if found is None:
                settings = self._upstreams[instance]
                found = relay_services(self._store, settings, self._clock, self._make(settings))
                self._built[instance] = found
            return found

    def services(self) -> Services:
        routed = {name: cast(Any, _Routed(self, name)) for name in ROUTED}
        return replace(self._default, **routed)


def instance_upstreams(store: Store, processes: int) -> dict[str, RelaySettings]:
    """The instances with their own upstream, as ``instances add --upstream`` kept them."""
    found = {}
    for instance, text in store.instance_upstreams().items():
        given = orjson.loads(text)
        found[instance] = RelaySettings(**{**given, "processes": processes})
    return found


__all__ = ["InstanceRouter", "RelaySettings", "Upstream", "instance_upstreams", "relay_services"]
