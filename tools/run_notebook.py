"""Execute one notebook top to bottom, headless, as a learner's kernel would.

    python tools/run_notebook.py notebooks/00_start_here.ipynb [--cwd DIR] [--out FILE]
        [--append-code CODE] [--timeout SECONDS] [--kernel NAME]

``--kernel`` picks the kernel spec (default ``python3``, this environment's); the test
kernels with Colab's and VS Code's packages are ``course-colab`` and ``course-vscode``
(built by tools/learner_kernels.py; put its ``--jupyter-path`` on ``JUPYTER_PATH``).

Prints a JSON summary: ``seconds`` runs from starting the kernel to the last cell's result
(what a learner waits for; ``notebook_s`` the same to the notebook's own last cell, before
any ``--append-code`` cell), ``shutdown_s`` is the kernel's shut-down after it (not waited
for in a browser; ``import torch`` alone makes a Python process take about 0.7 s to exit).
Exits 1 (naming the failing cell) when a cell raises.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def run(path: Path, cwd: Path, out: Path | None, append: list[str], timeout: int, kernel: str = "python3") -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    for code in append:
        nb.cells.append(nbformat.v4.new_code_cell(code))
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={"metadata": {"path": str(cwd)}})
    last_result: list[tuple[int, float]] = []   # (cell index, when its result came)
    client.on_cell_executed = lambda cell_index, **_: last_result.append((cell_index, time.perf_counter()))
    started = time.perf_counter()
    status = 0
    try:
        client.execute()
    except CellExecutionError as exc:
        status = 1
        print(f"FAILED {path.name}: {str(exc)[-3000:]}", file=sys.stderr)
    ended = time.perf_counter()
    finished = last_result[-1][1] if last_result else ended
    own = len(nb.cells) - len(append)
    notebook_finished = max((t for i, t in last_result if i < own), default=finished)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    print(json.dumps({"notebook": path.name, "kernel": kernel, "seconds": round(finished - started, 2),
                      "notebook_s": round(notebook_finished - started, 2), "shutdown_s": round(ended - finished, 2),
                      "ok": status == 0}))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cwd", type=Path, default=None, help="kernel's working folder (default: the notebook's)")
    parser.add_argument("--out", type=Path, default=None, help="write the executed notebook here")
    parser.add_argument("--append-code", action="append", default=[], help="a code cell to run after the notebook")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--kernel", default="python3", help="kernel spec name (default: python3)")
    args = parser.parse_args(argv)
    cwd = args.cwd or args.notebook.resolve().parent
    return run(args.notebook.resolve(), cwd.resolve(), args.out, args.append_code, args.timeout, args.kernel)


if __name__ == "__main__":
    raise SystemExit(main())
