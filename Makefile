# Escalator: the commands the README documents.
#   make run    install everything, start Kafka + PostgreSQL, run the system in the foreground
#   make test   the whole test suite (starts local Kafka + PostgreSQL unless
#               KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL name running ones)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
INFRA := deploy/local/infra.sh
LOGS := var/log/services

.PHONY: install run up down status test test-unit lint format clean bench bench-console screenshots fault fault-short fuzz fuzz-short

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@bash deploy/local/python-env.sh $(VENV)
	@touch $@

# Ctrl-C stops the services, then Kafka and PostgreSQL (the trap runs as the shell exits).
run: install
	@trap 'bash $(INFRA) down' EXIT; bash $(INFRA) up; $(PY) deploy/local/supervise.py

# One shell for the whole recipe: `exit 0` when already running must skip the start as well.
up: install
	@bash $(INFRA) up
	@mkdir -p var/run $(LOGS)
	@if [ -f var/run/system.pid ] && kill -0 "$$(cat var/run/system.pid)" 2>/dev/null; then \
		echo "Escalator is already running (pid $$(cat var/run/system.pid))"; exit 0; fi; \
	rm -f var/run/system.ready; \
	nohup $(PY) deploy/local/supervise.py --logs $(LOGS) > $(LOGS)/supervise.log 2>&1 & echo $$! > var/run/system.pid; \
	for i in $$(seq 1 180); do [ -f var/run/system.ready ] && break; \
		kill -0 "$$(cat var/run/system.pid)" 2>/dev/null || { tail -n 30 $(LOGS)/supervise.log; exit 1; }; sleep 1; done; \
	[ -f var/run/system.ready ] || { echo "services not ready after 180 s; see $(LOGS)/"; exit 1; }; \
	cat $(LOGS)/supervise.log; \
	echo "Logs: $(LOGS)/  Stop with: make down"

down:
	@if [ -f var/run/system.pid ]; then kill "$$(cat var/run/system.pid)" 2>/dev/null || true; \
		for i in $$(seq 1 40); do kill -0 "$$(cat var/run/system.pid)" 2>/dev/null || break; sleep 0.5; done; \
		rm -f var/run/system.pid; fi
	@bash $(INFRA) down

status:
	@bash $(INFRA) status
	@for port in 8000 8001 8002 8003 8004 8005; do \
		printf "service on %s: " $$port; curl -s -o /dev/null -w "%{http_code}\n" http://127.0.0.1:$$port/readyz || echo down; done

test: install
	@bash deploy/local/test-tools.sh
	@$(PY) -m pytest -p no:cacheprovider

test-unit: install
	@$(PY) -m pytest -p no:cacheprovider tests/unit

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy shared services tests deploy/local
	@bash deploy/local/validate-compose.sh
	@$(VENV)/bin/python -m escalator_router.cli config validate --config deploy/config/example.yaml

format: install
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

# The console's queue of 1,000 open tickets (docs/benchmarks.md), on the system `make up` runs.
bench-console: up
	@$(PY) -m tests.benchmarks.console_queue

# Screenshots of every console page into docs/img/ (docs/console.md), from the running system.
screenshots: up
	@$(PY) -m tests.console_screenshots

# The fault suite (docs/faults.md) against the system `make up` runs (started if it is not).
# FAULT_ARGS passes options on, e.g. make fault FAULT_ARGS="--targets postgres --rate 30".
fault: up
	@$(PY) -m tests.fault $(FAULT_ARGS)

fault-short: up
	@$(PY) -m tests.fault --short $(FAULT_ARGS)

# The bounded bad-input suite (docs/faults.md): schemathesis over every service's OpenAPI and
# hostile sender bodies, against the system `make up` runs.
fuzz: up
	@$(PY) -m tests.fuzz $(FUZZ_ARGS)

fuzz-short: up
	@$(PY) -m tests.fuzz --short $(FUZZ_ARGS)

clean: down
	rm -rf var

bench: install
	@deploy/local/test-tools.sh bench
	@$(PY) -m tests.benchmarks.intake_throughput
	@$(PY) -m tests.benchmarks.intake_throughput --instances 2 --consumers none
	@$(PY) -m tests.benchmarks.intake_throughput --instances 2
	@$(PY) -m tests.benchmarks.routing_decisions
	@$(PY) -m tests.benchmarks.router_throughput --routers 1
	@$(PY) -m tests.benchmarks.router_throughput --routers 2
	@$(PY) -m tests.benchmarks.sla_timer
	@$(PY) -m tests.benchmarks.sla_timer --instances 2
	@$(PY) -m tests.benchmarks.vendor_gateway --rate 200 --instances 1
	@$(PY) -m tests.benchmarks.vendor_gateway --rate 200 --instances 2
	@$(PY) -m tests.benchmarks.vendor_gateway --rate 300 --instances 2 --seconds 20
	@$(PY) -m tests.benchmarks.notifier --rate 200 --seconds 20
	@$(PY) -m tests.benchmarks.notifier --rate 200 --seconds 20 --instances 2 --connections 4
	@$(PY) -m tests.benchmarks.notifier --rate 1200 --seconds 10 --instances 2 --connections 8
