# gbt — a bpftrace-compatible tracing language in pure Go.
GO        ?= go
BIN       := bin/gbt
export CGO_ENABLED := 0
LDFLAGS   := -s -w
PROGRAM   ?= BEGIN { printf("hello from gbt\n"); exit(); }
FUZZTIME  ?= 1m

.PHONY: all build run test test-short test-kernel bench fuzz lint check clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gbt

# Builds gbt and runs a one-liner (override with PROGRAM='...'); needs root for BPF.
run: build
	./$(BIN) -e '$(PROGRAM)'

# Every test: unit, golden, and (as root) kernel and end-to-end tests.
test: build
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Tests that need no privileges (kernel tests report a one-line skip).
test-short:
	$(GO) test -short ./...

# Only the tests that load and attach BPF programs (root).
test-kernel: build
	$(GO) test -count=1 -run 'Kernel|E2E' ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@if [ -x bench/run.sh ]; then bench/run.sh; fi

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./lang/parse
	$(GO) test -run '^$$' -fuzz FuzzCheck -fuzztime $(FUZZTIME) ./lang/check

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

check: lint test

clean:
	rm -rf bin
