# OptBench. The CPU flags (-target-cpu native, -fno-math-errno, and in release
# -Ounchecked -cross-module-optimization) live in Package.swift, so every build here,
# and a plain `swift build`, emits AVX2/AVX-512 FMA code.
SWIFT ?= swift
RELEASE := -c release
BIN := .build/release

.PHONY: all build bench bench-kernels bench-classical test test-corpus clean

all: build

build:
	$(SWIFT) build $(RELEASE) --product optbench

## The main job: every suite's grid, tables written under results/.
## Resumes from each suite's cache: cells whose configuration key (every setting, the budget
## and a digest of this binary) is already in results/<suite>/cells.jsonl are not run again.
bench: build
	$(BIN)/optbench bench --suite default --resume
	$(BIN)/optbench bench --suite classical --resume

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
	OPTBENCH_CHECKED=1 $(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --scratch-path .build/checked

## Malformed and overflowing IDX files through a debug build (every check on): each refused, exit 2.
test-corpus:
	$(SWIFT) build --product optbench
	python3 Tests/Corpus/idx_corpus_check.py .build/debug/optbench

clean:
	rm -rf .build
