"""Benchmarks: run by hand (`python -m bench.lunch_rush`, `python -m bench.reports`), never by the
test suite. See docs/benchmarks.md."""
