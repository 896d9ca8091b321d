"""Benchmarks of xlsales: a synthetic master generator (``generate``) and the suite (``run``).

Run ``python -m benchmarks.run --help``.
"""
