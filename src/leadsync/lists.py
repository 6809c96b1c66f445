"""Static lists and what holds them: programs, and the channels programs belong to.

Marketo users made these in Marketo's UI; leadsync's users make them with the CLI
(``leadsync lists|programs|channels add``). All belong to one instance, where names are
unique. A list in a program is also found by the key ``PROGRAM.LIST``, as Marketo's own
samples name lists (``SMSProgram.listForTesting``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Status:
    """A program status of a channel's progression: its name, step number and whether
    reaching it counts as success."""

    name: str
    step: int
    success: bool


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    name: str
    progression: tuple[Status, ...]  # in order

    @classmethod
    def numbered(
        cls, channel_id: int, name: str, statuses: Sequence[str], successes: Collection[str]
    ) -> Channel:
        """A channel whose statuses are steps 10, 20, 30, ... in the order given."""
        return cls(
            channel_id,
            name,
            tuple(Status(s, 10 * (i + 1), s in successes) for i, s in enumerate(statuses)),
        )


@dataclass(frozen=True, slots=True)
class Program:
    id: int
    name: str
    channel: str | None
    tags: tuple[tuple[str, str], ...]  # (tag type, value), e.g. ("Region", "EMEA")
    tokens: tuple[tuple[str, str], ...] = ()  # My Tokens: ("{{my.message}}", "Hello")


@dataclass(frozen=True, slots=True)
class StaticList:
    id: int
    name: str
    program: str | None  # the program's name, when the list is in one

    @property
    def keys(self) -> tuple[str, ...]:
        """The names ``listKey`` may give it: NAME, and PROGRAM.NAME in a program."""
        return (self.name,) if self.program is None else (self.name, f"{self.program}.{self.name}")


class ListOperation(StrEnum):
    ADD = "ADDTOLIST"
    IS_MEMBER = "ISMEMBEROFLIST"
    REMOVE = "REMOVEFROMLIST"


LIST_NAME_KEY = "MKTOLISTNAME"  # the one ListKeyType leadsync resolves
MAX_MEMBERS = 1000  # lead keys per listOperation call (Marketo's documented limit)


def find_list(lists: Iterable[StaticList], key: str) -> StaticList | None:
    """The list a MKTOLISTNAME key names: a list's own name first, then PROGRAM.NAME."""
    candidates = list(lists)
    for candidate in candidates:
        if candidate.name == key:
            return candidate
    for candidate in candidates:
        if key in candidate.keys:
            return candidate
    return None
