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
