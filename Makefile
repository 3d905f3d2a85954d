# Every target bootstraps .venv on its own, so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres genproto genproto-check phoneregion-check lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/leadflow up

test: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

genproto: $(STAMP)
	$(BIN)/python scripts/genproto.py

# Regenerates the protos and fails if the committed generated code differs.
genproto-check: genproto
	git diff --exit-code -- leadflow/
	test -z "$$(git status --porcelain -- leadflow/)"

# The CN region table (services/common/phoneregion) is generated from phonenumbers' data; fails if it is stale.
phoneregion-check: $(STAMP)
	$(BIN)/python scripts/gen_cn_regions.py --check

lint: $(STAMP)
	$(BIN)/buf lint
	$(BIN)/ruff check services tests bench scripts
	$(BIN)/ruff format --check services tests bench scripts

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV)
