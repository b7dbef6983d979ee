"""Imports every module that defines tables, so the metadata is complete (migrations, tests)."""

from models import schema  # noqa: F401
