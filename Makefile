# The front door: every check the README and CI use is a target here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000

.PHONY: install lock run serve test test-postgres lint format messages check-deploy clean screenshots

# Reproducible installs: every package pinned with its hashes in requirements/ (made from
# pyproject.toml by `make lock`); pip refuses anything else. The project itself last,
# without dependencies. The Docker image installs requirements/runtime.txt the same way.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# After changing dependencies in pyproject.toml: pin them again (uv, a dev dependency;
# tests/ops/test_ops_lock.py fails while the lock and pyproject.toml disagree).
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock"
lock:
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(UV_COMPILE) --output-file requirements/runtime.txt
	$(UV_COMPILE) --extra dev --output-file requirements/dev.txt

# Migrate, load the demo agency (once; a second run changes nothing) and serve.
# With CELERY_BROKER_URL (or REDIS_URL) set, a Celery worker and beat run beside the server.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) -m ops.devserver $(HOST)

# The server (and with a broker the worker and beat) alone, on an installed, migrated
# project. Ctrl-C or a SIGTERM to make stops all of them (ops/devserver.py).
serve:
	$(PY) -m ops.devserver $(HOST)

# The whole suite. Browser tests skip themselves where /usr/bin/chromium is missing.
test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Refresh the README's pictures in docs/screenshots/ (the browser tests, saving there;
# `make test` saves them to a scratch folder and changes no tracked file).
screenshots: install
	CRM_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract strings and compile the zh-hans catalogue (needs gettext: apt-get install gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles \
	  --ignore=tests --ignore=locale
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv
	$(PY) locale/check_complete.py

NEW_KEY = $(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'
check-deploy: install
	DJANGO_ENV=production SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	  ALLOWED_HOSTS=crm.example.com DATABASE_URL=postgres://crm:check-only@db.invalid:5432/crm \
	  ID_NUMBER_KEYS="check:$$($(NEW_KEY))" ID_NUMBER_INDEX_KEY="$$($(NEW_KEY))" \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .celerybeat-schedule
