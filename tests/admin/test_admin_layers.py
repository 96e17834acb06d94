"""The engine's apps, their admin included, import no face: neither a dialect (``compat``) nor the worker
pages. (The admin's batch downloads come from ``results.batch_csv``, which the Turkle API serves too.)"""

import ast
from pathlib import Path

from django.conf import settings

ENGINE_APPS = ("accounts", "projects", "campaigns", "tasks", "results")
FACES = ("compat", "worker")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_engine_module_imports_a_face():
    root = Path(settings.BASE_DIR)
    offending = sorted(
        f"{path.relative_to(root)} imports {name}"
        for app in ENGINE_APPS
        for path in (root / app).rglob("*.py")
        if "/api/" not in path.as_posix()
        for name in _imports(path)
        if name.split(".")[0] in FACES
    )
    assert offending == []
