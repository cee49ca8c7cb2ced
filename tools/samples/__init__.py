"""The pieces of tools/make_samples.py, one noun per module."""
