"""Benchmarks run by hand (``python -m benchmarks.<name>``); not collected by the tests."""
