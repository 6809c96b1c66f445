"""The building blocks of leadsync's declarative description of the mktows interface.

The description (``wire/mktows.py``) is plain data made of these classes. The WSDL is
rendered from it, and the request decoder reads element names and value types from it,
so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTH = "AuthenticationHeader"
CONTEXT = "MktowsContextHeader"


@dataclass(frozen=True, slots=True)
class SimpleType:
    """An ``xs:string`` restricted to an enumeration."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Element:
    """A local element of a complex type's sequence; ``max_occurs=None`` is unbounded."""

    name: str
    type: str
    min_occurs: int = 1
    max_occurs: int | None = 1
    nillable: bool = False

    @property
    def repeated(self) -> bool:
        return self.max_occurs != 1


@dataclass(frozen=True, slots=True)
class ComplexType:
    """A sequence of local (unqualified) elements, optionally extending ``base``."""

    name: str
    elements: tuple[Element, ...]
    base: str | None = None
    abstract: bool = False


@dataclass(frozen=True, slots=True)
class GlobalElement:
    """A top-level element in the mktows namespace (request, response or header)."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the port type; its messages and elements follow Marketo's names."""

    name: str
    documentation: str
    headers: tuple[str, ...] = (AUTH,)

    @property
    def _cap(self) -> str:
        return self.name[0].upper() + self.name[1:]

    @property
    def request_message(self) -> str:
        return f"{self._cap}Request"

    @property
    def response_message(self) -> str:
        return f"{self._cap}Response"

    @property
    def input_element(self) -> str:
        return f"params{self._cap}"

    @property
    def output_element(self) -> str:
        return f"success{self._cap}"


# The header messages and the part name each one carries, as in Marketo's WSDL.
HEADER_PARTS: dict[str, str] = {AUTH: "authentication", CONTEXT: "mktowsContext"}
