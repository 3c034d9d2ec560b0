# Two commands do all the set-up on a fresh machine:
#   make run    create the virtualenv if needed (runtime dependencies only), then run the bot (needs DISCORD_TOKEN)
#   make test   create the virtualenv if needed (with the test and lint tools), then run the whole test suite
# Both install the versions pinned in constraints.txt (what CI tested).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PIP_INSTALL := $(PY) -m pip install --quiet --constraint constraints.txt

.PHONY: run test check demo bench bench-large lint constraints clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Runtime only: what `make run` needs.
$(RUN_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) -e .
	touch $(RUN_STAMP)

# Runtime plus the test and lint tools.
$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) -e ".[dev]"
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m bot

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(RUN_STAMP)
	$(PY) -m bot check

# `make demo LANG=es`: the Spanish transcript. Only a value starting with "es" means Spanish, so the shell's
# own LANG (C.UTF-8, en_US.UTF-8) keeps the English one; DEMO_LANG=es works too.
demo: $(STAMP)
	$(PY) -m tests.demo --language "$(or $(DEMO_LANG),$(LANG))"

bench: $(STAMP)
	$(PY) benchmarks/join_wave.py $(BENCH_ARGS)

bench-large: $(STAMP)
	$(PY) benchmarks/join_wave.py --large-guild $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# After changing dependencies in pyproject.toml: install unpinned, test, then pin what was tested.
constraints: | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	{ echo "# What CI tested: every package of the runtime and dev environments, pinned (pip install -c)."; \
	  echo "# Regenerate after changing dependencies: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable; } > constraints.txt
	touch $(STAMP) $(RUN_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
