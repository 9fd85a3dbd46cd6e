# The two commands a newcomer runs: `make demo` and `make test`. Each builds .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench lint clean data system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,server,lint,fast]'
	touch $(STAMP)

demo: $(STAMP) system-deps
	$(BIN)/electoral demo

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 -q

# The property tests with new random examples, 25 times as many (tests/conftest.py, profile "fuzz").
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n 2 -q -m hypothesis

# The peers the benchmarks compare against (pyrankvote, votekit, votelib, rcv) install here only.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

# Style, strict types on the library, and the layer contracts in pyproject.toml (import-linter).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy --strict src
	$(BIN)/lint-imports

# Re-derive the package's bundled fact tables from ../shared (maintainers only; the results are committed).
data: $(STAMP)
	$(BIN)/python scripts/derive_geography.py
	$(BIN)/python scripts/derive_samples.py
	$(BIN)/python scripts/derive_apportionment.py
	$(BIN)/python scripts/derive_geometry.py

# Debian packages for PNG maps (cairo), the pages' browser tests (Chromium), the maps' font, and
# the live results' public server and load test (nginx, wrk), installed only when missing, and only
# as root; otherwise say what to install.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/dejavu ] || \
	    ! ldconfig -p | grep -q 'libcairo\.so\.2' || [ ! -x /usr/sbin/nginx ] || \
	    [ ! -x /usr/bin/wrk ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	      chromium libcairo2 fonts-dejavu-core nginx-light wrk; \
	  else \
	    echo "note: install chromium, libcairo2, fonts-dejavu-core, nginx-light and wrk (as root)" \
	      "for PNG maps, the browser tests and the live results' server and load test"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) electoral.duckdb build *.egg-info
