"""The test suite's SQLite backend (see base.py)."""
