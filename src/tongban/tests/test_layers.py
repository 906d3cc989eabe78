"""The layer table of tongban.layers holds: no app imports one above it or after it in its layer,
so no two apps import each other. The checker is shown to catch each kind of breach on a fake
package first, so the real check cannot pass by finding nothing."""

from __future__ import annotations

from pathlib import Path

import tongban
from tongban.layers import LAYERS, breaches


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "tongban"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for app in {name.split("/")[0] for name in files}:
        (package / app / "__init__.py").touch()
    return package


def test_the_checker_catches_an_upward_import_a_sideways_one_and_an_unplaced_app(tmp_path):
    fake = _package(tmp_path, {
        "lib/helpers.py": "def f():\n    from tongban.cases.services import submit_new\n",  # base → engine
        "audit/services.py": "from tongban.accounts import access\n",  # foundation → later foundation
        "accounts/views.py": "from ..workbench import views\n",  # relative, foundation → face
        "cases/services.py": "from tongban.catalog import models\nimport tongban.lib.errors\n",  # allowed
        "workbench/views.py": "from tongban.cases import services\n",  # allowed
        "gadgets/models.py": "",  # an app the table does not place
    })
    found = {(b.module, b.imported, b.kind) for b in breaches(fake)}
    assert found == {
        ("lib/helpers.py", "cases", "upward"),
        ("audit/services.py", "accounts", "sideways"),
        ("accounts/views.py", "workbench", "upward"),
        ("gadgets/", "", "unplaced"),
    }


def test_the_checker_leaves_tests_and_migrations_alone(tmp_path):
    fake = _package(tmp_path, {
        "lib/tests/test_x.py": "from tongban.workbench import views\n",
        "lib/migrations/0001_x.py": "from tongban.cases import models\n",
        "workbench/views.py": "",
        "cases/models.py": "",
    })
    assert breaches(fake) == []


def test_every_app_imports_only_apps_below_it_in_the_table():
    found = breaches(Path(tongban.__file__).parent)
    assert [str(b) for b in found] == []


def test_the_table_places_every_app_once():
    apps = [app for _, layer in LAYERS for app in layer]
    assert len(apps) == len(set(apps))
