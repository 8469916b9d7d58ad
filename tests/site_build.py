"""The course's site, built once per test run for the tests that look at it
(tests/notebooks/test_site.py, tests/browser/test_site_browser.py).

It is built into tests/artifacts/site from the executed copies that the notebook tests leave
in tests/artifacts/executed (they run first, or in other workers: see tests/scheduling.py); a
notebook without a current copy is run here.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE = REPO_ROOT / "tests" / "artifacts" / "site"

sys.path.insert(0, str(REPO_ROOT / "tools"))
import build_site  # noqa: E402
import scheduling  # noqa: E402

_built: dict[str, object] = {}


def built_site() -> tuple[Path, build_site.SiteReport]:
    """The site and its report; a failed build fails every test that asks, without building again."""
    if not _built:
        scheduling.wait_for_runs(build_site.DEFAULT_EXECUTED)   # under xdist: the main runs of other workers
        try:
            _built["report"] = build_site.build(SITE)
        except build_site.BuildError as exc:
            _built["error"] = exc
    if "error" in _built:
        raise _built["error"]
    return SITE, _built["report"]
