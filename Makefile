# Two commands do everything on a fresh clone: `make status` and `make test`.
# Each creates .venv and installs the project into it the first time (and again whenever
# pyproject.toml changes). --compile-bytecode writes every dependency's .pyc once (about 30 s):
# without it, a shell with PYTHONDONTWRITEBYTECODE set recompiles torch on every import, which
# doubled the start-up of each test session and notebook kernel (15 s -> 7.6 s for torch + timm).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: status test install docs notebooks verify clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing RxVision25 and its dependencies into $(VENV): a few minutes the first time"
	@echo "(torch and timm are large), seconds after that."
	$(BIN)/python -m pip install --quiet --upgrade uv
	$(BIN)/uv pip install --compile-bytecode --python $(BIN)/python -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

status: $(STAMP)  ## your graded progress across all six weeks
	$(BIN)/rxgrade status

test: $(STAMP)    ## the project's own test suite (grader, reference system, docs, verify)
	RXGRADE_ARTIFACTS=$(CURDIR)/artifacts $(BIN)/python -m pytest --durations=5

docs: $(STAMP)    ## serve the docs site on http://127.0.0.1:8000
	$(BIN)/mkdocs serve

notebooks: $(STAMP)  ## JupyterLab with jupytext's pairing, to work on the notebook exercises
	$(BIN)/uv pip install --compile-bytecode --python $(BIN)/python -e ".[dev,notebooks]"
	@echo
	@echo "JupyterLab is installed in $(VENV). Start it with"
	@echo "    $(BIN)/jupyter lab weeks/week1/notebooks        (as root, add --allow-root)"
	@echo "and open <name>.ipynb. Each notebook is a jupytext pair: saving <name>.ipynb in"
	@echo "JupyterLab also writes <name>.py. The grader runs whichever of the two you saved"
	@echo "last and names it in its report: rxgrade check week1.efficientnet_notebook"

verify: $(STAMP)  ## for authors: every exercise's stub fails, solution passes, mutants caught
	$(BIN)/rxgrade verify

clean:
	rm -rf $(VENV) site .rxgrade .pytest_cache
