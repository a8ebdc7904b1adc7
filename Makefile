# Taskledger — the two commands a newcomer needs are `make run` and `make test`.
# Each installs what is missing on a fresh Debian/Ubuntu machine first.

SWIFT ?= swift
DATA ?= ./taskledger-data
WORKSPACE ?= demo
PORT ?= 8080
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PACKAGES := liblz4-dev libsqlite3-dev lz4 jq sqlite3 xxd curl openssl python3 python3-venv

.PHONY: run sample test deps build release bench format lint clean schemathesis

## deps: install the system packages the build and the tests need (apt-get update first).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## run: build in release and serve the API on 127.0.0.1:8080; the first run generates workspace `demo`
## (taskledger demo generate --seed 42 --events 20000) and prints its tokens once (PORT, DATA and
## WORKSPACE change the defaults; SCHEDULE_INTERVAL in the environment turns the scheduler on).
run: release
	@./scripts/run-server.sh "$$($(SWIFT) build -c release --show-bin-path)/taskledger" "$(DATA)" "$(WORKSPACE)" "$(PORT)"

## sample: append the sample history to a workspace log with the log tools, read, verify, show stats.
sample: release
	@./scripts/run-sample.sh "$$($(SWIFT) build -c release --show-bin-path)/taskledger" "$(DATA)" "$(WORKSPACE)-log"

## test: the whole suite (unit, crash, torn-write, CLI, lz4 interoperability and HTTP end-to-end tests).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

## schemathesis: requests generated from the OpenAPI document (Sources/APIServer/OpenAPI/openapi.json)
## against a live debug server: no 5xx, and every status, content type and body as documented
## (about 3 minutes; pip installs schemathesis in a temporary venv; MAX_EXAMPLES and SEED change the run).
schemathesis: deps
	$(SWIFT) build --product taskledger
	./scripts/schemathesis.sh "$$($(SWIFT) build --show-bin-path)/taskledger"

## bench: in release mode, each part beside its peers in the same run — the log vs SQLite, the command service, the HTTP API vs
## nginx (board reads), Redis XADD and PostgreSQL (durable moves) and 1,000 SSE subscribers, with Hummingbird doing no work as the
## framework's floor, the projections vs SQLite; installs
## wrk, nginx, Redis and PostgreSQL when missing (each run on loopback in a scratch directory, stopped at the end); rewrites
## Benchmarks/RESULTS.md and Benchmarks/results/ (724 s end to end on a loaded 2-core machine with the builds cached; SECONDS_PER_RUN, REPEATS, EVENTS,
## PROJECTION_REPEATS, HTTP_REPEATS, HTTP_SECONDS and SSE_SECONDS change the run; ONLY=http runs the HTTP part alone).
bench: deps
	./Benchmarks/run-bench.sh

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Sources Tests Benchmarks/Sources Package.swift

lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Benchmarks/Sources Package.swift

clean:
	rm -rf .build Benchmarks/.build
