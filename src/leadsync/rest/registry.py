"""The REST endpoints: each handler is registered with its method(s) and path."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadsync.errors import BadParameter, ParameterRequired
from leadsync.service import Services
from leadsync.words import quoted

Answer = dict[str, Any]  # the JSON answer's members besides requestId and success


@dataclass(frozen=True, slots=True)
class RestCall:
    """One authenticated REST call: whose (the instance), its parameters (query string,
    and a ``_method=GET`` form body), its path parameters and JSON body."""

    services: Services
    instance: str
    params: Mapping[str, Sequence[str]]
    path: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    now_us: int = 0
    method: str = "GET"  # after ``_method``

    def get(self, name: str) -> str | None:
        """The parameter's value (several given: joined by commas, as REST lists are)."""
        values = self.params.get(name)
        if not values:
            return None
        return ",".join(values)

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or not value.strip():
            raise ParameterRequired(f"{name} cannot be blank")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or not value.strip():
            return default
        if not value.strip().lstrip("-").isdigit():
            raise BadParameter(f"Invalid value {quoted(value)}. Required of type 'integer'")
        return int(value)

    def csv(self, name: str) -> list[str]:
        """A comma-separated parameter's items (empty ones dropped)."""
        value = self.get(name) or ""
        return [item.strip() for item in value.split(",") if item.strip()]

    def ids(self, name: str) -> list[int]:
        items = self.csv(name)
        bad = [item for item in items if not item.isdigit()]
        if bad:
            raise BadParameter(f"Invalid value {quoted(bad[0])}. Required of type 'integer'")
        return [int(item) for item in items]

    def path_id(self, name: str = "id") -> int:
        value = self.path[name]
        if not value.isdigit():
            raise BadParameter(f"Invalid value {quoted(value)}. Required of type 'integer'")
        return int(value)

    def batch_size(self, largest: int, name: str = "batchSize") -> int:
        """A page size parameter: ``largest`` when absent, 1003 outside 1..largest."""
        size = self.integer(name, largest)
        assert size is not None
        if not 1 <= size <= largest:
            raise BadParameter(f"Invalid value {size} for {name}: 1 to {largest}")
        return size

    def lead_ids(self) -> list[int]:
        """The leads a call names: ``id`` in the query string, or ``input`` [{id}]."""
        if self.get("id") is not None:
            ids = self.ids("id")
        else:
            ids = []
            for item in self.input():
                value = item.get("id") if isinstance(item, dict) else None
                if isinstance(value, bool) or not isinstance(value, int):
                    raise BadParameter("Invalid data: each input record needs an integer id")
                ids.append(value)
        if not ids:
            raise ParameterRequired("id cannot be blank")
        return ids

    def input(self) -> list[Any]:
        """The body's ``input`` array."""
        if not isinstance(self.body, dict):
            raise ParameterRequired("input cannot be blank")
        items = self.body.get("input")
        if items is None:
            raise ParameterRequired("input cannot be blank")
        if not isinstance(items, list):
            raise BadParameter("Invalid value for input. Required of type 'array'")
        return items


Handler = Callable[[RestCall], Answer]


@dataclass(frozen=True, slots=True)
class Endpoint:
    methods: tuple[str, ...]
    path: str
    handler: Handler


ENDPOINTS: list[Endpoint] = []


def endpoint(path: str, *methods: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``path`` (Starlette's syntax: ``/rest/v1/lead/{id}.json``)."""

    def register(handler: Handler) -> Handler:
        ENDPOINTS.append(Endpoint(methods or ("GET",), path, handler))
        return handler

    return register
