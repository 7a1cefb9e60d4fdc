# Everything the project needs is installed by these targets into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= lotline-demo.db
DEMO_PORT ?= 8000
# make test spreads the tests over this many processes (pytest-xdist); 2 fits the 2-core CI.
TEST_WORKERS ?= 2

.PHONY: install lint test test-fast fuzz demo bench bench-load bench-scale clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS)
 
test-fast: $(STAMP)
	$(BIN)/python -m pytest -x -q

# schemathesis over the whole API with 100 examples per operation and mode (make test runs 8),
# and the control-character fuzz; on PostgreSQL too when LOTLINE_TEST_POSTGRES_URL is set.
fuzz: $(STAMP)
	LOTLINE_FUZZ_EXAMPLES=100 $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		tests/e2e/api/test_api_schemathesis.py tests/e2e/api/test_api_control_fuzz.py

demo: $(STAMP)
	$(BIN)/lotline demo --database-url sqlite:///$(DEMO_DB) --port $(DEMO_PORT)

# The HTTP lookup benchmark wants Debian's wrk as its load generator (an httpx loop saturates
# before the server does); installed here when running as root, else the fallback is used.
bench: $(STAMP)
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y -q wrk >/dev/null \
		|| echo "wrk could not be installed: bench_api falls back to httpx"
	$(BIN)/python bench/run_all.py

# Issue 18's load and fault test: locust against `lotline serve --workers 2` on a private
# PostgreSQL primary + hot standby that it creates, restarts and removes (needs PostgreSQL 15's
# server binaries and, as root, the postgres OS user). LOTLINE_LOAD_SECONDS (180) sets its length.
bench-load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[load]'
	cd bench/load && ../../$(BIN)/python run_load.py

# The cost curve (issue 18): one organization grown to 10k, 1M and 10M serials on PostgreSQL
# (COPY), the same reads timed at each size. About 30 minutes on 2 cores and ~8 GB of disk
# while it runs; its schema is dropped after. Not part of `make test`; `make bench` runs its
# 10k size only. BENCH_SCALE_URL defaults to LOTLINE_TEST_POSTGRES_URL.
BENCH_SCALE_URL ?= $(LOTLINE_TEST_POSTGRES_URL)
BENCH_SCALE_SIZES ?= 10000,1000000,10000000
bench-scale: $(STAMP)
	@test -n "$(BENCH_SCALE_URL)" || { echo "bench-scale: set LOTLINE_TEST_POSTGRES_URL or BENCH_SCALE_URL" >&2; exit 2; }
	$(BIN)/python bench/bench_scale.py "$(BENCH_SCALE_URL)" --sizes $(BENCH_SCALE_SIZES)

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
