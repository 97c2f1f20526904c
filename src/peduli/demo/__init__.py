"""Synthetic demo data: a realistic population of citizens abroad and its bulk loader.

Nothing here is used by the platform itself; ``peduli demo`` and ``peduli seed`` and the
benchmarks build on it.
"""
