PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= crowdplatform.settings.local

.PHONY: install run test lint check browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	PORT=$(PORT) bin/run-quickstart

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (browser tests will be skipped)"; fi; }

# The quick start's settings are exported above; the suite always runs on the test settings.
test: install browser
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: install
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) manage.py makemigrations --check --dry-run
