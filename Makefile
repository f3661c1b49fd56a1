# Two entry points for people: `make run` (the semester pipeline on the sample editions) and
# `make test` (the whole suite). Both set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench samples clean bytecode

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Compiled once here: with PYTHONDONTWRITEBYTECODE set (as on these machines) every start would
# otherwise recompile the package (about 0.2 s of each command); a stale file is simply recompiled.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q panorama flows > /dev/null

run: $(STAMP) bytecode
	$(BIN)/panorama run --raw data/raw --out data/published

test: $(STAMP) bytecode
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check panorama flows
	$(BIN)/mypy

samples: $(STAMP)
	$(BIN)/python scripts/generate_samples.py data/raw

bench: $(STAMP) bytecode
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data/published data/rapports .cache
