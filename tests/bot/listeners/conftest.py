"""Fixtures for driving the real app: the Slack stand-in, a fixed clock and the driver."""

from tests.bot.slackapp import clock, driver, slack

__all__ = ["clock", "driver", "slack"]
