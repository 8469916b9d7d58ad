"""Reading and writing the course's .ipynb files in one stable format (shared by the tools)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def course_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course notebooks, in order (checkpoints excluded)."""
    return sorted(p for p in folder.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def read_notebook(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dump_notebook(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_notebook(path: Path, nb: dict[str, Any]) -> bool:
    """Write ``nb`` if it differs from what is on disk; return True when the file changed."""
    text = dump_notebook(nb)
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def source_text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def as_source_lines(text: str) -> list[str]:
    """Split text the way notebooks store it: lines that keep their newline, the last without."""
    lines = text.splitlines(keepends=True)
    return lines


def strip_outputs(nb: dict[str, Any]) -> dict[str, Any]:
    """Remove outputs, execution counts and per-run metadata; keep the kernelspec."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            meta.pop(key, None)
        cell["metadata"] = meta
        cell.pop("id", None)
    meta = nb.setdefault("metadata", {})
    for key in ("widgets", "varInspector", "toc"):
        meta.pop(key, None)
    meta["kernelspec"] = dict(KERNELSPEC)
    meta.setdefault("language_info", {"name": "python"})
    meta["language_info"] = {"name": "python"}
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    return nb
