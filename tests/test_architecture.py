"""The layout of the code base: no import cycle between apps (module-level or inside functions), the
dependency directions of docs/architecture.md, and one skeleton per app."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_APPS = {"tests", "benchmarks", "scripts", "docs", "static", "templates", "locale", "artifacts", "var"}
APPS = sorted(p.name for p in ROOT.iterdir()
              if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS and not p.name.startswith("."))


def imports_of(app: str) -> dict[str, str]:
    """Every other app ``app`` imports, anywhere in its code but migrations: {app: first place}."""
    found = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


GRAPH = {app: imports_of(app) for app in APPS}


def cycles() -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for app in APPS:
        if app not in index:
            visit(app)
    return out


def test_the_apps_are_found():
    assert {"config", "core", "enterprises", "monitoring", "alerts", "notifications", "ecocode", "dispatch",
            "enforcement", "dashboard"} <= set(APPS)


def test_no_import_cycle_between_apps():
    found = cycles()
    detail = {app: {dep: GRAPH[app][dep] for dep in GRAPH[app] if dep in comp} for comp in found for app in comp}
    assert found == [], detail


def test_nothing_imports_config():
    assert {app: deps["config"] for app, deps in GRAPH.items() if "config" in deps} == {}


def test_core_uses_no_domain_app():
    assert GRAPH["core"] == {}


@pytest.mark.parametrize("app, forbidden", [
    ("enterprises", {"monitoring", "alerts", "dispatch", "ecocode", "enforcement", "dashboard", "notifications"}),
    ("monitoring", {"alerts", "dispatch", "ecocode", "enforcement", "dashboard"}),
    ("alerts", {"dispatch", "ecocode", "enforcement", "dashboard"}),
    ("notifications", {"monitoring", "alerts", "dispatch", "ecocode", "enforcement", "dashboard"}),
    ("dispatch", {"alerts", "monitoring", "ecocode", "enforcement", "dashboard"}),
    ("waste", {"dispatch", "ecocode", "enforcement", "dashboard"}),  # they read waste, not the other way
    ("ecocode", {"waste", "enforcement"}),  # read by model name (ecocode/rules/records.py, transfers.py)
])
def test_dependencies_point_one_way(app, forbidden):
    assert {dep: where for dep, where in GRAPH[app].items() if dep in forbidden} == {}


@pytest.mark.parametrize("app", [a for a in APPS if a != "config"])
def test_one_skeleton_per_app(app):
    """No ``api.py``/``api_*.py``/``services.py`` beside the packages, and the app's parts where they exist."""
    folder = ROOT / app
    stray = sorted(p.name for p in folder.glob("*.py")
                   if p.name in ("api.py", "services.py", "api_urls.py") or p.name.startswith(("api_", "alert_")))
    assert stray == []
    for package in ("models", "services", "api"):
        assert not (folder / f"{package}.py").exists(), f"{app}/{package}.py should be the package {package}/"
    if (folder / "api").is_dir() and app != "core":  # core/api is the REST base every app's api/ builds on
        assert (folder / "api" / "urls.py").exists() and (folder / "api" / "views.py").exists()
