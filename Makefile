# Bastion: two commands do all set-up. `make demo` runs the drone-raid scenario; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean asterix-peer

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/bastion run scenarios/al-asad-drone-raid.yaml --out runs/demo --force

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

# The second, independent ASTERIX decoder for the oracle tests (CroatiaControl asterix-decoder, C++):
# it installs a module named `asterix`, as libasterix does, so it lives in its own environment.
PEER_VENV := .venv-asterix-peer

$(PEER_VENV)/.installed:
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet "asterix-decoder==0.7.11"
	touch $@

asterix-peer: $(PEER_VENV)/.installed

test: lint asterix-peer
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/tracker_vs_stonesoup.py --targets 100 --clutter 100 --scans 50 --seed 1 --markdown benchmarks/results/tracker.md
	$(BIN)/python benchmarks/tracker_vs_stonesoup.py --targets 1000 --clutter 100 --scans 50 --seed 1 --markdown benchmarks/results/tracker-1000.md
	$(BIN)/python benchmarks/tracker_vs_stonesoup.py --targets 1000 --clutter 1000 --scans 20 --seed 1 --confirm-n 4 --markdown benchmarks/results/tracker-1000-dense.md
	$(BIN)/python benchmarks/capacity.py --targets 10000 --clutter 1000 --scans 20 --markdown benchmarks/results/capacity.md
	$(BIN)/python benchmarks/capacity.py --targets 10000 --clutter 1000 --scans 20 --filter imm --markdown benchmarks/results/capacity-imm.md
	$(BIN)/python benchmarks/classify_eval.py --tracks-per-class 200 --seed 1 --workers 2 --markdown benchmarks/results/classify.md
	$(BIN)/python benchmarks/eval_warn.py --shots 500 --seed 1 --markdown benchmarks/results/warn.md
	$(BIN)/python benchmarks/warn_tuning.py --shots 200 --seeds 101,102,103,104,105,106 --markdown benchmarks/results/warn-tuning.md
	$(BIN)/python benchmarks/ingest.py --tracks 1000 --clutter 100 --scans 5 --seconds 125 --warmup-scans 5 --seed 1 --markdown benchmarks/results/ingest.md
	$(BIN)/python benchmarks/jpda_scaling.py --seed 1 --markdown benchmarks/results/jpda.md
	$(BIN)/python benchmarks/imm_accuracy.py --runs 100 --seed 1 --variants --markdown benchmarks/results/imm.md
	$(BIN)/bastion eval engage --salvos 100 --seed 1 --markdown benchmarks/results/engage.md
	$(BIN)/python benchmarks/registration.py --runs 100 --seed 1 --sweep --markdown benchmarks/results/registration.md
	$(BIN)/python benchmarks/metrics_vs_stonesoup.py --targets 100 --scans 50 --seed 1 --markdown benchmarks/results/metrics.md
	$(BIN)/python benchmarks/measurement_updates.py --tracks 1000 --dim 9 --repeat 20 --markdown benchmarks/results/measurement-updates.md

clean:
	rm -rf $(VENV) $(PEER_VENV) runs .mypy_cache .pytest_cache .ruff_cache
