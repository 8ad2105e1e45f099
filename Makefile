# Ringside: one venv, the project installed editable with its test extras.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install play test test-deps bench eval eval-augment fuzz clean install-server serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

play: install
	$(VENV)/bin/ringside play

# The linter and the type checker first (their settings and why: pyproject.toml), then the tests.
test: install test-deps
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q

# Headless Chromium for the web-view tests (Debian package). Skipped when already installed; a
# machine without root/sudo only gets a warning (the tests then skip, except in CI where they fail).
test-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium ) \
	    || echo "warning: could not install chromium; web-view tests need it"; \
	fi

bench: install
	$(PY) -m benchmarks

# The accuracy table over every labelled clip in ../shared/data (slow the first time: the pose model
# runs once per video and its skeletons are cached in .cache/eval).
eval: install
	$(VENV)/bin/ringside eval

# The generalisation check: the rep and punch clips' cached skeletons as other cameras, frame rates and
# trackers would give them (mirror, 10-60 fps, zoom, pan, roll, jitter, drops, occlusion), a few
# minutes on two cores; needs `make eval` to have recorded the skeletons (docs/ACCURACY.md).
eval-augment: install
	$(VENV)/bin/ringside eval --augment

# The long fuzz run: the same seeded fuzz tests as `make test`, with a bigger time budget each.
fuzz: install
	RINGSIDE_FUZZ_SECONDS=$${RINGSIDE_FUZZ_SECONDS:-120} $(VENV)/bin/python -m pytest -q -m fuzz

# The leaderboard server alone, in its own venv: the project without its dependencies, then only
# the `server` extra of pyproject.toml (no mediapipe, OpenCV, pygame). `make serve` runs it;
# SERVE_ARGS passes options, e.g. make serve SERVE_ARGS="--host 0.0.0.0 --allowed-host gym.example".
SERVER_VENV  := .venv-server
SERVER_STAMP := $(SERVER_VENV)/.installed

$(SERVER_STAMP): pyproject.toml
	$(PYTHON) -m venv $(SERVER_VENV)
	$(SERVER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SERVER_VENV)/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['server']))" > $(SERVER_VENV)/requirements.txt
	$(SERVER_VENV)/bin/python -m pip install --quiet -r $(SERVER_VENV)/requirements.txt
	$(SERVER_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(SERVER_STAMP)

install-server: $(SERVER_STAMP)

serve: install-server
	$(SERVER_VENV)/bin/ringside-server serve $(SERVE_ARGS)

clean:
	rm -rf $(VENV) $(SERVER_VENV) .pytest_cache build *.egg-info
