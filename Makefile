# Front door. `make demo` and `make test` install what they need first.
BUILD ?= build
JOBS ?= 2

.PHONY: all build deps demo test test-fast tsan coverage asan valgrind fuzz bench clean deb

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# `make demo` keeps the service up until Ctrl-C; DEMO_ONCE=1 exits when done.
demo: build
	BUILD=$(abspath $(BUILD)) DEMO_ONCE=$(DEMO_ONCE) scripts/demo

# The whole suite: unit, integration, contract, lint, then ASan+UBSan,
# valgrind and the fuzz corpora.
test:
	scripts/install-deps --test
	scripts/run-tests

# Only the normal build's ctest (quick loop while developing).
test-fast:
	scripts/install-deps --test
	ZF_STAGES=main scripts/run-tests

# The ThreadSanitizer stage alone (build-tsan, ctest label tsan).
tsan:
	scripts/install-deps --test
	ZF_STAGES=tsan scripts/run-tests

# Line, function and branch coverage over the suite; writes docs/coverage.md.
coverage:
	scripts/coverage

bench: build
	bench/run

clean:
	rm -rf build build-asan build-tsan build-fuzz build-cov build-deb

# Debian packages (libzoomflow0, libzoomflow-dev, zoomflow, zoomsim) in
# build-deb/packages/: a build for /usr with Debian's build flags
# (dpkg-buildflags, all hardening), then cpack -G DEB (docs/deploy.md).
DEB_BUILD ?= build-deb
deb:
	scripts/install-deps --deb
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all; \
	CFLAGS="$$(dpkg-buildflags --get CPPFLAGS) $$(dpkg-buildflags --get CFLAGS)" \
	LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	cmake -S . -B $(DEB_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
	      -DZF_TESTS=OFF >/dev/null
	cmake --build $(DEB_BUILD) -j$(JOBS)
	rm -rf $(DEB_BUILD)/packages
	cd $(DEB_BUILD) && cpack -G DEB -B $(CURDIR)/$(DEB_BUILD)/packages
	rm -rf $(DEB_BUILD)/packages/_CPack_Packages
	@ls -1 $(DEB_BUILD)/packages/*.deb
