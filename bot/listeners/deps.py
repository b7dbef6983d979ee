"""What every listener needs: storage, the Slack client, the clock and the BRAG rules."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from models import uow
from models.brag import BragRules
from models.clock import Clock
from models.org import org_brag_rules

T = TypeVar("T")
ORG_RULES_TTL = 60.0  # seconds


@dataclass
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient
    clock: Clock

    _org_rules: BragRules | None = field(default=None, init=False, repr=False)
    _org_read_at: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._read_org_rules()  # at start, so no command pays for the first read

    def _read_org_rules(self) -> None:
        try:
            with self.session_factory() as s:
                self._org_rules = org_brag_rules(s, self.settings.brag_rules)
        except SQLAlchemyError:  # no tables yet (`lscb db upgrade` not run): the defaults
            self._org_rules = self.settings.brag_rules
        self._org_read_at = time.monotonic()

    @property
    def rules(self) -> BragRules:
        """The settings' windows with the organisation file's [brag] key, read again at most
        once a minute (`lscb org load` may change it while the app runs)."""
        if self._org_rules is None or time.monotonic() - self._org_read_at > ORG_RULES_TTL:
            self._read_org_rules()
        assert self._org_rules is not None
        return self._org_rules

    def now(self) -> datetime:
        return self.clock.now()

    def run(self, fn: uow.Callable[[Session], T]) -> T:
        """One unit of work (one transaction; a lost race names who won)."""
        return uow.run(self.session_factory, fn)
