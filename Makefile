# OptBench. The CPU flags (-target-cpu native, -fno-math-errno, and in release
# -Ounchecked -cross-module-optimization) live in Package.swift, so every build here,
# and a plain `swift build`, emits AVX2/AVX-512 FMA code.
SWIFT ?= swift
RELEASE := -c release
BIN := .build/release

.PHONY: all build experiments experiments-quick bench bench-slow bench-digits bench-check bench-accept smoke-check bench-kernels bench-classical bench-nets test test-plugin test-corpus test-slurm fuzz clean

all: build

build:
	$(SWIFT) build $(RELEASE) --product optbench

## The main job: every suite's grid, tables written under results/, and results/index.html over them.
## Resumes from each suite's cache: cells whose configuration key (every setting, the budget
## and a digest of this binary) is already in results/<suite>/cells.jsonl are not run again.
bench: build
	$(BIN)/optbench bench --suite default --resume
	$(BIN)/optbench bench --suite classical --resume
	$(BIN)/optbench bench --suite smoke --resume
	$(BIN)/optbench bench --suite nets --resume
	$(BIN)/optbench bench --suite nets-accuracy --resume
	$(BIN)/optbench index results

## The suites too slow for make bench, into results/ likewise: a convolutional ResNet-8, and the
## block preconditioners (SOAP, Shampoo) on the networks of nets.
bench-slow: build
	$(BIN)/optbench bench --suite nets-conv --resume
	$(BIN)/optbench bench --suite nets-preconditioned --resume
	$(BIN)/optbench index results

## Every experiment of the catalog ('optbench list experiments') at its default sizes: each writes
## results/experiments/NAME/ (table.md with the claim and verdicts, figures, result.json), then
## results/index.html lists them. `experiments-quick` runs the small sizes into .build/ (CI).
EXPERIMENT_NAMES = $$($(BIN)/optbench list experiments | awk 'NR > 1 { print $$1 }')
experiments: build
	@for e in $(EXPERIMENT_NAMES); do $(BIN)/optbench experiment $$e || exit $$?; done
	$(BIN)/optbench index results

experiments-quick: build
	@for e in $(EXPERIMENT_NAMES); do $(BIN)/optbench experiment $$e --quick --out .build/experiments-quick/$$e || exit $$?; done

## The regression gate: fresh grids of every suite, compared with the committed tables
## (exit 1 on a regression); `make bench-accept` then makes the fresh tables the baseline.
SUITES := default classical smoke nets nets-accuracy
CHECK := .build/bench-check
bench-check: build
	@for s in $(SUITES); do $(BIN)/optbench bench --suite $$s --out $(CHECK)/$$s > /dev/null || exit 2; done
	@status=0; for s in $(SUITES); do $(BIN)/optbench compare results/$$s $(CHECK)/$$s || status=1; done; exit $$status

bench-accept:
	@for s in $(SUITES); do test -f $(CHECK)/$$s/table.json || { echo "no fresh $$s tables: run make bench-check first"; exit 2; }; done
	@for s in $(SUITES); do rm -rf results/$$s && cp -R $(CHECK)/$$s results/$$s; done
	@$(BIN)/optbench index results > /dev/null
	@echo "results/ now holds the tables of the last make bench-check"

## The smoke suite against its committed baseline (outcomes only: CI's clock is not ours).
smoke-check: build
	$(BIN)/optbench bench --suite smoke --out $(CHECK)/smoke > /dev/null
	$(BIN)/optbench compare results/smoke $(CHECK)/smoke --ignore-time

## Kernel speed next to numpy/OpenBLAS, measured in the same run.
bench-kernels:
	$(SWIFT) build $(RELEASE) --product kernel-bench
	$(BIN)/kernel-bench

## Classical optimizers' epoch cost next to numpy, scikit-learn and scipy, in the same run.
bench-classical:
	$(SWIFT) build $(RELEASE) --product classical-bench
	$(BIN)/classical-bench

## Network training epochs (MLP, ResNet) next to PyTorch eager's, measured in the same run.
bench-nets: build
	$(SWIFT) build $(RELEASE) --product network-bench
	$(BIN)/network-bench

## Each modern rule (adamax … shampoo) trained on the real-digits MLP (data/digits), final test
## accuracy per rule with its learning rate, into results/digits-modern.txt.
bench-digits: build
	scripts/digits-modern.sh $(BIN)/optbench | tee results/digits-modern.txt

## Unit tests, in release (numeric tests run 10–100× slower in debug).
test:
	OPTBENCH_CHECKED=1 $(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --scratch-path .build/checked

## Examples/PluginTemplate against this checkout: its conformance tests, its command line (list,
## trace, run, refusals, a bench mixing its entries with built-ins), and the same package resolved
## by git URL at a tag.
test-plugin:
	scripts/test-plugin.sh

## Malformed and overflowing IDX files through a debug build (every check on): each refused, exit 2.
test-corpus:
	$(SWIFT) build --product optbench
	python3 Tests/Corpus/idx_corpus_check.py .build/debug/optbench

## scripts/slurm/ end to end on a real single-node SLURM cluster started here (root: installs
## Debian's slurm-wlm and munge when missing): a job array of the smoke suite, a failed task, its resubmission.
test-slurm: build
	bash Tests/Slurm/cluster-test.sh $(BIN)/optbench

## 100 000 random, truncated, bit-flipped and gzip-corrupted IDX inputs through the reader and
## the image+label loader in memory, each checked against a reference decoder (exit 1 on any
## surprise); then 100 000 mutations of the JSON files optbench reads back (cells, timings,
## shard markers, tables, suite definitions) through their readers and what consumes them,
## each accepted or refused naming its file (json-fuzz), in release with every runtime check on
## (built like `make test`) and in debug. A trap would end the run: finishing proves none.
fuzz:
	OPTBENCH_CHECKED=1 $(SWIFT) build $(RELEASE) -Xswiftc -enable-testing --scratch-path .build/checked --product idx-fuzz
	.build/checked/release/idx-fuzz 100000
	OPTBENCH_CHECKED=1 $(SWIFT) build $(RELEASE) -Xswiftc -enable-testing --scratch-path .build/checked --product json-fuzz
	.build/checked/release/json-fuzz 100000
	$(SWIFT) build --product json-fuzz
	.build/debug/json-fuzz 100000

clean:
	rm -rf .build
