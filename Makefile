# The course's commands. The two a learner needs: `make lab` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Jupyter refuses to run as root (containers, some cloud shells) unless told it may.
JUPYTER_FLAGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: help lab notebook test test-fast lint data data-check colab-links strip clean bench screenshots

help:
	@echo "make lab          create .venv if needed, install, open JupyterLab on the start notebook"
	@echo "make test         create/update .venv, install, run every check (lint, unit, notebooks)"
	@echo "make test-fast    the unit tests only (no notebook runs)"
	@echo "make notebook     like 'make lab', with the classic Notebook 7 interface"
	@echo "make screenshots  run the browser tests and refresh the README's screenshots (docs/screenshots)"
	@echo "make bench        measure run times, widget latency and model quality (benchmarks/report.json)"
	@echo "make site         the notebooks, run offline, as web pages in build/site (site-screenshots: their pictures)"
	@echo "make data         rebuild the shipped data files in data/ from their sources"
	@echo "make colab-links  copy the repository location from pyproject.toml into README and notebooks"
	@echo "make strip        remove outputs from the notebooks before committing"
	@echo "make clean        remove caches (trained weights, projections); keeps .venv"

# (Re)install whenever the requirements change; the stamp remembers the last install.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(JUPYTER_FLAGS) --ServerApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

notebook: $(STAMP)
	$(BIN)/jupyter notebook $(JUPYTER_FLAGS) --ServerApp.default_url=/notebooks/notebooks/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check helpers tests tools data notebooks benchmarks

test: lint
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebooks and not slow"

data: $(STAMP)
	$(BIN)/python data/build_data.py

data-check: $(STAMP)
	$(BIN)/python data/build_data.py --check

colab-links: $(STAMP)
	$(BIN)/python tools/course_links.py

strip: $(STAMP)
	$(BIN)/python tools/strip_notebooks.py notebooks

screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q -k "lab"
	$(BIN)/python tools/readme_screenshots.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf .cache .pytest_cache .ruff_cache

# The course as web pages (build/site): every notebook run offline on the CPU (or its executed
# copy from the notebook tests reused) and rendered; site-screenshots takes the README's pictures.
.PHONY: site site-screenshots
site: $(STAMP)
	$(BIN)/python tools/build_site.py

site-screenshots: $(STAMP)
	$(BIN)/python tools/site_screenshots.py
