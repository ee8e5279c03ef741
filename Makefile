# Portico: `make run` serves the demo, `make test` runs every test. Both set up what they need.
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
BIN := .build/release/portico
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: all build run test test-swift test-interop setup-python setup-nginx bench clean bench-streams bench-bridge bench-auth bench-metrics

all: build

## Always the same flags: a release build with tests. Test builds enable testability, so a
## plain product build would recompile every module when switching between the two.
build:
	$(SWIFT) build -c release --build-tests

## The demo tools plus examples/python-stdio (a Python stdio MCP server, run with the venv's
## python) published through the bridge.
run: setup-python build
	@PATH="$(abspath $(VENV))/bin:$$PATH" scripts/run-demo.sh "$(BIN)" "$(HOST)" "$(PORT)"

## One release build serves both the tests and the binary the interop tests drive. The edge
## tests need a real nginx: installed here (apt-get) when missing.
test: setup-nginx setup-python build
	$(MAKE) test-swift test-interop

test-swift:
	$(SWIFT) test -c release --skip-build

test-interop: setup-python
	PORTICO_BIN=$(abspath $(BIN)) interop/run.sh

setup-nginx:
	scripts/ensure-nginx.sh

setup-python: $(VENV)/.installed

$(VENV)/.installed: interop/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r interop/requirements.txt
	touch $@

bench: build
	bench/run.sh

# tools/call through the managed nginx edge (HTTP and HTTPS) vs straight to the app, in one run.
bench-edge: build
	bench/edge.sh

# 10,000 listen and GET streams: memory per stream, fan-out latency, vs a bare Hummingbird ceiling.
bench-streams: build
	swift build -c release --package-path bench/ceiling --scratch-path .build-bench-ceiling
	mkdir -p bench/results
	python3 bench/streams.py --bin .build/release/portico --ceiling .build-bench-ceiling/release/ceiling --json bench/results/streams.json

# stdio bridge: latency Portico adds over a direct stdio client, pool 2 vs 1 throughput, files search.
bench-bridge: setup-python build
	.venv/bin/python bench/bridge.py

clean:
	rm -rf .build $(VENV) .portico

# tools/call/s with auth on (API key, RS256 JWT from a loopback issuer) vs off, in one run.
bench-auth: setup-python build
	.venv/bin/python bench/auth.py

# tools/call/s with metrics on (scraped every second) vs off, and with the JSON request log, in one run.
bench-metrics: setup-python build
	.venv/bin/python bench/metrics.py
