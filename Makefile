# The two commands a newcomer needs:  make demo   and   make test
# Plain `make` sets up and builds.
BUILD      ?= build
BUILD_WASM ?= build-wasm
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
export NODE_PATH := /usr/share/nodejs

.PHONY: all setup build demo demo-sim test test-native test-wasm wasm fuzz fuzz-smoke bench bench-netns clean install

all: build

setup:
	@bash scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The binary, the zmesh(1) man page, the systemd unit and the example config under PREFIX
# (default /usr/local), staged under DESTDIR when set:  make install PREFIX=/usr DESTDIR=/tmp/pkg
PREFIX ?= /usr/local
install: setup
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target zmesh zmesh_man
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --component zmesh

# A real local mesh of zmesh node processes (DHT, WebRTC, a 3-hop circuit, SOCKS5) until Ctrl-C.
demo: build
	bash scripts/demo-mesh.sh $(BUILD)

# The same idea in the deterministic simulator: 200 simulated heartbeat nodes, one process.
demo-sim: build
	./$(BUILD)/zmesh demo

wasm: setup
	emcmake cmake -S . -B $(BUILD_WASM) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DZMESH_NATIVE_BUILD_DIR=$(abspath $(BUILD)) >/dev/null
	cmake --build $(BUILD_WASM) -j $(JOBS)

test-native: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE sim_large

test-wasm: wasm
	ctest --test-dir $(BUILD_WASM) --output-on-failure -j $(JOBS) -LE sim_large

fuzz-build: setup
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD_FUZZ) $(CMAKE_GEN) -DZMESH_FUZZ=ON -DZMESH_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_all

# A short run of every fuzz target (part of make test); `make fuzz` runs each for longer.
fuzz-smoke: fuzz-build
	bash scripts/fuzz.sh $(BUILD_FUZZ) $${FUZZ_SMOKE_SECONDS:-10}

fuzz: fuzz-build
	bash scripts/fuzz.sh $(BUILD_FUZZ) $${FUZZ_SECONDS:-600}

test: test-native test-wasm fuzz-smoke
	@echo "make test: all passed"

bench: build
	./$(BUILD)/bench/zmesh_crypto_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	./$(BUILD)/bench/zmesh_link_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	./$(BUILD)/bench/zmesh_onion_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	./$(BUILD)/bench/zmesh_link_throughput --mib 256 --rounds 5

# Link vs raw TCP across two network namespaces joined by a tbf-shaped veth pair (needs root).
bench-netns: build
	bash scripts/bench-link-netns.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_WASM) $(BUILD_FUZZ)
