"""Remove outputs and execution counts from notebooks (the course commits them clean).

    python tools/strip_notebooks.py notebooks            # strip in place
    python tools/strip_notebooks.py --check notebooks    # exit 1 if any notebook has outputs
    python tools/strip_notebooks.py --stdin < in.ipynb   # as git's clean filter: stdin to stdout

`make lab` installs the last form as a git clean filter for notebooks/*.ipynb (see
.gitattributes): what git commits, and compares in `git status`, is the stripped notebook,
so a notebook that a learner ran and saved does not count as a change. The filter needs
nothing but Python's standard library, and passes through unchanged what is not a notebook
(e.g. a file with merge conflict markers).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_files import course_notebooks, dump_notebook, read_notebook, strip_outputs  # noqa: E402


def strip_text(text: str) -> str:
    """The stripped notebook for the text of one; text that is not a notebook comes back unchanged."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    if not isinstance(nb, dict) or "cells" not in nb:
        return text
    return dump_notebook(strip_outputs(nb))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["notebooks"], help="notebooks or folders")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any is not clean")
    parser.add_argument("--stdin", action="store_true", help="read one notebook on stdin, write it stripped")
    args = parser.parse_args(argv)
    if args.stdin:
        data = sys.stdin.buffer.read().decode("utf-8")
        sys.stdout.buffer.write(strip_text(data).encode("utf-8"))
        return 0
    files: list[Path] = []
    for item in map(Path, args.paths):
        files += course_notebooks(item) if item.is_dir() else [item]
    dirty = []
    for path in files:
        clean = dump_notebook(strip_outputs(read_notebook(path)))
        if path.read_text(encoding="utf-8") != clean:
            dirty.append(path)
            if not args.check:
                path.write_text(clean, encoding="utf-8")
    for path in dirty:
        print(f"{'not clean' if args.check else 'stripped'}: {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    raise SystemExit(main())
