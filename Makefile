# The two commands: `make run` (the app on SQLite) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LSCB := $(BIN)/lscb

.PHONY: install run test lint bench clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate

# With Slack tokens (environment or .env): serve the real workspace. Without: the sandbox, with the
# example organisation and the seed document loaded (SANDBOX_ARGS=--fresh to start over).
run: install
	@if [ -n "$$SLACK_BOT_TOKEN" ] || grep -qsE '^SLACK_BOT_TOKEN=.+' .env; then \
		$(LSCB) db upgrade && $(LSCB) serve $(SERVE_ARGS); \
	else \
		$(LSCB) sandbox $(SANDBOX_ARGS); \
	fi

CODE := $(wildcard bot models jobs importer reports sandbox)
CHECKED := $(CODE) $(wildcard tests benchmarks)

lint: install
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy $(CODE)

test: lint
	$(BIN)/pytest

bench: install
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .hypothesis
