"""Every notebook runs top to bottom, offline, with no error output, in three kernels.

* the default kernel (this environment: what ``make lab`` installs);
* ``course-colab``: Google Colab's package set (ipywidgets 7.7.1, IPython 7.34, no
  ipympl, no jupyterlab; versions in tests/environments/colab.txt);
* ``course-vscode``: what VS Code needs (ipykernel, no jupyterlab/notebook, no ipympl).

The learner kernels are built by ``make test`` (tools/learner_kernels.py). All runs of a
session share one course cache, so each model is trained once (by the first notebook that
needs it) and reused. The main kernel's run of each notebook is the one the claims read too
(tests/notebooks/notebook_runs.py); a notebook's runs in the two learner kernels run side by side.
"No error output" means: no error output of any kind, including the
tracebacks IPython's display machinery prints without stopping a cell (a failing
``_repr_mimebundle_``) and the "Error in callback" lines matplotlib prints to stderr. Nor may
the set-up line or the environment report say that something is wrong (:func:`complaints`),
in any kernel: each judges the place it runs in (the Colab kernel runs as on Colab).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO_ROOT, offline_prefix
from notebook_runs import EXECUTED, main_run

sys.path.insert(0, str(REPO_ROOT / "tools"))
import learner_kernels  # noqa: E402
from notebook_files import course_notebooks  # noqa: E402

NOTEBOOKS = course_notebooks()
LEARNER_KERNELS = {"colab": "course-colab", "vscode": "course-vscode"}

# What counts as an error in text a notebook printed (stderr, or any text output).
_ERROR_TEXT = re.compile(
    r"Traceback \(most recent call last\)|Error in callback|^\w*(Error|Exception)\b[^\n]*:|internal error",
    re.M,
)
# What the set-up and the environment report (helpers/environment.py, course_setup.py) say
# when something is wrong: the report's verdict and its list of missing packages, a set-up
# that stopped. (Another package called helpers on the path is a note: the set-up handled it.)
_COMPLAINT_TEXT = re.compile(r"^.*(Something needs attention|Missing or too old:|Course set-up stopped).*$", re.M)


def learner_env(kind: str | None = None, env: dict | None = None) -> dict:
    """The environment for a notebook run: the learner kernels' specs on JUPYTER_PATH."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(learner_kernels.JUPYTER_PATH), env.get("JUPYTER_PATH")]))
    return env


def learner_kernel_missing(kind: str) -> str | None:
    """Why the ``kind`` kernel cannot run (it has not been built), or None."""
    spec = learner_kernels.JUPYTER_PATH / "kernels" / LEARNER_KERNELS[kind] / "kernel.json"
    if not spec.is_file() or not learner_kernels.kernel_python(kind).exists():
        return f"the {kind} kernel is not built: run `make learner-kernels` (make test does)"
    return None


def require_learner_kernel(kind: str) -> str:
    """The kernel spec name for ``kind``; skips (fails under CI) when it has not been built."""
    reason = learner_kernel_missing(kind)
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return LEARNER_KERNELS[kind]


def run_notebook(path: Path, out: Path, *, cwd: Path, env: dict | None = None, append=(), kernel: str = "python3",
                 expect_failure: bool = False) -> dict:
    """Run ``path`` with tools/run_notebook.py (offline when possible); return its summary."""
    prefix = offline_prefix()
    if prefix is None and os.environ.get("CI") == "true":
        pytest.fail("under CI the notebooks must run offline, but `unshare -n` is not available (run as root)")
    cmd = [*(prefix or []), sys.executable, str(REPO_ROOT / "tools" / "run_notebook.py"), str(path),
           "--cwd", str(cwd), "--out", str(out), "--kernel", kernel]
    for code in append:
        cmd += ["--append-code", code]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900, env=learner_env(env=env))
    if not expect_failure:
        assert proc.returncode == 0, f"{path.name} failed in {kernel}:\n{proc.stderr[-4000:]}"
        said = complaints(out)
        assert not said, f"{path.name} in {kernel}: the set-up or the report says something is wrong:\n" + \
            "\n".join(said)
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    summary["offline"] = prefix is not None
    summary["stderr"] = proc.stderr
    return summary


def outputs_of(executed: Path) -> list[dict]:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return [out for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", [])]


def output_text(executed: Path) -> str:
    """The text of every output; the pieces of one stream that follow each other are joined as printed (a
    busy kernel may send one printed line in two messages)."""
    parts, stream = [], None
    for out in outputs_of(executed):
        if "text" in out:
            text = "".join(out["text"])
            if stream is not None and out.get("name") == stream:
                parts[-1] += text
            else:
                parts.append(text)
            stream = out.get("name")
            continue
        stream = None
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in out.get("data", {}):
                parts.append("".join(out["data"][mime]))
    return "\n".join(parts)


def complaints(executed: Path) -> list[str]:
    """Every line of the set-up or the environment report that says something is wrong."""
    return [m.group(0) for m in _COMPLAINT_TEXT.finditer(output_text(executed))]


def error_outputs(executed: Path) -> list[str]:
    """Every output that shows an error, whether or not it stopped its cell."""
    problems = []
    for out in outputs_of(executed):
        if out["output_type"] == "error":
            problems.append(f"error output {out.get('ename')}: {out.get('evalue')}")
            continue
        texts = ["".join(out["text"])] if "text" in out else []
        texts += ["".join(out.get("data", {}).get(m, "")) for m in ("text/plain", "text/html")]
        for text in texts:
            match = _ERROR_TEXT.search(text)
            if match:
                where = "stderr" if out.get("name") == "stderr" else out["output_type"]
                problems.append(f"{where}: {text[max(0, match.start() - 200): match.end() + 300]}")
    return problems


def _run_env(course_cache: Path, kind: str | None = None) -> dict:
    """A notebook run's environment; the Colab kernel runs as on Colab (Colab's variable set)."""
    place = {"COLAB_RELEASE_TAG": "release-colab-test"} if kind == "colab" else {}
    return dict(os.environ, COURSE_CACHE_DIR=str(course_cache), **place)


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_offline(path, course_cache):
    """... and every figure it draws passes the figure check (tests/figure_check.py). The run is the
    session's one run of the notebook in this kernel (tests/notebooks/notebook_runs.py), which the claims read too."""
    run = main_run(path.stem, "fashion", course_cache)
    out = run.executed
    print(f"{path.name}: {run.summary['notebook_s']} s (offline: {run.summary['offline']}); executed copy: {out}")
    said = complaints(out)
    assert not said, f"{path.name}: the set-up or the report says something is wrong:\n" + "\n".join(said)
    assert not error_outputs(out), error_outputs(out)
    assert run.figures_checked > 0, f"the figure check saw no figure of {path.name}"
    assert not run.figure_problems, f"{len(run.figure_problems)} figure problems in {path.name}:\n" + "\n".join(
        run.figure_problems)


KERNEL_PROBE = (
    "import importlib.util as _u, ipywidgets as _w, IPython as _i\n"
    "print('KERNEL', _w.__version__, _i.__version__, 'ipympl' if _u.find_spec('ipympl') else 'no-ipympl', "
    "'jupyterlab' if _u.find_spec('jupyterlab') else 'no-jupyterlab')\n"
    "import sys as _s\nprint('PYTHON', '%d.%d' % _s.version_info[:2])"
)


def probe_python(text: str) -> str:
    """The kernel's Python (minor version) that :data:`KERNEL_PROBE` printed."""
    return re.search(r"^PYTHON (\S+)$", text, re.M).group(1)

# Move every slider and checkbox of the notebook once, as a learner would, so that their
# callbacks run under this kernel's ipywidgets; a failure prints a traceback (an error output).
POKE_WIDGETS = """
import sys as _sys, traceback as _tb, ipywidgets as _w
from ipywidgets.widgets import widget as _wm
_live = getattr(_wm, "_instances", None)
_live = _w.Widget.widgets if _live is None else _live
_poked = 0
for _widget in list(_live.values()):
    try:
        if isinstance(_widget, (_w.IntSlider, _w.FloatSlider)):
            _widget.value = _widget.min if _widget.value != _widget.min else _widget.max
        elif isinstance(_widget, _w.SelectionSlider) and len(_widget.options) > 1:
            _widget.index = 0 if _widget.index != 0 else len(_widget.options) - 1
        elif isinstance(_widget, _w.Checkbox):
            _widget.value = not _widget.value
        else:
            continue
        _poked += 1
    except Exception:
        _tb.print_exc()
print("POKED", _poked)
"""

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def live_widgets_with_pictures(executed: Path) -> int:
    """How many outputs show a live widget with a static picture beside it (the explorers)."""
    return sum(WIDGET_VIEW in o.get("data", {}) and "image/png" in o.get("data", {}) for o in outputs_of(executed))


_LEARNER_RUNS: dict[Path, dict[str, Future]] = {}
_POOL = ThreadPoolExecutor(max_workers=len(LEARNER_KERNELS))


def learner_runs(path: Path, course_cache: Path, session: pytest.Session) -> dict[str, Future]:
    """The runs of ``path`` in the learner kernels whose tests the session runs, started together, once: a
    notebook run keeps about one core busy, so the two kernels' runs take about the time of one on two cores."""
    if path not in _LEARNER_RUNS:
        wanted = {item.callspec.params["kind"] for item in session.items
                  if getattr(item, "originalname", "") == "test_notebook_runs_in_a_learners_kernel"
                  and item.callspec.params["path"] == path}
        _LEARNER_RUNS[path] = {kind: _POOL.submit(_run_in_learner_kernel, kind, path, course_cache)
                               for kind in LEARNER_KERNELS if kind in wanted and learner_kernel_missing(kind) is None}
    return _LEARNER_RUNS[path]


def _run_in_learner_kernel(kind: str, path: Path, course_cache: Path) -> dict:
    env = dict(_run_env(course_cache, kind), COURSE_PROGRESS_DIR=str(course_cache.parent / "progress" / kind /
                                                                      path.stem))  # each run's own, as per test
    return run_notebook(path, EXECUTED / kind / path.name, cwd=path.parent, env=env, kernel=LEARNER_KERNELS[kind],
                        append=[KERNEL_PROBE, POKE_WIDGETS])


@pytest.mark.notebooks
@pytest.mark.parametrize("kind", list(LEARNER_KERNELS))
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_a_learners_kernel(kind, path, course_cache, request):
    require_learner_kernel(kind)
    runs = learner_runs(path, course_cache, request.session)
    summary, out = runs[kind].result(), EXECUTED / kind / path.name
    print(f"[{kind}] {path.name}: {summary['seconds']} s (offline: {summary['offline']}); executed copy: {out}")
    problems = error_outputs(out)
    assert not problems, "\n".join(problems)
    text = output_text(out)
    probe = re.search(r"^KERNEL (\S+) (\S+) (\S+) (\S+)$", text, re.M)
    assert probe, "the probe cell did not run"
    widgets_version, ipython_version, ipympl, jupyterlab = probe.groups()
    assert (ipympl, jupyterlab) == ("no-ipympl", "no-jupyterlab"), probe.group(0)
    if kind == "colab":
        colab = dict(line.split("==") for line in learner_kernels.requirement_lines("colab"))
        assert widgets_version == colab["ipywidgets"] and ipython_version == colab["ipython"], probe.group(0)
    place, figures = ("Google Colab", "figures are static") if kind == "colab" else ("Jupyter", "static figures")
    assert re.search(rf"Course set-up done \({place}\): [^\n]*{figures}", text), text[:500]
    if path.name == "00_start_here.ipynb":
        assert "All good: the course is ready." in text, text
    if kind == "colab" and learner_kernels.fallback_reason(kind) is None:
        assert probe_python(text) == learner_kernels.COLAB_PYTHON, "Colab's Python"
    explorers = live_widgets_with_pictures(out)
    assert explorers >= 1, "every notebook shows at least one live widget with its picture"
    for other, run in runs.items():  # ipywidgets 7 (Colab) and 8 (VS Code): the same widgets show
        if other != kind and run.exception() is None:
            other_run = EXECUTED / other / path.name
            assert explorers == live_widgets_with_pictures(other_run), f"not the same widgets as in {other}"
    poked = int(re.search(r"^POKED (\d+)$", text, re.M).group(1))
    assert poked >= 1, "the notebook's sliders and checkboxes were moved"


def test_the_colab_kernel_has_colabs_python_and_torch():
    require_learner_kernel("colab")
    why = learner_kernels.fallback_reason("colab")
    if why:
        pytest.skip(f"the Colab kernel fell back: {why}")
    code = "import sys, torch; print('%d.%d' % sys.version_info[:2], torch.__version__.split('+')[0])"
    out = subprocess.run([str(learner_kernels.kernel_python("colab")), "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    colab = dict(line.split("==") for line in learner_kernels.requirement_lines("colab"))
    assert out == [learner_kernels.COLAB_PYTHON, colab["torch"]]


@pytest.mark.parametrize("ok", [True, False])
def test_the_complaint_check_sees_a_report_that_something_is_wrong(ok, tmp_path):
    """The report's own text, as the notebooks print it, with and without a missing package."""
    from helpers.environment import format_report

    findings = {"platform": "Linux x86_64", "device": "cpu", "torch_threads": 2, "versions": {"python": "3.13.0"},
                "data": {"mnist.npz": "ok"}, "missing": [] if ok else ["ipykernel>=6.25"], "ok": ok}
    executed = tmp_path / "executed.ipynb"
    executed.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": format_report(findings)}]}]}))
    said = complaints(executed)
    assert said == ([] if ok else ["Missing or too old: ipykernel>=6.25 (run `make lab` again, or `pip install -r "
                                   "requirements.txt`).", "Something needs attention (see above)."]), said


def test_the_error_check_sees_errors_that_do_not_stop_a_cell(tmp_path, course_cache):
    """A failing display (IPython prints the traceback and goes on) and an "Error in callback" line."""
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source":
             "class Broken:\n    def _repr_mimebundle_(self, **kwargs):\n        raise AttributeError('no bundle')\n"
             "display(Broken())\nprint('the cell went on')"},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source":
             "import sys\nprint('Error in callback <function f> for <DrawEvent>', file=sys.stderr)"},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source":
             "print('all fine here')"},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 4,
    }
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(nb))
    out = tmp_path / "executed.ipynb"
    summary = run_notebook(path, out, cwd=tmp_path, env=_run_env(course_cache))
    assert summary["ok"], "neither error stops its cell"
    problems = error_outputs(out)
    assert any("no bundle" in p for p in problems), problems
    assert any("Error in callback" in p for p in problems), problems
    assert "the cell went on" in output_text(out)
    assert len(problems) == 2, problems
