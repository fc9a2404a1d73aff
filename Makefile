# Self-hostable headless commerce backend. `make run` for a local demo, `make test` for the checks.
PORT ?= 8000
PYTHON ?= python3
VENV ?= .venv

VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

export PORT VENV

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint format migrate clean
.PHONY: worker

help:
	@echo "make run      migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/ (runserver)"
	@echo "make serve    same under gunicorn with DEBUG=0 (needs SECRET_KEY and JWT_SIGNING_KEY)"
	@echo "make worker   task worker (webhook deliveries, order copies) + sweeper (make run starts one)"
	@echo "make test     lint + whole suite on PostgreSQL + the sqlite subset on SQLite"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make migrate  apply migrations (DATABASE_URL, SQLite file by default)"
	@echo "make fuzz     contract fuzzing (schemathesis) with FUZZ_EXAMPLES=50 per operation"
	@echo "make bench    gunicorn on PostgreSQL, 10 000 orders, load at concurrency 1/4/16 (a few minutes)"
	@echo "make clean    remove $(VENV), db.sqlite3 and staticfiles"
	@echo "Variables: PORT=$(PORT) PYTHON=$(PYTHON) PYTEST_ARGS=... (extra pytest arguments for make test)"

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Python >= 3.11 is needed: '$(PYTHON)' is missing or older (make PYTHON=python3.12 ...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml changes (stamp files live in the venv).
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@scripts/run.sh

serve: $(STAMP)
	@scripts/serve.sh

worker: $(STAMP)
	@scripts/worker.sh

test: $(TEST_STAMP)
	@scripts/ensure-chromium.sh >/dev/null  # the admin's browser tests (apt-get chromium when missing)
	@scripts/test.sh $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(TEST_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: $(STAMP)
	$(VPY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm staticfiles test-artifacts

# Contract fuzzing, longer than the bounded run in `make test` (scripts/fuzz.sh).
.PHONY: fuzz
fuzz: $(TEST_STAMP)
	@scripts/fuzz.sh

# --- bench (issue 7): gunicorn + PostgreSQL + scripts/bench.py; writes bench-results.json ------
.PHONY: bench
bench: $(STAMP)
	@scripts/bench.sh
# --- end bench ---------------------------------------------------------------------------------
