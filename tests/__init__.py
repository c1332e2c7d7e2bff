"""Tests; a package so that ``tests.servers`` can be imported under ``--import-mode=importlib``."""
