# One-command entry points. `make run` downloads examples/songs.txt from
# Bilibili; `make test` runs the whole test suite; `make demo` shows the whole
# flow against a local fake Bilibili, offline.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SONGS ?= examples/songs.txt
WORKERS ?= 4
# The MySQL and Redis tests use these servers; without them they fail to
# connect. Unset a variable (make test BILIMQ_TEST_REDIS_URL=) to skip those.
BILIMQ_TEST_MYSQL_URL ?= mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4
BILIMQ_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export BILIMQ_TEST_MYSQL_URL BILIMQ_TEST_REDIS_URL

.PHONY: setup ffmpeg run test demo lint clean

setup: ffmpeg $(BIN)/bilimq

$(BIN)/bilimq: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

ffmpeg:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || { \
	  echo "ffmpeg not found; installing it with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q ffmpeg; }

run: setup
	$(BIN)/bilimq batch $(SONGS)
	$(BIN)/bilimq run --workers $(WORKERS) --exit-when-idle

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: setup
	$(BIN)/python -m tests.fakebili.demo --songs $(SONGS) --workers $(WORKERS)

lint: setup
	$(BIN)/ruff format --check bilimq tests bench
	$(BIN)/ruff check bilimq tests bench

clean:
	rm -rf data library logs demo .pytest_cache
