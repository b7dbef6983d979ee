"""Imports every module that defines tables, so the metadata is complete (migrations, tests)."""

from models import (
    deliveries,  # noqa: F401
    outbox,  # noqa: F401
    schema,  # noqa: F401
)
