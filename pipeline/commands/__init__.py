"""The `triage` sub-commands, grouped by what they are about; cli.py assembles them."""
