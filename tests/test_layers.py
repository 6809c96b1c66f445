"""The import rules of docs/architecture.md, checked on the source: a request goes wire ->
service -> store and nothing imports back up; the Python client never imports the
server's code."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "leadsync"

# Each layer and what it may import besides itself and the core values.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "store": set(),
    "service": {"store"},
    "wire": {"service"},
    "rest": {"service"},
    "web": {"service"},
    "relay": {"service", "store"},
    "admin": {"service"},
    "testing": set(),
    "http": {"wire", "rest", "web", "relay", "admin", "service", "store"},
    "client": set(),
    "push": {"client"},
    "cli": {"http", "wire", "rest", "web", "relay", "service", "store", "client", "push"},
}


def layer(module: str) -> str:
    """The layer of ``leadsync.x.y``: a package's name, cli, or core."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"  # leadsync/__init__.py, checked on its own below
    top = parts[1]
    if top in ALLOWED:
        return top
    return "cli" if top in ("cli", "__main__") else "core"


def module_of(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every leadsync module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "leadsync"}


def test_every_module_imports_only_what_its_layer_may() -> None:
    broken = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_of(path)
        if module == "leadsync":
            continue
        mine = layer(module)
        for imported in imports(path):
            theirs = layer(imported)
            if theirs not in {mine, "core", *ALLOWED[mine]}:
                broken.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert broken == []


def test_the_public_package_exposes_the_client_lazily() -> None:
    """leadsync/__init__.py may name the client, and nothing else of a layer."""
    layers = {layer(name) for name in imports(SRC / "__init__.py")}
    assert layers <= {"core", "client"}


def test_the_rules_see_the_imports_they_judge() -> None:
    """The checker itself: a wire module's store import, inside a function, is seen."""
    assert layer("leadsync.wire.dispatch") == "wire"
    assert layer("leadsync.store.sqlite") == "store"
    assert layer("leadsync.fields") == "core"
    assert "leadsync.service.Services" in imports(SRC / "wire" / "dispatch.py")
    assert "leadsync.client.Client" in imports(SRC / "push" / "command.py")  # in a function
