# libdinero. `make demo` and `make test` do all set-up themselves on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

SYSTEM_TOOLS := cc=gcc curl=curl valgrind=valgrind python3=python3 g++=g++ pkg-config=pkg-config \
	redis-server=redis-server faketime=faketime

.PHONY: build demo test test-rust test-python test-php test-php-fpm test-node test-docs test-install install uninstall bench lint header reliability fuzz system-deps clean dist test-dist test-abi abi-baseline

## build: the release library (target/release/libdinero.{so,a}), the dinero command and dinero-sandbox
build:
	cargo build --release --workspace
	ln -sf libdinero.so target/release/libdinero.so.0

## demo: build, start the sandbox, run the C, curl, Python, PHP and Node examples against it
demo: system-deps build
	scripts/demo.sh

## test: every suite (Rust unit + end-to-end over the C ABI, C programs under valgrind,
## Python, PHP, PHP-FPM, Node), the packages of make dist, the ABI guard and the lints
test: system-deps lint test-rust build test-install test-python test-php test-php-fpm test-node test-docs test-dist test-abi

lint:
	cargo fmt --all -- --check
	rustfmt --edition 2021 --check fuzz/fuzz_targets/*.rs
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets $(DEV_FEATURES) -- -D warnings
	python3 scripts/binding_constants.py --check
	python3 scripts/node_declarations.py --check
	scripts/check-single-source.sh
	python3 scripts/check_header_names.py

# The development build of the dinero command (`--sandbox`); `make build`, and so `make
# install`, leave it out.
DEV_FEATURES := --features dinero-cli/sandbox

# The C programs link the cdylib, which `cargo test` alone does not build. The command is tested
# both ways: with --sandbox (development) and without (what is installed).
test-rust:
	cargo build --workspace $(DEV_FEATURES)
	cargo test --workspace $(DEV_FEATURES)
	cargo test -p dinero-cli

# Both test the debug library and sandbox that test-rust built; the release build is there too,
# for the tests of the library lookup (DINERO_LIBRARY unset -> target/release).
test-python: test-rust build
	scripts/test-python.sh

test-php: test-rust build
	scripts/test-php.sh

# nginx in front of a php-fpm pool of 8 workers, one shared_state file for all (issue 11);
# FFI enabled for the pool, then Debian's default (preload) with libdinero preloaded.
test-php-fpm: test-rust
	scripts/test-php-fpm.sh --ffi enable
	scripts/test-php-fpm.sh --ffi preload

test-node: test-rust build
	scripts/test-node.sh

# The guides' code blocks, run against the sandbox (after the bindings' set-up above).
test-docs: build test-python test-php test-node
	python3 scripts/docs_blocks.py

## bench: side-by-side benchmarks against curl, requests, php-curl...; BENCH_QUICK=1 for ~1 min
bench:
	scripts/bench.sh

## install: the release build under PREFIX (default /usr/local; DESTDIR honoured)
PREFIX ?= /usr/local
install: build
	PREFIX=$(PREFIX) scripts/install.sh install

uninstall:
	PREFIX=$(PREFIX) scripts/install.sh uninstall

# make install into a temporary prefix, then a C program built with pkg-config alone.
test-install: build
	scripts/test-install.sh

## dist: the packages (.deb, manylinux wheel and sdist, npm tarball, Composer zip) in dist/
dist:
	scripts/dist.sh

# Each package of dist/ installed into a clean place (the .deb into this machine, then purged)
# and an example run against the sandbox, with no checkout and no Rust on PATH.
test-dist: build dist
	scripts/test-dist.sh

# The release library's exported C ABI against abi/libdinero.so.N.xml (policy: README.md).
test-abi: build
	scripts/abi.sh check

## abi-baseline: record the release build's C ABI into abi/ (after an intended change; commit it)
abi-baseline: build
	scripts/abi.sh record

## header: regenerate include/dinero.h from src/ffi/ with cbindgen
header:
	scripts/update-header.sh

system-deps:
	@scripts/system-deps.sh $(SYSTEM_TOOLS)

clean:
	cargo clean

## fuzz: every cargo-fuzz target for FUZZ_SECONDS (default 30) each, on nightly
fuzz:
	scripts/fuzz.sh

## reliability: rerun the fault matrix, stress test and soak, and rewrite docs/RELIABILITY.md
reliability:
	scripts/reliability-doc.sh
