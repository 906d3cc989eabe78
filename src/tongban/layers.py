"""The layers of tongban, in one place: the test `tests/test_layers.py` reads this table and the
README draws it. An app imports only apps listed before it — a lower layer, or an app earlier in
its own layer — so no app imports a layer above it and no two apps import each other.

Within a layer the order says who may lean on whom: the trail (audit) is below everything that
acts, accounts (users, units, roles, scopes) is below the records of people, notify can address
people, and archive (documents, seals) uses all of them. Planned apps have their place already.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["lib"]),
    ("foundation", ["audit", "accounts", "people", "notify", "archive"]),
    ("engine", ["catalog", "cases", "interop"]),
    ("business", ["restrictions", "booking", "hukou", "loans", "records", "window", "campaigns", "supervision",
                  "ratings", "assistant"]),
    ("faces", ["api", "portal", "workbench", "demo"]),
]
NOT_APPS = {"static", "templates", "locale", "tests", "__pycache__"}
ORDER = {app: n for n, app in enumerate(app for _, apps in LAYERS for app in apps)}
LAYER_OF = {app: layer for layer, apps in LAYERS for app in apps}


@dataclass(frozen=True)
class Breach:
    module: str  # the importing file, relative to the package root
    app: str
    imported: str  # the app it imports
    kind: str  # "upward" (a higher layer), "sideways" (later in the same layer) or "unplaced"

    def __str__(self) -> str:
        if self.kind == "unplaced":
            return f"{self.module}: app {self.app!r} has no place in tongban.layers.LAYERS"
        where = f"the higher layer {LAYER_OF[self.imported]}" if self.kind == "upward" else (
            f"an app after it in the {LAYER_OF[self.app]} layer")
        return f"{self.module} ({self.app}) imports {self.imported}, {where}"


def _imported_apps(tree: ast.AST, package: str, module_parts: tuple[str, ...]) -> set[str]:
    """The first-party apps a module imports, at its top or inside functions alike."""
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = (package, *module_parts[: len(module_parts) - node.level])
                names = [".".join((*base, node.module)) if node.module else ".".join(base)]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == package and len(parts) > 1:
                found.add(parts[1])
    return found


def breaches(root: Path) -> list[Breach]:
    """Every import in the package at `root` that the table forbids (tests and migrations
    aside: they may arrange across apps)."""
    package = root.name
    found: list[Breach] = []
    apps = sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()
                  and p.name not in NOT_APPS)
    for app in apps:
        if app not in ORDER:
            found.append(Breach(f"{app}/", app, "", "unplaced"))
            continue
        for path in sorted((root / app).rglob("*.py")):
            rel = path.relative_to(root)
            if "tests" in rel.parts or "migrations" in rel.parts or rel.name.startswith("test_"):
                continue
            module_parts = rel.with_suffix("").parts
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for other in _imported_apps(tree, package, module_parts):
                if other == app or other not in ORDER:
                    continue
                if ORDER[other] > ORDER[app]:
                    kind = "upward" if LAYER_OF[other] != LAYER_OF[app] else "sideways"
                    found.append(Breach(str(rel), app, other, kind))
    return found
