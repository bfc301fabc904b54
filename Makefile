# who-says-what: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the compiled quote engine (setup.py): rebuilt when its sources change; where it cannot be built,
# an empty record stops further tries and the toolkit runs in pure Python
COMPILED := toolkit/_speedups/built_from.json

.PHONY: demo test lab install clean

install: $(STAMP)

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(COMPILED): toolkit/quotes.py toolkit/speakers.py toolkit/tokens.py setup.py | $(STAMP)
	$(PY) -m pip install --quiet --no-deps -e . || echo "compiled engine not built: the toolkit runs in pure Python"
	touch $(COMPILED)

demo: $(STAMP) $(COMPILED)
	$(PY) -m toolkit demo --out outputs

test: $(STAMP) $(COMPILED)
	$(PY) -m pytest -n 2 -q

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf outputs .pytest_cache
