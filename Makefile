# CampaignHub: `make run` for a working demo, `make test` for the whole suite.
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint format lock chromium migrate

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(INSTALLED)

setup: $(INSTALLED)

migrate: setup
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup chromium
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-resolve the dependencies of pyproject.toml into requirements.lock.
lock: | $(PY)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > .lock-venv/wanted.txt
	.lock-venv/bin/pip install --quiet -r .lock-venv/wanted.txt
	.lock-venv/bin/pip freeze > requirements.lock
	rm -rf .lock-venv

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
	  else \
	    echo "Browser tests need Chromium: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; }
