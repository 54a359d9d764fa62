# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("archiver needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## serve examples/site on 127.0.0.1, capture it into ./archive, verify
	$(BIN)/python examples/demo.py --home archive

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

bench: $(STAMP)  ## capture and verify benchmarks against wget and warcio, the log, bundles, trace (see benchmarks/)
	$(BIN)/python benchmarks/bench_capture.py
	$(BIN)/python benchmarks/bench_verify.py
	$(BIN)/python benchmarks/bench_ledger.py
	$(BIN)/python benchmarks/bench_bundle.py --pages 1000
	$(BIN)/python benchmarks/bench_trace.py --ensemble-articles 10000

clean:
	rm -rf $(VENV) archive build dist
