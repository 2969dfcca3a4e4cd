# regmap — developer targets. Each target creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_PRODUCT := examples/products/smart-camera.yaml
DEMO_OUT     := out/smart-camera-gaps.xlsx

.PHONY: dev demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev,notebooks]'
	touch $@ $(VENV)/.runtime

dev: $(VENV)/.dev

demo: $(VENV)/.runtime
	@mkdir -p out
	$(BIN)/regmap gaps $(DEMO_PRODUCT) -r cra -r etsi-en-303-645 --xlsx $(DEMO_OUT)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
