# gbt — a bpftrace-compatible tracing language in pure Go.
GO        ?= go
BIN       := bin/gbt
export CGO_ENABLED := 0
LDFLAGS   := -s -w
PROGRAM   ?= BEGIN { printf("hello from gbt\n"); exit(); }
FUZZTIME  ?= 1m
# bpftrace's runtime suite runner (run_runtime.py); empty: ../shared/peer
# beside the repository, else /work/shared/peer. PEER_TESTS picks the suite
# (default PEER/bpftrace-v0.17.0), e.g. PEER_TESTS=/work/shared/peer/bpftrace-v0.26.1.
PEER       ?=
PEER_TESTS ?=
CONFORMANCE = $(GO) run ./internal/cmd/conformance -peer '$(PEER)' -tests '$(PEER_TESTS)'

.PHONY: all build image run test test-short test-kernel test-kernels test-kernels-peer conformance conformance-update cover bench fuzz lint check clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gbt

# gbt's OCI image: the static bin/gbt as /usr/bin/gbt on an empty base,
# built without a container daemon (deploy/image). IMAGE_FORMAT=docker
# writes a docker-archive tar (podman load -i, docker load -i, skopeo copy
# docker-archive:...); oci writes an OCI image layout directory.
IMAGE        ?= bin/gbt-image.tar
IMAGE_FORMAT ?= docker
IMAGE_TAG    ?= localhost/gbt:latest
image: build
	cd deploy && $(GO) run ./cmd/image -gbt ../$(BIN) -format $(IMAGE_FORMAT) -tag $(IMAGE_TAG) -o ../$(IMAGE)

# Builds gbt and runs a one-liner (override with PROGRAM='...'); needs root for BPF.
run: build
	./$(BIN) -e '$(PROGRAM)'

# Every test: unit, golden, and (as root) kernel and end-to-end tests.
# deploy/ is a module of its own (the image and Kubernetes libraries stay
# out of gbt's): its manifest and podman image tests run beside.
# -p 1: one package's tests at a time, so that the kernel stacks
# cmd/gbt compares with bpftrace's are not changed by a tracepoint that
# the scripts package's tools attach meanwhile (the kernel then calls the
# tracepoint's probes through an extra __traceiter frame).
test: build
	$(GO) vet ./...
	$(GO) test -count=1 -p 1 -timeout 30m ./...
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...

# Tests that need no privileges: every test that loads BPF programs or
# needs root reports a one-line skip (internal/testenv).
test-short:
	$(GO) test -short ./...
	cd deploy && $(GO) test -short ./...

# Only the tests that load and attach BPF programs (root).
test-kernel: build
	$(GO) test -count=1 -run 'Kernel|E2E' ./...

# Boots Debian's kernels under QEMU (internal/vmtest; root, qemu-system-x86)
# and runs gbt's kprobe and kfunc tests in each, beside bpftrace 0.17. The
# kernels are fetched once into ~/.cache/gbt-vmtest; GBT_VMTEST_SUITES
# picks them (default: bookworm trixie sid: 6.1, 6.12 and the newest),
# GBT_VMTEST_BPFTRACE those where bpftrace 0.17 runs too (default
# bookworm; "all" takes ~13 minutes on two cores, the default ~8).
test-kernels: build
	$(GO) test -tags vmtest -count=1 -timeout 30m -v -run TestKernels ./internal/vmtest/

# The kprobe and kfunc tests of bpftrace's v0.17.0 runtime suite, which the
# host cannot run, in each guest for bpftrace 0.17 and gbt (long under TCG;
# GBT_VMTEST_PEER_LOGS=DIR keeps both runner logs).
test-kernels-peer: build
	$(GO) test -tags vmtest -count=1 -timeout 180m -v -run TestPeerSuite ./internal/vmtest/

# bpftrace's own runtime suite against bin/gbt (~5 min as root); fails when a
# test in testdata/conformance/<suite>.pass does not pass.
conformance: build
	$(CONFORMANCE) $(BIN)

# The same run, then every test it passed is added to the pass list (the
# list only grows: a test leaves it by a human edit).
conformance-update: build
	$(CONFORMANCE) -update $(BIN)

# Statement coverage per package, unit tests and the gbt binary the
# end-to-end tests run counted together (root for the kernel tests).
cover:
	bench/cover.sh

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@if [ -x bench/run.sh ]; then bench/run.sh; fi

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./lang/parse
	$(GO) test -run '^$$' -fuzz FuzzCheck -fuzztime $(FUZZTIME) ./lang/check
	$(GO) test -run '^$$' -fuzz FuzzFormat -fuzztime $(FUZZTIME) ./lang/format
	$(GO) test -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME) ./codegen
	$(GO) test -run '^$$' -fuzz FuzzParseFrames -fuzztime $(FUZZTIME) ./runtime/unwind
	$(GO) test -run '^$$' -fuzz FuzzEvalExpr -fuzztime $(FUZZTIME) ./runtime/unwind

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags vmtest ./internal/vmtest/...
	cd deploy && $(GO) vet ./...
	$(GO) tool staticcheck ./...

check: lint test

clean:
	rm -rf bin
