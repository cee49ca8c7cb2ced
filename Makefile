# The two commands of the README.
.PHONY: demo test setup

demo:   ## set everything up, then route the bundled samples (data/samples) into var/triage.sqlite
	bash scripts/setup.sh
	.venv/bin/triage demo

test:   ## set everything up (with the test programs: Dovecot, Chromium), then run the whole test suite
	bash scripts/setup.sh --tests
	.venv/bin/python -m pytest -q

setup:
	bash scripts/setup.sh
