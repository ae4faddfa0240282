# Practitioner Researcher Programme: everyday commands (GNU make).
#
#   make run     install, create instance/settings.py, migrate, load the demo, serve
#   make test    install (system packages too), then the whole test suite (SQLite)
#
# Extra pytest arguments: make test PYTEST_ARGS='-k sign_in -x'

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# nhsuk-frontend's CSS built from its Sass without the font faces on assets.nhs.uk
# (styles/nhsuk.scss says why); git-ignored, rebuilt when its inputs change.
NHSUK_CSS := app/static/build/nhsuk.min.css
CHROMIUM := /usr/bin/chromium
INSTANCE_DIR := $(or $(INSTANCE_PATH),instance)
INSTANCE_SETTINGS := $(INSTANCE_DIR)/settings.py
FLASK := FLASK_APP=wsgi.py $(BIN)/flask

HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
BENCH_ARGS ?=
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# pytest exits 5 when it collected no tests: say so, and fail.
define run_pytest
	@echo "$(strip $(1) $(BIN)/pytest $(2) $(PYTEST_ARGS))"
	@$(1) $(BIN)/pytest $(2) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then \
		echo "ERROR: pytest collected no tests (exit code 5). That counts as a failure." >&2; \
	fi; \
	exit $$rc
endef

.PHONY: help install system-deps quality instance migrate demo run test test-postgres lint format bench

help:
	@echo "make run            install, create instance settings, migrate, load demo, serve on http://$(HOST):$(PORT)"
	@echo "make test           install, then run the whole test suite on SQLite (PYTEST_ARGS=... for more)"
	@echo "make test-postgres  the same suite on PostgreSQL ($(TEST_POSTGRES_URL))"
	@echo "make install        Python virtualenv (.venv), npm packages and the nhsuk CSS build"
	@echo "make system-deps    Debian packages the tests need (chromium, a Java runtime, Pango), via apt-get"
	@echo "make quality        only the page-quality sweep (axe, console, Nu HTML Checker on every page)"
	@echo "make instance       write $(INSTANCE_SETTINGS) with a generated SECRET_KEY (never overwritten)"
	@echo "make migrate        apply database migrations"
	@echo "make demo           load the demo programme (refused when APP_ENV=production)"
	@echo "make lint | format  ruff check / ruff format"
	@echo "make bench          the national-scale benchmark (BENCH_ARGS='--db sqlite --scale 0.1' for a quick one)"

# --- install ---------------------------------------------------------------

install: $(VENV_STAMP) $(NODE_STAMP) $(NHSUK_CSS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
		echo "Could not create $(VENV). On Debian: apt-get install python3-venv" >&2; exit 1; }

# Reinstalled only when pyproject.toml is newer than the stamp.
$(VENV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

# `npm ci` empties node_modules/, so the stamp is written after it.
$(NODE_STAMP): package-lock.json package.json
	npm ci
	touch $@

$(NHSUK_CSS): styles/nhsuk.scss $(NODE_STAMP)
	npm run --silent build:css

# What pip and npm cannot install: Chromium for the browser tests, a Java runtime for
# the Nu HTML Checker (npm vnu-jar), Pango and a font for WeasyPrint. Installs the
# missing ones with apt-get (sudo when not root); where it cannot, says what to run.
# SKIP_BROWSER=1 (browser tests skipped) needs neither Chromium nor Java. It runs before
# `install`: with Java present, npm vnu-jar's install script does not download one.
system-deps:
	@need=(); \
	if [ "$${SKIP_BROWSER:-}" != 1 ]; then \
		[ -x $(CHROMIUM) ] || need+=(chromium); \
		java -version >/dev/null 2>&1 || need+=(default-jre-headless); \
	fi; \
	if command -v dpkg-query >/dev/null 2>&1; then \
		for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do \
			[ "$$(dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null)" = "install ok installed" ] \
				|| need+=($$pkg); \
		done; \
	fi; \
	[ $${#need[@]} -eq 0 ] && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	hint="$${sudo:+sudo }apt-get install $${need[*]}"; \
	if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$$sudo" ] && ! command -v sudo >/dev/null 2>&1; }; then \
		echo "ERROR: the tests need $${need[*]}, which make cannot install here: install them (on Debian or Ubuntu: $$hint) and run make again." >&2; \
		exit 1; \
	fi; \
	echo "Installing $${need[*]} with apt-get (the tests need them)"; \
	$$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$${need[@]}" \
		|| { echo "ERROR: installing $${need[*]} failed: install them yourself ($$hint) and run make again." >&2; exit 1; }

# --- local instance ----------------------------------------------------------

instance: $(INSTANCE_SETTINGS)

# No prerequisites: an existing file (and its secret key) is never replaced.
$(INSTANCE_SETTINGS):
	$(PYTHON) scripts/make_instance_settings.py $@

migrate: install instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

run: demo
	@echo
	@echo "Serving on http://$(HOST):$(PORT)  (sign in as staff@demo.test, password demo-password; Ctrl-C stops)"
	FLASK_DEBUG=0 $(FLASK) run --host $(HOST) --port $(PORT)

# --- checks ------------------------------------------------------------------

test: system-deps install
	$(call run_pytest,)

# The browser tests serve their own demo on SQLite whatever the test database is, so
# they run once, in `make test`; this run covers everything that reads the database.
test-postgres: system-deps install
	$(call run_pytest,TEST_DATABASE_URL='$(TEST_POSTGRES_URL)',--ignore=tests/browser)

# The page-quality sweep alone (tests/browser/test_page_quality.py).
quality: system-deps install
	$(BIN)/pytest tests/browser/test_page_quality.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .

bench: install
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py $(BENCH_ARGS); \
	else \
		echo "No benchmark yet: bench/run.py has not been built."; \
	fi
