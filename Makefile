# CampaignHub: `make run` for a working demo, `make test` for the whole suite.
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8001

.PHONY: setup run test lint format lock chromium migrate bench

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(INSTALLED)

setup: $(INSTALLED)

migrate: setup
	$(PY) manage.py migrate --noinput

# The sandbox (fake CallRail, …) runs beside the app and stops with it.
run: migrate
	@$(PY) -m sandbox --port $(SANDBOX_PORT) --quiet & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	$(PY) -c "import socket, time; [time.sleep(0.1) for _ in range(50) if socket.socket().connect_ex(('127.0.0.1', $(SANDBOX_PORT)))]"; \
	export CALLRAIL_API_BASE=$${CALLRAIL_API_BASE:-http://127.0.0.1:$(SANDBOX_PORT)/v3}; \
	export DEMO_CALLRAIL_API_KEY=$${DEMO_CALLRAIL_API_KEY-sandbox-demo-key}; \
	export DIALER_API_BASE=$${DIALER_API_BASE:-http://127.0.0.1:$(SANDBOX_PORT)/dialer}; \
	export DEMO_DIALER_API_KEY=$${DEMO_DIALER_API_KEY-sandbox-dialer-key}; \
	export INVOCA_API_BASE=$${INVOCA_API_BASE:-http://127.0.0.1:$(SANDBOX_PORT)/invoca}; \
	export DEMO_INVOCA_API_TOKEN=$${DEMO_INVOCA_API_TOKEN-sandbox-invoca-token}; \
	export DEMO_INVOCA_NETWORK_ID=$${DEMO_INVOCA_NETWORK_ID-1001}; \
	export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}; \
	export CSRF_TRUSTED_ORIGINS=$${CSRF_TRUSTED_ORIGINS:-http://localhost:$(PORT)}; \
	$(PY) manage.py demo && \
	echo "Sandbox: http://127.0.0.1:$(SANDBOX_PORT)/ (simulate calls there)" && \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup chromium
	$(PY) -m pytest

# Figures, not pass/fail: each script prints floor, product and ratio (PostgreSQL + Redis).
bench: setup
	$(PY) bench/intake.py
	$(PY) bench/alert_latency.py
	$(PY) bench/live_latency.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PY) bench/lists.py
	$(PY) bench/reports.py

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
