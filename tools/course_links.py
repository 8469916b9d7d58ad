"""Write the course's location (from pyproject.toml) into the notebooks and the README.

The repository URL and branch are written once, in ``[tool.course]`` of pyproject.toml.
This script copies them into
  * the set-up cell that opens every notebook (tagged ``course-setup``), and
  * every "Open in Colab" and Binder link of README.md and the notebooks.

    python tools/course_links.py          # rewrite what is out of date
    python tools/course_links.py --check  # only report; exit 1 if anything is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_files import (  # noqa: E402
    REPO_ROOT,
    as_source_lines,
    course_notebooks,
    read_notebook,
    source_text,
    write_notebook,
)

SETUP_TAG = "course-setup"
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^\s)\"']+?/notebooks/([\w-]+)\.ipynb")
BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^/\s)\"']+/[^/\s)\"']+/[^?\s)\"']+(?=\?urlpath=)")

# The first code cell of every notebook: five lines (a Colab form title, where the course
# lives, find it, fetch it when the notebook was opened alone, run course_setup.py, or stop
# Run All here with one line saying what to do when the course could not be fetched). It is
# collapsed in Jupyter and shown as a form in Colab; the work is done by course_setup.py.
SETUP_CELL = "\n".join((
    '#@title Course set-up: run this cell first {{ display-mode: "form" }}',
    'COURSE = "{repository}", "{branch}"  # repository, branch: `make colab-links`',
    "import glob, os, shutil, subprocess, sys; _here = lambda: [os.path.dirname(os.path.abspath(f)) "
    'for p in ("", "../", "embeddings-course/", "../input/*/") for f in glob.glob(p + "course_setup.py")][:1]',
    '_here() or not shutil.which("git") or subprocess.run(["git", "clone", "-q", "--depth=1", "-b", COURSE[1], '
    'COURSE[0], "embeddings-course"], env={{**os.environ, "GIT_TERMINAL_PROMPT": "0"}}, capture_output=True)',
    'sys.path[:0] = _here(); helpers = __import__("course_setup").setup_course(*COURSE) if _here() else '
    '(_ for _ in ()).throw(type("CourseSetupError", (RuntimeError,), '
    '{{"_render_traceback_": lambda self: [str(self)]}})('
    'f"Could not fetch {{COURSE[0]}} into {{os.getcwd()}}: " + ("check the internet connection (on Kaggle: Settings '
    '> Internet, or attach the course as an input) and that this folder can be written" if shutil.which("git") else '
    '"this runtime has no git to fetch it with (install git, or upload or attach the course\'s folder)") + ", then '
    'run this cell again."))',
))

#: Cell metadata of the set-up cell: its tag, and collapsed input in JupyterLab / Notebook 7.
SETUP_METADATA = {"tags": [SETUP_TAG], "jupyter": {"source_hidden": True}}


def read_course_location(pyproject: Path = REPO_ROOT / "pyproject.toml") -> tuple[str, str]:
    """The repository URL and branch from ``[tool.course]`` of pyproject.toml."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[tool\.course\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if section is None:
        raise SystemExit("pyproject.toml has no [tool.course] section")
    values = dict(re.findall(r'^\s*(\w+)\s*=\s*"([^"]*)"', section.group(1), re.M))
    repo, branch = values.get("repository"), values.get("branch", "main")
    if not repo or not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo):
        raise SystemExit(f"[tool.course] repository must look like https://github.com/OWNER/NAME, got {repo!r}")
    return repo, branch


def colab_url(repository: str, branch: str, notebook: str) -> str:
    owner_name = repository.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/notebooks/{notebook}.ipynb"


def binder_url(repository: str, branch: str) -> str:
    """Binder's launch address for the repository (a ``?urlpath=`` naming the page to open follows it)."""
    return f"https://mybinder.org/v2/gh/{repository.removeprefix('https://github.com/')}/{branch}"


def fix_links(text: str, repository: str, branch: str) -> str:
    text = COLAB_LINK.sub(lambda m: colab_url(repository, branch, m.group(1)), text)
    return BINDER_LINK.sub(lambda m: binder_url(repository, branch), text)


def update_notebook(path: Path, repository: str, branch: str, write: bool) -> bool:
    nb = read_notebook(path)
    cells = nb["cells"]
    setup_source = SETUP_CELL.format(repository=repository, branch=branch)
    setup_cells = [c for c in cells if SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    if not setup_cells:
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": []}
        cells.insert(1 if cells and cells[0]["cell_type"] == "markdown" else 0, cell)
        setup_cells = [cell]
    for cell in setup_cells:
        cell["source"] = as_source_lines(setup_source)
        cell["metadata"] = {**cell.get("metadata", {}), **SETUP_METADATA}
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cell["source"] = as_source_lines(fix_links(source_text(cell), repository, branch))
    return write_notebook(path, nb) if write else _differs(path, nb)


def _differs(path: Path, nb: dict) -> bool:
    from notebook_files import dump_notebook

    return path.read_text(encoding="utf-8") != dump_notebook(nb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report what is out of date; change nothing")
    args = parser.parse_args(argv)
    repository, branch = read_course_location()
    stale = []
    for path in course_notebooks():
        if update_notebook(path, repository, branch, write=not args.check):
            stale.append(path.relative_to(REPO_ROOT))
    readme = REPO_ROOT / "README.md"
    if readme.exists():
        old = readme.read_text(encoding="utf-8")
        new = fix_links(old, repository, branch)
        if new != old:
            stale.append(readme.relative_to(REPO_ROOT))
            if not args.check:
                readme.write_text(new, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    for item in stale:
        print(f"{verb}: {item}")
    if not stale:
        print(f"course links are up to date ({repository}, branch {branch})")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
