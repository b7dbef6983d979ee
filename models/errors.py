"""Errors the domain raises. Each message is fit to show the person who asked."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Typed text without control characters (NUL and the like; tabs and line breaks kept):
    PostgreSQL refuses a NUL that SQLite would store, so both see the same text."""
    return _CONTROL.sub("", text)


def typed(text: str | None, limit: int = 40) -> str:
    """What a person typed, quoted back in a message: clipped, on one line, and inert. Angle
    brackets and ampersands are escaped, so `<!here>` or `<https://…|click>` cannot become a
    mention or a link in the app's voice."""
    one = " ".join(clean_text(text or "").split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    return one.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DomainError(Exception):
    """Base: something the user asked for could not be done; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class Refused(DomainError):
    """Not allowed for this person; the message says why."""


class InvalidInput(DomainError):
    """Missing reason, unreadable date, wrong state for the request, ...

    `field` names the input at fault when there is one (`text`, `due_date`, `when`, `reason`,
    `note`, `evidence`, `impact`, `word`), so a form can show the message beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConcurrentChange(DomainError):
    """Someone else changed the action between reading and saving it."""

    def __init__(
        self,
        ref: str,
        by: str | None = None,
        *,
        by_person_id: int | None = None,
        what: str | None = None,
        yours: bool = False,
    ) -> None:
        self.ref = ref
        self.by = by
        self.by_person_id = by_person_id
        self.what = what
        self.yours = yours
        if yours:
            # Never blame someone for their own change: say what happened instead.
            done = f" ({what})" if what else ""
            message = (
                f"You changed {ref}{done} after opening this form, so the form was not saved. "
                "Look at it again and try again."
            )
        else:
            who = by or "someone else"
            done = f" ({what})" if what else ""
            message = (
                f"{ref} was changed by {who} just now{done}, so your change was not saved. "
                "Look at it again and try again."
            )
        super().__init__(message)

    def for_actor(self, person_id: int | None) -> ConcurrentChange:
        """The same clash, told to the person whose change lost: `yours` when they made both."""
        yours = person_id is not None and person_id == self.by_person_id
        return ConcurrentChange(
            self.ref, self.by, by_person_id=self.by_person_id, what=self.what, yours=yours
        )
