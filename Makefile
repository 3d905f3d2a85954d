# Every target bootstraps .venv on its own, so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow test-postgres fuzz chaos genproto genproto-check phoneregion-check lint deploy-gen deploy-check bench bench-instructions clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The stack on the dev clock, then `leadflow demo --accelerate` (a day of leads, calls and refunds, two to three
# minutes); the stack stays up afterwards until Ctrl-C. DEMO_ARGS adds demo options, e.g. DEMO_ARGS="--leads 1000".
DEMO_ARGS ?=
run: $(STAMP)
	$(BIN)/leadflow up --dev-clock --then-demo="--accelerate $(DEMO_ARGS)"

# Everything but the tests marked slow (whole stacks of processes, kills, the long fuzz): a few minutes. The test
# files are shared out to TEST_WORKERS processes (pytest-xdist; auto: one per core), each file's tests in one of
# them, so a module's shared stack starts once; TEST_WORKERS=0 runs them all in this process.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m "not slow" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The tests marked slow alone; CI runs them after `make test`.
test-slow: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m slow $(PYTEST_ARGS)

# The PostgreSQL tier alone (tests marked postgres), against LEADFLOW_TEST_POSTGRES_URL (default: a local server).
LEADFLOW_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
test-postgres: $(STAMP)
	LEADFLOW_TEST_POSTGRES_URL=$(LEADFLOW_TEST_POSTGRES_URL) $(BIN)/pytest -q -p no:cacheprovider -m postgres $(PYTEST_ARGS)

# The bad-input suite (tests/fuzz) with many more Hypothesis cases per RPC than `make test` runs (500). Set
# FUZZ_EXAMPLES to change the count and FUZZ_RANDOM=1 to draw new cases instead of CI's fixed sequence.
FUZZ_EXAMPLES ?= 5000
FUZZ_RANDOM ?= 0
fuzz: $(STAMP)
	LEADFLOW_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) LEADFLOW_FUZZ_RANDOM=$(FUZZ_RANDOM) $(BIN)/pytest -q -p no:cacheprovider tests/fuzz $(PYTEST_ARGS)

# Issue 11's fault suite in full (tests/chaos): 20,000 leads through the five services and nats-server as processes
# with at least ten random SIGKILLs, the rolling restart, and (with LEADFLOW_TEST_POSTGRES_URL) two replicas of dedup,
# assign and refund on PostgreSQL. `make test` runs a short version of each.
chaos: $(STAMP)
	LEADFLOW_CHAOS=full $(BIN)/pytest -q -p no:cacheprovider -s tests/chaos $(PYTEST_ARGS)

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
	$(BIN)/ruff check services tests bench scripts deploy
	$(BIN)/ruff format --check services tests bench scripts deploy
	$(BIN)/python -m deploy.gen --check
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy services bench
	$(BIN)/python scripts/check_duplicates.py

# Regenerates deploy/k8s's generated files (manifests, NATS permissions, dashboard) from deploy/gen.
deploy-gen: $(STAMP)
	$(BIN)/python -m deploy.gen

# The deployment checks alone: generated files current, every overlay and component combination rendered and
# validated, Dockerfile lint, alerts (promtool), NATS permissions and the metrics contract against a live stack.
deploy-check: $(STAMP)
	$(BIN)/python -m deploy.gen --check
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy

# The end-to-end benchmark and the per-service benches (README "Benchmarks"); BENCH_ARGS=--quick for a short run.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.pagecache
	$(BIN)/python -m bench $(BENCH_ARGS)

# Instructions per lead of ingest's submit path under valgrind (callgrind): the load-independent figure for comparing
# two versions of the code (README "Benchmarks"). A few minutes; needs valgrind.
bench-instructions: $(STAMP)
	$(BIN)/python -m bench.instructions $(BENCH_ARGS)

clean:
	rm -rf $(VENV)
