# The two commands a newcomer runs: `make demo` and `make test`. Each builds .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean data

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,server]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/electoral demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests

# Re-derive the package's bundled fact tables from ../shared (maintainers only; the results are committed).
data: $(STAMP)
	$(BIN)/python scripts/derive_geography.py
	$(BIN)/python scripts/derive_samples.py
	$(BIN)/python scripts/derive_apportionment.py

clean:
	rm -rf $(VENV) electoral.duckdb build *.egg-info
