# Front door. `make demo` and `make test` install what they need first.
BUILD ?= build
JOBS ?= 2

.PHONY: all build deps demo test test-fast coverage asan valgrind fuzz bench clean

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	scripts/demo

# The whole suite: unit, integration, contract, lint, then ASan+UBSan,
# valgrind and the fuzz corpora.
test:
	scripts/install-deps --test
	scripts/run-tests

# Only the normal build's ctest (quick loop while developing).
test-fast:
	scripts/install-deps --test
	ZF_STAGES=main scripts/run-tests

# Line, function and branch coverage over the suite; writes docs/coverage.md.
coverage:
	scripts/coverage

bench: build
	bench/run-all

clean:
	rm -rf build build-asan build-fuzz build-cov
