"""Retrieval and language-identification benchmarks (not tests: they print figures).

Run them as modules from the repository root, e.g. ``python -m benchmarks.run_retrieval``;
see ``benchmarks/README.md``.
"""
