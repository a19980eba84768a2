# OpenConsult — every command a newcomer needs. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast smoke lint lock schema install install-run browser services-for-tests bench eval-triage eval-similar eval-privacy worker beat format clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

PIP_VERSION := 26.3

# What the site needs to run, without the test and lint tools (`make run`): exactly the versions
# and files of the lock file (every download checked against its SHA-256), then the project.
$(RUN_STAMP): requirements.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

# Everything, the dev tools included (`make test`, `make lint`, …).
$(STAMP): requirements-dev.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUN_STAMP)

# The lock files, resolved again from pyproject.toml's pins (after changing one of them). They
# hold every package of the run-time and the dev set, with the hashes of all their files, for
# Linux, macOS and Windows; pip's configured extra indexes and find-links are searched too.
LOCK_SOURCES = $(foreach url,$(shell $(PY) -m pip config get global.extra-index-url 2>/dev/null),--extra-index-url $(url)) \
  $(foreach dir,$(PIP_FIND_LINKS),--find-links $(dir))
LOCK_FLAGS = --quiet --custom-compile-command "make lock" --generate-hashes --universal --python-version 3.11 --index-strategy unsafe-best-match
lock: | $(PY)
	$(PY) -m pip install --quiet "$$(grep -o '"uv==[^"]*"' pyproject.toml | tr -d '"')"
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_SOURCES) -o requirements.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(LOCK_SOURCES) -o requirements-dev.txt

install: $(STAMP)
install-run: $(RUN_STAMP)

# Debian packages the tests drive: Chromium for the browser tests (Playwright's own browser
# downloads are not used) and redis-server, which the real-worker tests start for themselves.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(APT_INSTALL) chromium >/dev/null; }

services-for-tests:
	@command -v redis-server >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(APT_INSTALL) redis-server >/dev/null; }

run: install-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  echo "Starting a Celery worker and beat on $$CELERY_BROKER_URL"; \
	  $(PY) -m celery -A config worker --beat --loglevel=INFO --concurrency=2 & \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install browser services-for-tests
	$(PY) -m pytest

# The inner loop: everything but real browsers, live workers, fuzzing and other processes.
test-fast: install
	$(PY) -m pytest -m "not smoke and not browser and not live and not fuzz and not slow"

# The production stack (the compose file's commands) over HTTP; needs DATABASE_URL on PostgreSQL.
smoke: install services-for-tests
	$(PY) -m pytest tests/smoke -m smoke -p no:cacheprovider

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	@$(PY) manage.py spectacular --validate --fail-on-warn --file /tmp/openconsult-schema-$$$$.yaml \
	  && cmp -s /tmp/openconsult-schema-$$$$.yaml docs/openapi.yaml \
	  || { echo "docs/openapi.yaml is out of date: run make schema"; exit 1; }

# The API's OpenAPI schema, committed so that app developers can generate clients from it.
schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# Every labelled set, each scored on its own: the rules set written with the knowledge base, then
# the independent sets (dev: tuned on; frozen and fresh: never tuned on).
TRIAGE_SETS := tests/triage/data/eval_posts.jsonl $(sort $(wildcard tests/triage/data/independent/*.jsonl))
eval-triage: install
	$(PY) -m triage.evaluation $(TRIAGE_SETS)

eval-similar: install
	$(PY) -m pytest tests/forum/similarity/test_evaluation.py -q -s -p no:cacheprovider

# The personal-details detector on its labelled set: precision and recall per kind, on the
# tuning half and on the held-out half (never tuned on), split by a hash of each id.
eval-privacy: install
	$(PY) -m forum.privacy.evaluation tests/forum/data/personal_details.jsonl

worker: install-run
	$(PY) -m celery -A config worker --loglevel=INFO

beat: install-run
	$(PY) -m celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache staticfiles db.sqlite3
