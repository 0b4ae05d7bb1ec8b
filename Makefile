# SPDX-License-Identifier: Apache-2.0
# A thin wrapper over CMake presets (CMakePresets.json) and the test runners.
#   make             release build in build/ (build/sagebox, build/bench/policy_bench)
#   make asan        Debug + ASan/UBSan build in build-asan/
#   make test        the whole suite, as CI runs it: unit tests (ctest) and integration tests
#                    (pytest) against the ASan/UBSan build, and a fuzz smoke run of every target
#   make unit        only the cmocka unit tests under ctest
#   make integ       only the pytest integration tests
#   make crash       the store's kill -9 crash test (CRASH_ROUNDS rounds, default 5)
#   make bench       build and run the benchmarks
#   make fuzz        fuzz every target for FUZZ_SECONDS (default 600) with clang's libFuzzer
#   make clean       remove the build directories made by the presets
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20
CRASH_ROUNDS ?= 5
PYTHON := /usr/bin/python3
MAKEFLAGS += --no-print-directory

.PHONY: all build asan test unit integ fuzz-smoke crash bench fuzz clean

all: build

build:
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

asan:
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j$(JOBS)

test: unit fuzz-smoke crash integ

unit: asan
	ctest --test-dir build-asan --output-on-failure 2>&1

# pytest exits 5 when it collects no test: that is a failure here, not a pass.
integ: asan
	@echo "pytest tests/integ (SAGEBOX_BIN=build-asan/sagebox)"
	@SAGEBOX_BIN=$(CURDIR)/build-asan/sagebox $(PYTHON) -m pytest -q tests/integ; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "make: pytest collected no test" >&2; exit 1; fi; \
	exit $$rc

fuzz-smoke:
	tests/fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS)

# kill -9 in the middle of acknowledged writes, then check every one survived (tests/crash).
crash:
	tests/crash/run_store_crash.sh $(CRASH_ROUNDS)

bench: build
	build/bench/policy_bench

fuzz:
	tests/fuzz/run.sh fuzz_policy_parse $(FUZZ_SECONDS)
	tests/fuzz/run.sh fuzz_policy_eval $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz
