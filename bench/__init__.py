"""Benchmarks for Flipside: ``./flip bench`` runs ``bench/run.py`` (see bench/README.md)."""
