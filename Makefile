# The two commands of the README. Both set the machine up first (quick once it is).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: video test setup lint clean

## Render the main video (high quality MP4 of scenes/relu.py) after setting up.
video: setup
	$(BIN)/nnviz sweep
	$(BIN)/manim -qh -v WARNING --progress_bar leave scenes/relu.py
	@echo "video: media/videos/relu/1080p60/ReluTraining.mp4"

## Run the test suite after setting up, one process per core (pytest-xdist).
test: setup
	$(BIN)/python -m pytest -n auto --dist worksteal

## Install system packages, the virtual environment and the project (only what is missing).
setup:
	@bash scripts/setup.sh

## ruff and mypy.
lint: setup
	$(BIN)/ruff check nnviz scenes tests benchmarks scripts
	$(BIN)/ruff format --check nnviz scenes tests benchmarks scripts
	$(BIN)/mypy

clean:
	rm -rf media/videos media/images media/texts media/Tex .pytest_cache .mypy_cache .ruff_cache
