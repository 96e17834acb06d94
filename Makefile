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
	$(PY) manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	PORT=$(PORT) bin/run-quickstart

# The browser tests drive Debian's Chromium; no browser is ever downloaded. Say INSTALL_BROWSER=no to keep
# `make test` from installing the system package when it runs as root.
INSTALL_BROWSER ?= yes
browser:
	@command -v chromium >/dev/null 2>&1 && exit 0; \
	echo "The browser tests (tests/e2e) drive Debian's Chromium (/usr/bin/chromium), which is not installed."; \
	if [ "$(INSTALL_BROWSER)" != yes ]; then \
	  echo "INSTALL_BROWSER=$(INSTALL_BROWSER): not installing it; the browser tests will be skipped."; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Running as root, so installing it now: apt-get update; apt-get install -y chromium"; \
	  echo "(to leave the system alone: make test INSTALL_BROWSER=no)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Not root, so not installing it: install Debian's chromium package (sudo apt-get install chromium)."; \
	  echo "Until then the browser tests are skipped."; \
	fi

# The quick start's settings are exported above; the suite always runs on the test settings.
test: install browser
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: install
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=crowdplatform.settings.test $(PY) manage.py makemigrations --check --dry-run
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict
