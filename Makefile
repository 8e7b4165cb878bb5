# The two commands of the README, and the builds they rely on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: example test lint typecheck unit splunk-app clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## example: set up and analyze the bundled example denials
example: $(STAMP)
	$(BIN)/aws-access-undenied analyze --events-file examples/events \
		--account-details examples/account-details/111111111111.json \
		--account-details examples/account-details/123456789012.json \
		--account-details examples/account-details/222222222222.json \
		--account-details examples/account-details/333333333333.json \
		--scp-file examples/organization.json \
		--resource-policies examples/resource-policies.json \
		--format table

## test: set up and run lint, format check, type check and the whole test suite
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

splunk-app: $(STAMP)
	$(BIN)/python splunk_app/build.py --output dist

clean:
	rm -rf $(VENV) dist build
