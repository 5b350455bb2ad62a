# The front door. Each target is thin; the work lives in npm scripts and scripts/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

FUNCTIONS := send-mail health docs
FUNCTION ?= send-mail
ENV ?= dev
IMAGE ?= mailer-functions:dev
BIN := node_modules/.bin
SOURCES := $(shell find functions shared scripts -name '*.ts' 2>/dev/null) package-lock.json tsconfig.json

.PHONY: help install dev token openapi docs-site manifests deploy kn-deploy image contract bench bench-node24 profile load soak load-smoke chaos test build start lint typecheck generate check-generated test-unit test-acceptance clean

define check_env
case "$(ENV)" in dev|staging|production) ;; *) echo "ENV must be dev, staging or production" >&2; exit 2;; esac
endef

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: node_modules/.package-lock.json ## Install dependencies (npm ci) when missing or stale

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

dev: install ## Run all three functions locally on one port (PORT, default 8080), mail to .outbox/
	$(BIN)/tsx scripts/dev.ts

token: install ## Mint an HS256 bearer token with the configured secret: make token [ROLE=admin] [TTL=3600]
	@ROLE="$(or $(ROLE),admin)" TTL="$(or $(TTL),3600)" $(BIN)/tsx scripts/token.ts

test: install check-generated lint typecheck build ## Everything: generated files, lint, typecheck, build, all tests
	@mkdir -p test-results
	$(BIN)/jest --ci --selectProjects unit acceptance --json --outputFile=test-results/jest.json
	$(MAKE) --no-print-directory contract
	$(MAKE) --no-print-directory load-smoke

contract: install ## Pact: consumer tests write test/contract/pacts/, then the providers verify every pact
	@mkdir -p test-results
	$(BIN)/jest --ci --selectProjects contract-consumer --json --outputFile=test-results/contract-consumer.json
	$(BIN)/jest --ci --selectProjects contract-provider --json --outputFile=test-results/contract-provider.json

test-unit: install ## Unit tests only
	$(BIN)/jest --ci --selectProjects unit

test-acceptance: install build ## Acceptance tests only (real SMTP, in-process functions, the bundle)
	$(BIN)/jest --ci --selectProjects acceptance

build: install dist/.built ## Production build into dist/ (one bundle per function)

dist/.built: $(SOURCES)
	$(BIN)/tsx scripts/build.ts
	@touch $@

start: build ## Run one function from dist/ as the container does: make start FUNCTION=send-mail|health|docs
	@case "$(FUNCTION)" in send-mail|health|docs) ;; *) echo "FUNCTION must be one of: $(FUNCTIONS)" >&2; exit 2;; esac
	exec node --enable-source-maps dist/$(FUNCTION)/main.js

lint: install ## ESLint
	$(BIN)/eslint .

typecheck: install ## TypeScript, strict, no emit
	$(BIN)/tsc --noEmit

generate: install ## Regenerate committed artefacts (docs/configuration.md table, OpenAPI spec, event schemas)
	$(BIN)/tsx scripts/generate.ts

openapi: generate ## Regenerate openapi/openapi.json and .yaml (and every other generated file)

docs-site: install ## Write the API docs as a static site: make docs-site [DIR=dist/docs-site]
	$(BIN)/tsx scripts/docs-site.ts $(or $(DIR),dist/docs-site)

manifests: ## Render the Knative manifests of one environment to dist/manifests-ENV.yaml: make manifests ENV=dev|staging|production
	@$(call check_env)
	@mkdir -p dist
	kubectl kustomize knative/overlays/$(ENV) > dist/manifests-$(ENV).yaml
	@cat dist/manifests-$(ENV).yaml
	@echo "# written to dist/manifests-$(ENV).yaml" >&2

deploy: ## Apply one environment with kubectl: make deploy ENV=dev|staging|production
	@$(call check_env)
	kubectl apply -k knative/overlays/$(ENV)

kn-deploy: install ## Deploy the same Services with kn (supporting objects with kubectl): make kn-deploy ENV=…
	@$(call check_env)
	$(BIN)/tsx scripts/kn-deploy.ts --env $(ENV)

image: ## Build the one container image (needs a Docker engine): make image IMAGE=registry/mailer-functions:tag
	docker build -t $(IMAGE) .

bench: build ## Benchmarks P1–P4 against side-by-side baselines; table + test-results/bench/*.json (BENCH_RUNS, BENCH_ROUNDS, BENCH_SECONDS)
	taskset -c 1 $(BIN)/tsx test/perf/bench.ts

# Node 24 (the image's runtime) from the npm registry, for benchmarks only; kept outside node_modules.
NODE24 := .cache/node24/node_modules/.bin/node
$(NODE24):
	npm install --prefix .cache/node24 --no-save --no-audit --no-fund node@24

bench-node24: build $(NODE24) ## make bench with every candidate on Node 24 and NODE_COMPILE_CACHE, as in the image
	BENCH_NODE=$(abspath $(NODE24)) BENCH_COMPILE_CACHE=1 taskset -c 1 $(BIN)/tsx test/perf/bench.ts

profile: build ## CPU profiles of one cold start and of P2's load, summarised by package (test-results/profile-*)
	taskset -c 1 $(BIN)/tsx test/perf/profile.ts

load: build ## Load test: 50 connections for LOAD_SECONDS (60) with real peers; fails on any non-2xx or p99 over LOAD_P99_MS (1000)
	taskset -c 1 $(BIN)/tsx test/perf/load.ts load

soak: build ## Soak: 5 minutes of load; fails on errors or RSS growth of 5 % or more
	taskset -c 1 $(BIN)/tsx test/perf/load.ts soak

load-smoke: build ## 10 s of load inside make test: asserts zero errors only
	taskset -c 1 $(BIN)/tsx test/perf/load.ts smoke

chaos: build ## Fault rounds against the bundle, random timing, ledger checked each round: CHAOS_SECONDS (300), CHAOS_SEED replays a run
	$(BIN)/tsx test/chaos/chaos.ts

check-generated: install ## Fail when a committed generated file differs from a fresh generation
	$(BIN)/tsx scripts/generate.ts --check

clean: ## Remove build output and local outbox
	rm -rf dist dist-bench coverage .outbox
