# The course's commands. The two a learner needs: `make lab` and `make test`.
# Each everyday target runs `python -m tools.course TARGET` (tools/course.py), the same command
# that Windows and machines without make use, so the two never drift.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
COURSE := $(PYTHON) -m tools.course --venv $(VENV)
# Learner packages (requirements.txt); maintainers' tools on top (requirements-dev.txt);
# the test kernels with Colab's and VS Code's package sets (tools/learner_kernels.py).
STAMP         := $(VENV)/.installed
DEV_STAMP     := $(VENV)/.installed-dev
KERNELS_STAMP := $(VENV)/kernels/.built

.PHONY: help lab notebook test test-fast lint data data-check colab-links strip clean bench screenshots \
        learner-kernels git-filter

help:
	@echo "(Without make, e.g. on Windows: python -m tools.course help)"
	@echo "make lab          create .venv if needed, install the course, open JupyterLab on the start notebook"
	@echo "make notebook     like 'make lab', with the classic Notebook 7 interface"
	@echo "make test         install the course and the test tools, run every check (lint, unit, notebooks"
	@echo "                  in three kernels, browser): about 15 minutes on 2 cores, up to 13 GB in .venv"
	@echo "make test-fast    the unit tests only (no notebook runs, no browser)"
	@echo "make screenshots  run the browser tests and refresh the README's screenshots (docs/screenshots)"
	@echo "make bench        measure run times, widget latency and model quality (benchmarks/report.json)"
	@echo "make site         the notebooks, run offline, as web pages in build/site (site-screenshots: their pictures)"
	@echo "make data         rebuild the shipped data files in data/ from their sources (downloads ~80 MB)"
	@echo "make data-check   rebuild the data from its sources and compare with data/ (downloads ~80 MB)"
	@echo "make colab-links  copy the repository location from pyproject.toml into README and notebooks"
	@echo "make strip        remove outputs from the notebooks before committing"
	@echo "make clean        remove caches and test artifacts; keeps .venv and your exercise progress"

# (Re)install whenever the requirements change; the stamp remembers the last install (the
# entry point compares the same files). An unsupported Python is refused before anything installs.
$(STAMP): requirements.txt pyproject.toml
	$(COURSE) install

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(COURSE) install-dev

$(KERNELS_STAMP): $(DEV_STAMP) requirements.txt tests/environments/colab.txt tools/learner_kernels.py
	$(COURSE) learner-kernels

learner-kernels: $(KERNELS_STAMP)

# Notebooks are committed without outputs: git strips them from what it compares and commits
# (a clean filter, see .gitattributes), so a notebook you ran and saved shows no change in
# `git diff`, commits none, and passes `make test`.
git-filter:
	$(COURSE) git-filter

# JupyterLab or Notebook 7 on the start notebook (the options: JUPYTER_OPTIONS in tools/course.py).
lab:
	$(COURSE) lab

notebook:
	$(COURSE) notebook

lint:
	$(COURSE) lint

# Lint, the learner kernels, then pytest -m "not sources": the data-rebuild check downloads its
# sources (~80 MB), so it is `make data-check` (CI runs it).
test:
	$(COURSE) test

test-fast:
	$(COURSE) test-fast

data:
	$(COURSE) data

data-check:
	$(COURSE) data-check

colab-links:
	$(COURSE) colab-links

strip:
	$(COURSE) strip

screenshots: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/browser -q -k "lab"
	$(BIN)/python tools/readme_screenshots.py

bench:
	$(COURSE) bench

# What `make clean` removes: the course cache in .cache/ (trained weights, 2-D maps, scores;
# all recomputed when needed), test artifacts, the downloaded data sources and tool caches.
# Not removed: .venv and your exercise progress, which lives apart (see notebook 00).
# (CLEANED in tools/course.py lists them.)
clean:
	@$(COURSE) clean

# The course as web pages (build/site): every notebook run offline on the CPU (or its executed
# copy from the notebook tests reused) and rendered; site-screenshots takes the README's pictures.
.PHONY: site site-screenshots
site:
	$(COURSE) site

site-screenshots: $(DEV_STAMP)
	$(BIN)/python tools/site_screenshots.py
