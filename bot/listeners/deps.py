"""What every listener needs: storage, the Slack client, the clock and the BRAG rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from models import uow
from models.brag import BragRules
from models.clock import Clock

T = TypeVar("T")


@dataclass
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient
    clock: Clock

    @property
    def rules(self) -> BragRules:
        return self.settings.brag_rules

    def now(self) -> datetime:
        return self.clock.now()

    def run(self, fn: uow.Callable[[Session], T]) -> T:
        """One unit of work (one transaction; a lost race names who won)."""
        return uow.run(self.session_factory, fn)
