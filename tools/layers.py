"""The layers check: ftclient's imports go one way, with no cycle anywhere (run by .ci/run).

Every import statement in ftclient/ counts: at module level, inside functions and under
``if TYPE_CHECKING:``. Each module belongs to the first layer (top to bottom) whose prefix names
it; a module may import its own layer and the layers below it, never one above. The modules of
one layer may import each other, but no chain of imports may come back to where it started.
aiohttp is imported only by the modules that talk HTTP: the transport, the emulator, the CLI and
the webhook handler.

    python tools/layers.py          prints the layers and exits 1 on any violation
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "ftclient"

# Top to bottom. A line with several prefixes is one layer whose parts are independent: they
# may not import each other (the transport knows nothing of polling, and polling no transport).
LAYERS: list[tuple[str, ...]] = [
    ("ftclient.__main__",),
    ("ftclient.cli",),
    ("ftclient.archive",),
    ("ftclient.testing",),
    ("ftclient.__init__",),
    ("ftclient._cloud",),
    ("ftclient._client",),
    ("ftclient.resources",),
    ("ftclient.polling", "ftclient._transport", "ftclient.webhooks", "ftclient.data"),
    ("ftclient._wire",),
    ("ftclient._core",),
    ("ftclient._config",),
    (
        "ftclient._checks",
        "ftclient._base_url",
        "ftclient._logs",
        "ftclient._version",
        "ftclient._spec",
        "ftclient.providers",
    ),
    ("ftclient.params",),
    ("ftclient.models",),
    ("ftclient.errors",),
]
AIOHTTP_ALLOWED = ("ftclient._transport", "ftclient.testing", "ftclient.cli", "ftclient.webhooks")
# What the emulator may not reach (STYLE.md: it may import the models and _wire, never the
# runner's core or the transport, so that it can never agree with the client by sharing code).
FORBIDDEN = {"ftclient.testing": ("ftclient._core", "ftclient._transport")}


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts)


def imports(path: pathlib.Path, name: str, modules: set[str]) -> list[tuple[int, str]]:
    """Every module ``name`` imports, absolute, with the line it is imported on.

    ``from . import x`` counts as importing the submodule ``x`` where there is one, and the
    package itself only for names that are not submodules.
    """
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    if path.name == "__init__.py":
        package = name.removesuffix(".__init__")
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.append((node.lineno, submodule if submodule in modules else target))
    return found


def layer_of(name: str) -> int | None:
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                return index
    return None


def part_of(name: str) -> str | None:
    for prefixes in LAYERS:
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                return prefix
    return None


def main() -> int:
    modules: dict[str, pathlib.Path] = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        name = module_name(path)
        modules[name.removesuffix(".__init__") if path.name == "__init__.py" else name] = path
    problems: list[str] = []
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        where = "ftclient.__init__" if name == PACKAGE else name
        own = layer_of(where)
        if own is None:
            problems.append(f"{path.relative_to(ROOT)}: in no layer: add it to LAYERS")
            continue
        own_name = name + ".__init__" if path.name == "__init__.py" else name
        for line, target in imports(path, own_name, set(modules)):
            at = f"{path.relative_to(ROOT)}:{line}"
            if target.split(".")[0] == "aiohttp" and not where.startswith(AIOHTTP_ALLOWED):
                problems.append(f"{at}: imports aiohttp outside {', '.join(AIOHTTP_ALLOWED)}")
            if target not in modules or target == name:
                continue
            graph[name].add(target)
            target_where = "ftclient.__init__" if target == PACKAGE else target
            theirs = layer_of(target_where)
            if theirs is None:
                continue
            if theirs < own:
                problems.append(f"{at}: {where} imports {target}, a higher layer")
            elif theirs == own and part_of(where) != part_of(target_where):
                problems.append(f"{at}: {where} imports {target}, an independent part of its layer")
            for source, banned in FORBIDDEN.items():
                if where.startswith(source) and target.startswith(banned):
                    problems.append(f"{at}: {where} may not import {target}")
    problems.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph))
    for index, prefixes in enumerate(LAYERS):
        print(f"layer {len(LAYERS) - index:2d}: {' | '.join(prefixes)}")
    for problem in problems:
        print(problem)
    edges = sum(map(len, graph.values()))
    print(f"{len(modules)} modules, {edges} imports, {len(problems)} problems")
    return 1 if problems else 0


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
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

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


if __name__ == "__main__":
    sys.exit(main())
