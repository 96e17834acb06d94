"""The layers of the code base, read from its imports (every ``import``, at the top or inside a function).

From the ground up: ``crowdplatform`` plumbing; ``accounts``; ``projects``; ``campaigns``; ``tasks``;
``results``. Above them the faces: ``compat/*``, ``worker/``, each app's ``api/``, the admin, management
commands. An engine module imports only from its own layer or those below it, never a face, and no two
modules import each other, directly or round a longer loop.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ["crowdplatform", "accounts", "projects", "campaigns", "tasks", "results"]
FACE_PACKAGES = ["compat", "worker"]
# The wiring that mounts every surface: it sits above everything by design.
WIRING = {
    "crowdplatform",
    "crowdplatform.urls",
    "crowdplatform.celery",
    "crowdplatform.wsgi",
    "crowdplatform.asgi",
}

# Upward imports that remain, each of a model or a read (a table the lower layer reads): to be moved away,
# never added to. The test fails when one disappears, so that this list only shrinks.
KNOWN_UPWARD = {
    # What a closed campaign must keep frozen counts the results that may still be approved.
    ("campaigns.budget", "results.models"),
    ("campaigns.budget", "results.lifecycle"),
    # Campaign reads that count tasks and results (progress, completion, answer keys, the input header).
    ("campaigns.selectors", "results.models"),
    ("campaigns.selectors", "tasks.models"),
    # Task reads that count the assignments holding a task's slots.
    ("tasks.selectors", "results.models"),
    ("tasks.selectors", "results.selectors"),
    # Which states count as work done or in progress: the lifecycle's, read by campaign and task counts.
    ("campaigns.selectors", "results.lifecycle"),
    ("tasks.selectors", "results.lifecycle"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in ENGINE + FACE_PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            bases, names = [base], [alias.name for alias in node.names]
        else:
            continue
        for base in bases:
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            if submodules:
                targets.update(submodules)
            if len(submodules) < len(names) or not names:
                # The names are attributes of ``base`` (or a plain ``import base``): its nearest known module.
                parts = base.split(".")
                while parts and ".".join(parts) not in known:
                    parts.pop()
                if parts:
                    targets.add(".".join(parts))
    targets.discard(name)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _is_face(name: str) -> bool:
    parts = name.split(".")
    return (
        parts[0] in FACE_PACKAGES
        or (parts[0] != "crowdplatform" and "api" in parts[1:])
        or any(part.startswith("admin") for part in parts[1:])
        or "management" in parts
        or name in WIRING
    )


def _layer(name: str) -> int | None:
    """The engine layer of a module, None for a face."""
    return None if _is_face(name) else ENGINE.index(name.split(".")[0])


def test_engine_modules_never_import_a_face():
    graph = _graph()
    wrong = sorted(
        (name, target)
        for name, targets in graph.items()
        if _layer(name) is not None
        for target in targets
        if _layer(target) is None
    )
    assert wrong == []


def test_engine_modules_import_only_their_own_layer_or_those_below():
    graph = _graph()
    upward = {
        (name, target)
        for name, targets in graph.items()
        if _layer(name) is not None
        for target in targets
        if _layer(target) is not None and _layer(target) > _layer(name)
    }
    assert sorted(upward - KNOWN_UPWARD) == [], "new upward imports"
    assert sorted(KNOWN_UPWARD - upward) == [], "gone: take them off KNOWN_UPWARD"
    # What remains upward is a model, a read or the lifecycle's table (data): never a service, so no write
    # is reached from below.
    assert all(target.endswith((".models", ".selectors", ".lifecycle")) for _, target in upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_no_two_modules_import_each_other_even_round_a_loop():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_loop():
    # given a loop of three modules beside a module outside it
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    # then the loop, and only it, is found
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_resolves_relative_and_package_imports(tmp_path):
    source = tmp_path / "services.py"
    source.write_text(
        "from . import selectors\nfrom .models import Wallet\nfrom tasks import ingest\nimport os\n"
    )
    known = {"accounts.selectors", "accounts.models", "tasks", "tasks.ingest"}
    assert _imports("accounts.services", source, known) == {
        "accounts.selectors",
        "accounts.models",
        "tasks.ingest",
    }
