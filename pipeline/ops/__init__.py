"""Operating triage: run lock, logs, doctor, status, purge, export."""
