# twoway: two commands do everything. `make run` serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test ci lint format migrations-check messages venv demo clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo

## Set up everything, load the demo district and serve it at http://127.0.0.1:8000
run: demo
	@echo "Serving at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	TWOWAY_DEBUG=1 TWOWAY_SECURE_COOKIES=0 $(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

## Re-extract translatable strings and compile both catalogues (needs GNU gettext)
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=static --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

ci: lint migrations-check test

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
