# tongban: `make run` serves the demo, `make test` passes the suite. Both build the
# environment first. Nothing else needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# PostgreSQL used by `make test` when it answers (trust auth, as on the dev machines and CI).
PG_URL ?= postgres://postgres@127.0.0.1:5432/tongban

.PHONY: run test lint bench browser venv assets clean lock mypy-baseline

# requirements.lock pins what runs (production installs it alone); requirements-dev.lock adds the
# tools that test it, with the same pins; requirements-s3.lock the object-storage extra. All carry
# hashes, and are made from pyproject.toml by `make lock`.
$(VENV)/.installed: requirements-pip.lock requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tongban needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-pip.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

# Front-end assets from npm, pinned by package-lock.json: WeUI's CSS (served through
# staticfiles, no CDN) and axe-core (the browser tests' accessibility checker). npm ci runs
# again only when the lock file is newer than what it installed last.
node_modules/.package-lock.json: package-lock.json package.json | browser
	npm ci --no-audit --no-fund
	@touch $@

assets: node_modules/.package-lock.json

run: venv browser assets
	$(BIN)/tongban migrate --noinput -v0
	cd src && ../$(BIN)/tongban compilemessages -v0 --ignore=tests
	$(BIN)/tongban collectstatic --noinput -v0
	$(BIN)/tongban seed-demo
	PORT=$(PORT) scripts/serve

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used);
# GNU gettext compiles the zh_Hans catalogs and checks that none lacks a translation; npm
# installs the front-end assets (`assets`); WenQuanYi Zen Hei is a CJK font with TrueType
# outlines that reportlab can embed in generated PDFs (GPL-2 with a font embedding
# exception: see the README). Each entry is `what:package`, what being a command or a file.
DEBS := chromium:chromium msgfmt:gettext npm:npm /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei
browser:
	@missing=$$(for d in $(DEBS); do w=$${d%%:*}; { [ -e "$$w" ] || command -v "$$w"; } >/dev/null 2>&1 || echo $${d#*:}; done); \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "tongban needs Debian's $$missing: sudo apt-get install $$missing"; exit 1; fi; }

# mypy's findings may only shrink: a new one fails, and one fixed must leave mypy-baseline.txt
# too (`make mypy-baseline` rewrites it after a fix).
lint: venv
	$(BIN)/ruff check src bench scripts
	$(BIN)/tongban makemigrations --check --dry-run -v0
	$(BIN)/python scripts/check_i18n.py --catalogs
	$(BIN)/mypy src/tongban | $(BIN)/mypy-baseline filter --baseline-path mypy-baseline.txt --no-colors

mypy-baseline: venv
	$(BIN)/mypy src/tongban | $(BIN)/mypy-baseline sync --baseline-path mypy-baseline.txt

# Coverage is measured over both passes together (the PostgreSQL-only tests count too) and
# the suite fails under COVERAGE_FLOOR per cent of lines (the least covered files are printed).
COVERAGE_FLOOR ?= 90
COV := --cov=tongban --cov-report=
test: venv browser assets lint
	mkdir -p data && rm -f data/.coverage data/.coverage.*
	COVERAGE_FILE=$(CURDIR)/data/.coverage.sqlite TONGBAN_DATA_DIR=$(CURDIR)/data/test-sqlite $(BIN)/pytest -q $(COV)
	@if $(BIN)/python scripts/pg_answers.py "$(PG_URL)"; then \
	  echo "== PostgreSQL at $(PG_URL) answers: the suite again on PostgreSQL =="; \
	  COVERAGE_FILE=$(CURDIR)/data/.coverage.pg TONGBAN_DATA_DIR=$(CURDIR)/data/test-pg DATABASE_URL=$(PG_URL) \
	    $(BIN)/pytest -q $(COV); \
	else echo "== PostgreSQL does not answer at $(PG_URL): ran on SQLite only =="; fi
	cd data && COVERAGE_FILE=.coverage $(CURDIR)/$(BIN)/coverage combine -q --keep .coverage.sqlite $$(ls .coverage.pg 2>/dev/null)
	@cd data && COVERAGE_FILE=.coverage $(CURDIR)/$(BIN)/coverage report --rcfile=$(CURDIR)/pyproject.toml \
	  --sort=cover --fail-under=$(COVERAGE_FLOOR) > coverage.txt; status=$$?; \
	  head -2 coverage.txt; sed -n '3,12p' coverage.txt; grep -E '^TOTAL|skipped' coverage.txt; \
	  [ $$status = 0 ] || echo "== coverage is under $(COVERAGE_FLOOR) % of lines =="; exit $$status

bench: venv
	$(BIN)/python bench/run.py

# Regenerates the three lock files from pyproject.toml against PyPI alone (no machine's own
# index or wheel folder ends up in them), keeping the pins they already have.
LOCK := PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
lock: venv
	$(BIN)/python -m pip install -q --disable-pip-version-check pip-tools
	$(LOCK) --output-file=requirements.lock pyproject.toml
	$(LOCK) --extra=dev -c requirements.lock --output-file=requirements-dev.lock pyproject.toml
	$(LOCK) --extra=s3 -c requirements.lock --output-file=requirements-s3.lock pyproject.toml

clean:
	rm -rf $(VENV) data/test-sqlite data/test-pg
