"""Slack's OpenAPI description of the Web API (2020, MIT licence: see LICENSE here)."""
