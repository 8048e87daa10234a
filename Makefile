# OptBench. The CPU flags (-target-cpu native, -fno-math-errno, and in release
# -Ounchecked -cross-module-optimization) live in Package.swift, so every build here,
# and a plain `swift build`, emits AVX2/AVX-512 FMA code.
SWIFT ?= swift
RELEASE := -c release
BIN := .build/release

.PHONY: all build bench bench-kernels bench-classical test clean

all: build

build:
	$(SWIFT) build $(RELEASE) --product optbench

## The main job: every suite's grid, tables written under results/.
bench: build
	$(BIN)/optbench bench --suite default
	$(BIN)/optbench bench --suite classical

## Kernel speed next to numpy/OpenBLAS, measured in the same run.
bench-kernels:
	$(SWIFT) build $(RELEASE) --product kernel-bench
	$(BIN)/kernel-bench

## Classical optimizers' epoch cost next to numpy, scikit-learn and scipy, in the same run.
bench-classical:
	$(SWIFT) build $(RELEASE) --product classical-bench
	$(BIN)/classical-bench

## Unit tests, in release (numeric tests run 10–100× slower in debug).
test:
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing

clean:
	rm -rf .build
