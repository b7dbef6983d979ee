"""Organisation-wide values the organisation file sets (kept in `org_setting`), read by rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.schema import OrgSetting

DATE_CHANGES = ("chair-approves", "owner-sets")  # the first is the default


def org_setting(s: Session, key: str, default: str) -> str:
    row = s.get(OrgSetting, key)
    return row.value if row else default


def owners_set_dates(s: Session) -> bool:
    """`date_changes = "owner-sets"`: an owner's new due date applies at once."""
    return org_setting(s, "date_changes", DATE_CHANGES[0]) == "owner-sets"
