# cephc top-level entry points.  Everything real happens in CMake and
# scripts/; this file only gives the README's two commands and a few more.
#   make demo    the main job against a throwaway local cluster
#   make package Debian packages (libcephc0, libcephc-dev, cephc) from a
#                clean clone of HEAD, into build-deb/
#   make check   install deps, build (gcc -Werror + clang ASan/UBSan/fuzz),
#                run every test against a throwaway cluster, tear it down
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build asan check demo unit format bench clean package

all: build

deps:
	@bash scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCEPHC_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_C_COMPILER=clang -DCEPHC_WERROR=ON \
		-DCEPHC_SANITIZE=ON -DCEPHC_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)

# Unit tests only: no cluster needed.
unit: build
	ctest --test-dir $(BUILD) -L unit --output-on-failure

check: build asan
	bash scripts/check.sh $(BUILD) $(ASAN_BUILD)

demo: build
	bash scripts/demo.sh $(BUILD)

# Packages from what is committed (a clean clone of HEAD), lintian-checked.
package: deps
	bash scripts/package.sh build-deb

bench: build
	bash bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-deb
