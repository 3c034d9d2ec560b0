# Two commands do all the set-up on a fresh machine:
#   make run    create the virtualenv if needed, then run the bot (needs DISCORD_TOKEN)
#   make test   create the virtualenv if needed, then run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check demo bench bench-large lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(PY) -m bot check

demo: $(STAMP)
	$(PY) -m tests.demo

bench: $(STAMP)
	$(PY) benchmarks/join_wave.py $(BENCH_ARGS)

bench-large: $(STAMP)
	$(PY) benchmarks/join_wave.py --large-guild $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
