# icnd build, code generation, tests and the local network.
# GNU make; recipes use tabs.

GO       ?= go
BUILDDIR ?= build
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
GOCOSMOS_VERSION := v1.7.2
# staticcheck 2026.2.2; the module version is what go install takes.
STATICCHECK_VERSION := v0.8.2
GOBIN_DIR = $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
STATICCHECK = $(GOBIN_DIR)/staticcheck
# Every directory under proto/ that holds .proto files; protoc runs once per
# package directory.
PROTO_DIRS = $(sort $(dir $(shell find proto -name '*.proto')))

.PHONY: install-postgres install-chromium indexer-localnet indexer-localnet-stop bench-indexer all build build-cometbft build-sdkpeer install-tools install-staticcheck proto proto-check localnet localnet-stop localnet-monitor localnet-monitor-stop docker localnet-docker localnet-docker-stop test e2e-long lint bench bench-sweep bench-go clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BUILDDIR)/icnd ./cmd/icnd

# CometBFT built from the pinned module, for the kvstore side of `make bench`.
build-cometbft:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BUILDDIR)/cometbft github.com/cometbft/cometbft/cmd/cometbft

# The Cosmos SDK peer of `make bench` (x/auth + x/bank), built from the
# modules pinned in its own go.mod: icnd's module takes none of them.
build-sdkpeer:
	cd tests/load/sdkpeer && CGO_ENABLED=0 $(GO) build -trimpath -o $(abspath $(BUILDDIR))/sdkpeerd .

install-tools:
	@if ! command -v protoc >/dev/null 2>&1; then \
		echo "installing protobuf-compiler"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y protobuf-compiler; \
	fi
	@if ! command -v protoc-gen-gocosmos >/dev/null 2>&1 && [ ! -x "$$($(GO) env GOPATH)/bin/protoc-gen-gocosmos" ]; then \
		echo "installing protoc-gen-gocosmos $(GOCOSMOS_VERSION)"; \
		$(GO) install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOCOSMOS_VERSION); \
	fi

proto: install-tools
	@export PATH="$$($(GO) env GOPATH)/bin:$$PATH"; \
	for dir in $(PROTO_DIRS); do \
		echo "protoc $$dir"; \
		protoc -I proto --gocosmos_out=paths=source_relative:proto $$dir*.proto || exit 1; \
	done

# Regenerate into a temporary copy of proto/ and compare it with the work
# tree, so the check never rewrites files; then make sure no generated file
# is left out of git.
proto-check: install-tools
	@set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	export PATH="$$($(GO) env GOPATH)/bin:$$PATH"; \
	cp -R proto "$$tmp/proto"; \
	find "$$tmp/proto" -name '*.pb.go' -delete; \
	for dir in $(PROTO_DIRS); do \
		(cd "$$tmp" && protoc -I proto --gocosmos_out=paths=source_relative:proto $$dir*.proto); \
	done; \
	if ! diff -r -x '*.proto' proto "$$tmp/proto"; then \
		echo "proto-check: generated code in proto/ is out of date; run 'make proto' and commit the result" >&2; \
		exit 1; \
	fi; \
	untracked="$$(git ls-files --others --exclude-standard -- 'proto/*.pb.go')"; \
	if [ -n "$$untracked" ]; then \
		echo "$$untracked"; \
		echo "proto-check: the generated files above are not committed; git add them" >&2; \
		exit 1; \
	fi; \
	echo "proto-check: generated code is up to date"

localnet: build
	localnet/run.sh start

localnet-stop:
	localnet/run.sh stop

# Prometheus (Debian's package, installed when missing) scraping the running
# localnet; see localnet/README.md, "Monitoring".
localnet-monitor:
	@if ! command -v prometheus >/dev/null 2>&1; then \
		echo "installing prometheus"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y prometheus; \
	fi
	localnet/monitor.sh start

localnet-monitor-stop:
	localnet/monitor.sh stop

# PostgreSQL and an indexer following the running localnet; prints the API
# and explorer URLs. See docs/indexer.md.
indexer-localnet: build install-postgres
	localnet/indexer.sh start

indexer-localnet-stop:
	localnet/indexer.sh stop

# The icnd image: FROM scratch with the static binary of `build`; nothing is
# pulled. The build directory is the context, so only the binary is sent.
DOCKER_IMAGE ?= icnd:latest
docker: build
	docker build -q -t $(DOCKER_IMAGE) -f Dockerfile $(BUILDDIR)

# The same 4-validator network in containers, on a private docker network;
# see localnet/README.md.
localnet-docker: docker
	ICND_IMAGE=$(DOCKER_IMAGE) localnet/docker.sh start

localnet-docker-stop:
	localnet/docker.sh stop

# Debian's PostgreSQL server, which the indexer's tests start throwaway
# clusters of (internal/pgtest), and Debian's Chromium, which loads
# the explorer page in a test; installed when missing.
install-postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing postgresql"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y postgresql; \
	fi

install-chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium; \
	fi

# The benchmarks are not run by go test: run each once first so that they
# keep working, then every test (the closing lines are the full run's).
test: install-postgres install-chromium
	$(GO) test ./app -run '^$$' -bench 'DecodeTx|Pipeline|Commit/entries=10000$$' -benchtime 2x
	$(GO) test -timeout 25m ./...

# The long fault-injection run: 30 minutes of load and faults on a
# 4-validator network in containers, then the checks and a summary table;
# see docs/fault-injection.md. E2E_LONG_FLAGS='-cycles 1' shortens it.
E2E_LONG_FLAGS ?=
e2e-long: build
	$(GO) run ./tests/fault -manifest tests/fault/manifests/long.toml -icnd $(BUILDDIR)/icnd $(E2E_LONG_FLAGS)

# Throughput: the same 4-validator loopback network with icnd (with
# CometBFT's flood mempool, then with icnd's app-side mempool), with
# CometBFT's kvstore and with a Cosmos SDK chain, the same offered load;
# see docs/PERFORMANCE.md.
BENCH_RATE     ?= 3000
BENCH_DURATION ?= 60s
BENCH_FLAGS    ?=
bench: build build-cometbft build-sdkpeer
	$(GO) run ./tests/load compare -rate $(BENCH_RATE) -duration $(BENCH_DURATION) $(BENCH_FLAGS)

bench-sweep: build build-cometbft build-sdkpeer
	$(GO) run ./tests/load sweep -duration 30s -warmup 8s $(BENCH_FLAGS)

# Indexer lag at the chain's saturated rate: the load benchmark's icnd
# network under BENCH_INDEXER_RATE offered tx/s, and an indexer (with a
# throwaway PostgreSQL) following node0; see docs/PERFORMANCE.md.
BENCH_INDEXER_RATE ?= 1300
bench-indexer: build install-postgres
	$(GO) build -o $(BUILDDIR)/load ./tests/load
	$(GO) build -o $(BUILDDIR)/indexerlag ./tests/indexerlag
	@$(BUILDDIR)/load run -app icnd -rate $(BENCH_INDEXER_RATE) -duration 100s -warmup 10s & load=$$!; \
	$(BUILDDIR)/indexerlag -node tcp://127.0.0.70:26657 -duration 85s; rc=$$?; \
	wait $$load; exit $$rc

# Go benchmarks: the pipeline per transaction and Commit over 10k-1M entries.
bench-go:
	$(GO) test ./app -run '^$$' -bench 'DecodeTx|Pipeline' -benchtime 5000x
	$(GO) test ./app -run '^$$' -bench 'Commit' -benchtime 30x -timeout 60m

# The pinned staticcheck, installed (again) when it is missing or another
# version: its findings change between releases.
install-staticcheck:
	@if ! "$(STATICCHECK)" -version 2>/dev/null | grep -qF "($(STATICCHECK_VERSION:v%=%))"; then \
		echo "installing staticcheck $(STATICCHECK_VERSION)"; \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi

lint: install-staticcheck
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard -- '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*'))"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):" >&2; \
		echo "$$unformatted" >&2; \
		exit 1; \
	fi
	$(GO) vet ./...
	"$(STATICCHECK)" ./...

clean:
	rm -rf $(BUILDDIR)
