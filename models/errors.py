"""Errors the domain raises. Each message is fit to show the person who asked."""

from __future__ import annotations


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

    def __init__(self, ref: str, by: str | None = None) -> None:
        self.ref = ref
        self.by = by
        who = by or "someone else"
        super().__init__(
            f"{ref} was changed by {who} just now, so your change was not saved. "
            "Look at it again and try again."
        )
