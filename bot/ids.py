"""Identifiers shared by every message that carries buttons, and the handlers that answer them.

A button's `value` is the action's reference (`A-12`); a modal's `private_metadata` is JSON with
at least `ref` and the `version` the modal showed (so a stale form is refused, not applied).
"""

BUTTON_UPDATE = "lscb_update"
BUTTON_NOTE = "lscb_note"
BUTTON_DONE = "lscb_done"
BUTTON_DUE = "lscb_due"
BUTTON_SIGNOFF = "lscb_signoff"
BUTTON_SHOW = "lscb_show"
BUTTON_NEXT_PAGE = "lscb_next_page"
BUTTON_THEMES = "lscb_themes"  # the card's Themes form (admins and the committee's chairs)
BUTTON_IMPACT = "lscb_impact"  # Record impact (a signed-off action)
BUTTON_IMPACT_REVIEW = "lscb_impact_review"  # Set a new review date

MODAL_UPDATE = "lscb_update_modal"
MODAL_NOTE = "lscb_note_modal"
MODAL_DONE = "lscb_done_modal"
MODAL_DUE = "lscb_due_modal"
MODAL_SIGNOFF = "lscb_signoff_modal"
MODAL_ADD = "lscb_add_modal"
MODAL_THEMES = "lscb_themes_modal"
MODAL_IMPACT = "lscb_impact_modal"
MODAL_IMPACT_REVIEW = "lscb_impact_review_modal"

ACTION_BUTTONS = (BUTTON_UPDATE, BUTTON_NOTE, BUTTON_DONE, BUTTON_DUE, BUTTON_SIGNOFF)

MODAL_IMPORT = "lscb_import_modal"
BUTTON_IMPORT = "lscb_import"
BUTTON_IMPORT_CANCEL = "lscb_import_cancel"

# The card's overflow menu: each option's value is "<what>:<ref>" (cancel:A-12, edit:A-12).
OVERFLOW_CARD = "lscb_card_more"
MODAL_CANCEL = "lscb_cancel_modal"
MODAL_EDIT = "lscb_edit_modal"

# Message shortcuts (callback ids, as in slack-manifest.json).
SHORTCUT_MAKE_ACTION = "lscb_make_action"
SHORTCUT_ADD_EVIDENCE = "lscb_add_evidence"
MODAL_EVIDENCE = "lscb_evidence_modal"

# Chairs' buttons on event notices, and the App Home choice of how event notices arrive.
BUTTON_REOPEN = "lscb_reopen"
BUTTON_APPROVE_DUE = "lscb_approve_due"
BUTTON_DECLINE_DUE = "lscb_decline_due"
MODAL_REOPEN = "lscb_reopen_modal"
MODAL_DECLINE_DUE = "lscb_decline_due_modal"
SELECT_NOTICE_MODE = "lscb_notice_mode"
