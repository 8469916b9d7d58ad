# The course's commands. The two a learner needs: `make lab` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Learner packages (requirements.txt); maintainers' tools on top (requirements-dev.txt);
# the test kernels with Colab's and VS Code's package sets (tools/learner_kernels.py).
STAMP         := $(VENV)/.installed
DEV_STAMP     := $(VENV)/.installed-dev
KERNELS_STAMP := $(VENV)/kernels/.built
# Jupyter refuses to run as root (containers, some cloud shells) unless told it may.
JUPYTER_FLAGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
START_NOTEBOOK := notebooks/00_start_here.ipynb
# A quiet first start: no news pop-up, no update check (jupyter-settings/overrides.json).
QUIET_FLAGS := "--LabServerApp.app_settings_dir=$(CURDIR)/jupyter-settings"

.PHONY: help lab notebook test test-fast lint data data-check colab-links strip clean bench screenshots \
        learner-kernels git-filter

help:
	@echo "make lab          create .venv if needed, install the course, open JupyterLab on the start notebook"
	@echo "make notebook     like 'make lab', with the classic Notebook 7 interface"
	@echo "make test         install the course and the test tools, run every check (lint, unit, notebooks"
	@echo "                  in three kernels, browser): 15-30 minutes on 2 cores, about 9 GB in .venv"
	@echo "make test-fast    the unit tests only (no notebook runs, no browser)"
	@echo "make screenshots  run the browser tests and refresh the README's screenshots (docs/screenshots)"
	@echo "make bench        measure run times, widget latency and model quality (benchmarks/report.json)"
	@echo "make site         the notebooks, run offline, as web pages in build/site (site-screenshots: their pictures)"
	@echo "make data         rebuild the shipped data files in data/ from their sources (downloads ~80 MB)"
	@echo "make data-check   rebuild the data from its sources and compare with data/ (downloads ~80 MB)"
	@echo "make colab-links  copy the repository location from pyproject.toml into README and notebooks"
	@echo "make strip        remove outputs from the notebooks before committing"
	@echo "make clean        remove caches and test artifacts; keeps .venv and your exercise progress"

# (Re)install whenever the requirements change; the stamp remembers the last install. The
# course is put on the path with a .pth file (no build folders in the course).
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], \
	'embeddings-course.pth').write_text(str(pathlib.Path.cwd()) + '\n')"
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(DEV_STAMP)

$(KERNELS_STAMP): $(DEV_STAMP) requirements.txt tests/environments/colab.txt tools/learner_kernels.py
	$(BIN)/python tools/learner_kernels.py
	@touch $(KERNELS_STAMP)

learner-kernels: $(KERNELS_STAMP)

# Notebooks are committed without outputs: git strips them from what it compares and commits
# (a clean filter, see .gitattributes), so a notebook you ran and saved shows no change in
# `git diff`, commits none, and passes `make test`.
git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.notebook-outputs.clean "$(PYTHON) tools/strip_notebooks.py --stdin" && \
	  git config filter.notebook-outputs.smudge cat; fi

lab: $(STAMP) git-filter
	$(BIN)/jupyter lab $(JUPYTER_FLAGS) $(QUIET_FLAGS) --LabApp.default_url=/lab/tree/$(START_NOTEBOOK)

notebook: $(STAMP) git-filter
	$(BIN)/jupyter notebook $(JUPYTER_FLAGS) $(QUIET_FLAGS) --JupyterNotebookApp.default_url=/notebooks/$(START_NOTEBOOK)

lint: $(DEV_STAMP)
	$(BIN)/ruff check helpers tests tools data notebooks benchmarks course_setup.py

# The data-rebuild check downloads its sources (~80 MB): it is `make data-check` (CI runs it).
test: lint $(KERNELS_STAMP)
	$(BIN)/python -m pytest -m "not sources"

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not notebooks and not slow and not browser and not sources"

data: $(DEV_STAMP)
	$(BIN)/python data/build_data.py

data-check: $(DEV_STAMP)
	$(BIN)/python data/build_data.py --check

colab-links: $(STAMP)
	$(BIN)/python tools/course_links.py

strip: $(STAMP)
	$(BIN)/python tools/strip_notebooks.py notebooks

screenshots: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/browser -q -k "lab"
	$(BIN)/python tools/readme_screenshots.py

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/run.py

# What `make clean` removes: the course cache in .cache/ (trained weights, 2-D maps, scores;
# all recomputed when needed), test artifacts, the downloaded data sources and tool caches.
# Not removed: .venv and your exercise progress, which lives apart (see notebook 00).
clean:
	rm -rf .cache tests/artifacts data/.sources benchmarks/out .pytest_cache .ruff_cache *.egg-info
	@echo "Removed the course cache (.cache: trained weights, 2-D maps, scores), test artifacts and data sources."
	@echo "Kept .venv and your exercise progress ($$($(PYTHON) -c 'import helpers.progress as p; \
	print(p.progress_path())' 2>/dev/null || echo 'see notebook 00'))."
	@if [ -n "$$COURSE_CACHE_DIR" ]; then echo "Not removed: the cache in COURSE_CACHE_DIR ($$COURSE_CACHE_DIR)."; fi

# The course as web pages (build/site): every notebook run offline on the CPU (or its executed
# copy from the notebook tests reused) and rendered; site-screenshots takes the README's pictures.
.PHONY: site site-screenshots
site: $(DEV_STAMP)
	$(BIN)/python tools/build_site.py

site-screenshots: $(DEV_STAMP)
	$(BIN)/python tools/site_screenshots.py
