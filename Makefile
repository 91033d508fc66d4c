# transmute: every target runs across every module (each builds alone with GOWORK=off).
SHELL := /bin/bash
export GOWORK := off

# Modules, in dependency order. A module is listed once it has a go.mod.
MODULES := $(patsubst ./%,%,$(shell find . -name go.mod -not -path './bin/*' -not -path './tools/*' -not -path './tmp/*' -exec dirname {} \; | sort))
BENCHTIME ?= 1s
BENCHCOUNT ?= 1

.PHONY: all test release-check vet lint staticcheck bench bench-check demo demo-stream demo-postgres work tidy integration jaeger nats-server postgres docs-check

all: lint test

## test: go test -race for every module (after lint: gofmt, go vet, staticcheck; the docs check; PostgreSQL's programs for pgmigrate), then release-check
test: lint docs-check postgres
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && go test -race -count=1 ./...); \
	done
	@$(MAKE) --no-print-directory release-check

## release-check: every module of versions.yaml resolves with go get at its version, without replace lines, from a proxy built from the working tree (docs/releasing.md)
release-check:
	cd tools && go run ./releasecheck -repo ..

vet:
	@set -e; for m in $(MODULES); do (cd $$m && go vet ./...); done

## lint: gofmt must print nothing; each module's copies of internal/ match their templates (scripts/sync-internal.sh); go vet and staticcheck (pinned in tools/go.mod) find nothing in any module
lint: staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@scripts/sync-internal.sh --check
	@set -e; for m in $(MODULES); do \
		echo "lint: $$m"; \
		(cd $$m && go vet ./... && "$(CURDIR)/$(STATICCHECK_BIN)" ./...); \
	done
	@echo "lint: tools/releasecheck"; cd tools && go vet ./releasecheck && "$(CURDIR)/$(STATICCHECK_BIN)" ./releasecheck

STATICCHECK_BIN := bin/staticcheck

## staticcheck: build the pinned staticcheck into bin/staticcheck (skipped while newer than tools/go.mod and tools/go.sum)
staticcheck:
	@set -euo pipefail; \
	if [ -x $(STATICCHECK_BIN) ] && [ $(STATICCHECK_BIN) -nt tools/go.sum ] && [ $(STATICCHECK_BIN) -nt tools/go.mod ]; then exit 0; fi; \
	echo "staticcheck: building honnef.co/go/tools/cmd/staticcheck from tools/go.mod into $(STATICCHECK_BIN)"; \
	mkdir -p $(dir $(STATICCHECK_BIN)); \
	(cd tools && go build -o ../$(STATICCHECK_BIN).tmp honnef.co/go/tools/cmd/staticcheck); \
	mv -f $(STATICCHECK_BIN).tmp $(STATICCHECK_BIN)

## docs-check: every Go block in README.md and docs/ must match the compiled source it names
docs-check:
	go run ./internal/docscheck

## bench: every benchmark of every module, with allocations
bench:
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./...); \
	done

## postgres: install PostgreSQL's server programs (Debian's postgresql) if missing; the tests start servers of their own (internal/pgserver)
postgres:
	@scripts/postgres.sh

## demo-postgres: a users table of old records served at the latest version over HTTP, then backfilled in place, on a PostgreSQL server of its own
demo-postgres: postgres
	cd examples && go run ./postgres

## demo-stream: upgrade a stream of records on an embedded NATS JetStream, with traces
demo-stream:
	cd examples && go run ./jetstream

## bench-check: the ratio benchmarks of the targets (P1, P3, P4, T1, T2; T3 reported), failing past target + 10% (not part of test)
bench-check:
	scripts/bench-check.sh

## demo: the main job, no setup needed
demo:
	cd examples && go run ./quickstart

## work: a local go.work for editors (never committed)
work:
	GOWORK= go work init $(MODULES) 2>/dev/null || GOWORK= go work use $(MODULES)

tidy:
	@set -e; for m in $(MODULES); do (cd $$m && go mod tidy); done

# Jaeger v2, pinned as a Go tool in tools/go.mod, for the integration tests.
JAEGER_BIN := bin/jaeger
JAEGER_PKG := github.com/jaegertracing/jaeger/cmd/jaeger
# Extra flags for the integration go test, e.g. INTEGRATION_FLAGS=-p=1 when a
# test stops Jaeger (scripts/jaeger.sh stop/restart) while others use it.
INTEGRATION_FLAGS ?=

## jaeger: build the pinned Jaeger into bin/jaeger (skipped while newer than tools/go.mod and tools/go.sum)
jaeger:
	@set -euo pipefail; \
	if [ -x $(JAEGER_BIN) ] && [ $(JAEGER_BIN) -nt tools/go.sum ] && [ $(JAEGER_BIN) -nt tools/go.mod ]; then \
		echo "jaeger: $(JAEGER_BIN) is up to date"; exit 0; \
	fi; \
	echo "jaeger: building $(JAEGER_PKG) from tools/go.mod into $(JAEGER_BIN) (the first build takes a few minutes)"; \
	mkdir -p $(dir $(JAEGER_BIN)); \
	(cd tools && go build -o ../$(JAEGER_BIN).tmp $(JAEGER_PKG)); \
	mv -f $(JAEGER_BIN).tmp $(JAEGER_BIN)

# nats-server, pinned as a Go tool in tools/go.mod, for the JetStream integration test.
NATS_BIN := bin/nats-server
NATS_PKG := github.com/nats-io/nats-server/v2

## nats-server: build the pinned nats-server into bin/nats-server (skipped while newer than tools/go.mod and tools/go.sum)
nats-server:
	@set -euo pipefail; \
	if [ -x $(NATS_BIN) ] && [ $(NATS_BIN) -nt tools/go.sum ] && [ $(NATS_BIN) -nt tools/go.mod ]; then \
		echo "nats-server: $(NATS_BIN) is up to date"; exit 0; \
	fi; \
	echo "nats-server: building $(NATS_PKG) from tools/go.mod into $(NATS_BIN)"; \
	mkdir -p $(dir $(NATS_BIN)); \
	(cd tools && go build -o ../$(NATS_BIN).tmp $(NATS_PKG)); \
	mv -f $(NATS_BIN).tmp $(NATS_BIN)

## integration: start Jaeger (scripts/jaeger.sh), run the examples module's integration tests, always stop Jaeger
integration: jaeger nats-server postgres
	@set -euo pipefail; \
	export TRANSMUTE_ROOT="$(CURDIR)"; \
	export NATS_SERVER_BIN="$(CURDIR)/$(NATS_BIN)"; \
	trap '"$(CURDIR)/scripts/jaeger.sh" stop || true' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	"$(CURDIR)/scripts/jaeger.sh" start; \
	set -a; . "$(CURDIR)/tmp/jaeger.env"; set +a; \
	echo "integration: TRANSMUTE_ROOT=$$TRANSMUTE_ROOT JAEGER_OTLP_GRPC=$$JAEGER_OTLP_GRPC JAEGER_QUERY_URL=$$JAEGER_QUERY_URL"; \
	if [ -f examples/go.mod ]; then \
		cd examples && go test -race -count=1 -tags integration $(INTEGRATION_FLAGS) ./...; \
	else \
		echo "integration: examples/go.mod does not exist yet: no integration tests to run (Jaeger started and answered on both ports)"; \
	fi
