# Agent Infra Lab. Two commands for a newcomer: `make lab` and `make test`.
# Both create .venv from requirements.lock on first use (and again when the lock changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test check bench build build-check install clean-venv validity

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## make lab: open JupyterLab on labs/ with a Phoenix server beside it (both stop together).
## Options: make lab LAB_PORT=8890 PHOENIX_PORT=6007 NO_BROWSER=1 PHOENIX_DIR=/tmp/phx
## (defaults 8888 and 6006, another free port when the default is busy, a port you name must
## be free; Phoenix's store in .phoenix/). Same as `.venv/bin/python -m infralab.lab --help`.
LAB_ARGS := $(if $(LAB_PORT),--lab-port $(LAB_PORT)) \
	$(if $(PHOENIX_PORT),--phoenix-port $(PHOENIX_PORT)) \
	$(if $(PHOENIX_DIR),--phoenix-dir $(PHOENIX_DIR)) \
	$(if $(filter-out 0 no false,$(NO_BROWSER)),--no-browser)
lab: $(STAMP)
	$(BIN)/python -m infralab.lab $(LAB_ARGS)

## make test: lint, check labs/ are built from solutions/, run every test, execute every
## solutions/ notebook top to bottom (nbval), grade every lab (validity harness + attack corpus).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/infralab build --check
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax tests solutions

## make check: ruff (notebooks included) and mypy.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check infralab tests benchmarks
	$(BIN)/mypy

## make bench: the performance figures quoted in docs/performance.md.
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make validity: every committed mutant graded (make test grades a fixed sample per task),
## then the mutation score of every lab's tests (every generated mutant, graded; long).
## Writes the figures into docs/validity.md and the survivors into /tmp/survivors-<lab>.txt.
validity: $(STAMP)
	INFRALAB_ALL_MUTANTS=1 $(BIN)/python -m pytest -n 2 --dist loadfile tests/test_validity.py
	$(BIN)/infralab validity --mutate --workers 2 --check-equivalents \
		--journal build/validity --write-doc docs/validity.md --survivors /tmp

## make build: regenerate labs/ from solutions/ (nbgrader generate_assignment, outputs cleared).
build: $(STAMP)
	$(BIN)/infralab build

clean-venv:
	rm -rf $(VENV)

## make example-credential: docs/examples/credential.json + credential.html (and the status
## list beside them) from the example results in docs/examples/results, signed with a
## throwaway issuer key made for this run and deleted after it; docs/examples/issuers.json
## keeps only its public did:key, so `infralab verify docs/examples/credential.json
## --issuers docs/examples/issuers.json` passes on a fresh clone.
.PHONY: example-credential
example-credential: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/infralab keys init --keys "$$tmp/keys" \
		--name "Agent Infra Lab example issuer (throwaway key)" >/dev/null; \
	$(BIN)/infralab certify --candidate cand-0042 --name "Ada Example" --track A \
		--results docs/examples/results --policy docs/examples/policy.yaml --keys "$$tmp/keys" \
		--out docs/examples --status-dir "$$tmp/status"; \
	cp "$$tmp/status/revocation-1.json" docs/examples/revocation-1.json; \
	cp "$$tmp/keys/issuers.json" docs/examples/issuers.json; \
	$(BIN)/infralab verify docs/examples/credential.json --issuers docs/examples/issuers.json
