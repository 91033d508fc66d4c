# transmute: every target runs across every module (each builds alone with GOWORK=off).
SHELL := /bin/bash
export GOWORK := off

# Modules, in dependency order. A module is listed once it has a go.mod.
MODULES := $(patsubst %/go.mod,%,$(patsubst ./%,%,$(shell find . -name go.mod -not -path './bin/*' -not -path './tools/*' | sort)))
BENCHTIME ?= 1s
BENCHCOUNT ?= 1

.PHONY: all test vet lint bench demo work tidy integration jaeger docs-check

all: lint test

## test: go vet and go test -race for every module (plus lint and the docs check)
test: lint
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && go vet ./... && go test -race -count=1 ./...); \
	done

vet:
	@set -e; for m in $(MODULES); do (cd $$m && go vet ./...); done

## lint: gofmt must print nothing
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: every benchmark of every module, with allocations
bench:
	@set -e; for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./...); \
	done

## demo: the main job, no setup needed
demo:
	cd examples && go run ./quickstart

## work: a local go.work for editors (never committed)
work:
	GOWORK= go work init $(MODULES) 2>/dev/null || GOWORK= go work use $(MODULES)

tidy:
	@set -e; for m in $(MODULES); do (cd $$m && go mod tidy); done
