"""The layers import one way (README, "Imports run one way"): checked on the source, so a new import that
breaks the house fails here."""

from __future__ import annotations

import ast
import importlib.util
from importlib.metadata import distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("constants", "engine", "statement", "toolchain", "prover", "verifier", "cli")
#: What each layer may import of the others.
ALLOWED: dict[str, set[str]] = {
    "constants": set(),
    "statement": {"constants"},
    "toolchain": {"constants"},
    "engine": {"constants", "statement"},
    "prover": {"constants", "statement", "toolchain", "engine"},
    "verifier": {"constants", "statement", "toolchain"},
    "cli": {"constants", "statement", "toolchain", "engine", "prover", "verifier"},
}


def layer_imports(layer: str) -> dict[str, set[str]]:
    """``{other layer: {files importing it}}`` for every ``zkmargin.<other>`` import in ``layer``."""
    files = [ROOT / "zkmargin" / "constants.py"] if layer == "constants" else sorted((ROOT / layer).rglob("*.py"))
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else
                       [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for module in modules:
                parts = module.split(".")
                if parts[0] == "zkmargin" and len(parts) > 1 and parts[1] in LAYERS and parts[1] != layer:
                    found.setdefault(parts[1], set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_what_it_may(layer: str) -> None:
    wrong = {other: files for other, files in layer_imports(layer).items() if other not in ALLOWED[layer]}
    assert not wrong, f"{layer} imports {wrong}"


def test_the_install_has_one_top_level_package() -> None:
    """``pip install`` creates ``zkmargin`` alone; every layer is reached through it."""
    assert distribution("zkmargin").read_text("top_level.txt") == "zkmargin\n"
    for name in ("engine", "prover", "verifier", "statement", "toolchain", "cli"):
        spec = importlib.util.find_spec(f"zkmargin.{name}")
        assert spec is not None and spec.origin is not None
    links = {p.name for p in (ROOT / "zkmargin").iterdir() if p.is_symlink()}
    assert links == {"engine", "prover", "verifier", "statement", "toolchain", "cli"}
