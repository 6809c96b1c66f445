"""How a setting appears on ``leadsync serve``'s command line: declared once, beside the
setting (``config.Settings``, ``limits.LimitSettings``), read by ``cli.py``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Option:
    flag: str  # without the leading dashes
    help: str
    minimum: int | None = None

    @property
    def envvar(self) -> str:
        return "LEADSYNC_" + self.flag.upper().replace("-", "_")


def setting(default: Any, flag: str, help: str, minimum: int | None = None) -> Any:
    """A settings field with its command-line option."""
    return field(default=default, metadata={"option": Option(flag, help, minimum)})


def options(owner: type) -> list[tuple[str, Option]]:
    """(field name, option) of every field of the settings class ``owner`` that has one."""
    found = []
    for item in fields(owner):
        option = item.metadata.get("option")
        if isinstance(option, Option):
            found.append((item.name, option))
    return found


def check_bounds(values: Any) -> None:
    """ValueError naming the flag of the first setting of ``values`` below its minimum."""
    for name, option in options(type(values)):
        if option.minimum is not None and getattr(values, name) < option.minimum:
            raise ValueError(f"--{option.flag} must be at least {option.minimum}")
