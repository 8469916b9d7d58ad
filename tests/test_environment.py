"""Tests of helpers.environment: requirement parsing, Colab installs, the report."""

from __future__ import annotations

import importlib.metadata

import pytest

from helpers import environment


def test_read_requirements_parses_names_and_ranges(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("# comment\nnumpy>=1.24\n\nTorch >= 2.2  # inline\numap-learn\n")
    reqs = environment.read_requirements(path)
    assert [(r.name, r.specifier) for r in reqs] == [("numpy", ">=1.24"), ("torch", ">=2.2"), ("umap-learn", "")]


def test_read_requirements_rejects_nonsense(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("???\n")
    with pytest.raises(ValueError, match="cannot read the requirement"):
        environment.read_requirements(path)


def test_missing_requirements_finds_absent_and_too_old(monkeypatch):
    versions = {"numpy": "2.0.0", "ipympl": "0.8.0"}

    def fake_version(name):
        if name in versions:
            return versions[name]
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", fake_version)
    reqs = [environment.Requirement("numpy", ">=1.24"), environment.Requirement("ipympl", ">=0.9.3"),
            environment.Requirement("umap-learn", ">=0.5.4"), environment.Requirement("torch", ">=2.2")]
    missing = environment.missing_requirements(reqs, skip=frozenset({"torch"}))
    assert [str(r) for r in missing] == ["ipympl>=0.9.3", "umap-learn>=0.5.4"]


def test_colab_install_never_touches_torch_or_jupyter(monkeypatch):
    monkeypatch.setattr(environment, "missing_requirements",
                        lambda reqs, skip: [r for r in reqs if r.name not in skip])
    calls = []
    installed = environment.install_for_colab(run=lambda cmd, check: calls.append(cmd))
    assert installed and calls
    names = {i.split(">")[0].split("=")[0] for i in installed}
    assert not names & {"torch", "torchvision", "jupyterlab", "notebook", "pytest"}
    assert "ipympl" in names


def test_colab_install_does_nothing_when_all_is_there():
    calls = []
    assert environment.install_for_colab(run=lambda cmd, check: calls.append(cmd)) == []
    assert calls == []


def test_not_in_colab_here():
    assert environment.in_colab() is False


def test_report_says_all_good_here(capsys):
    findings = environment.report()
    out = capsys.readouterr().out
    assert findings["ok"], out
    assert findings["data"] and all(state == "ok" for state in findings["data"].values())
    assert "torch" in findings["versions"] and "device" in out and "All good" in out


def test_setup_notebook_outside_ipython_reports_static_figures(capsys):
    status = environment.setup_notebook()
    assert status == {"colab": False, "installed": [], "interactive_figures": False}
    assert "static figures" in capsys.readouterr().out
