"""Every action_id, callback_id and agreed block_id, defined once.

Builders put these on buttons, modals and inputs; listeners register for them and
read the submitted values back by them. tests/test_ids.py checks that no other module
spells an id as a string literal.
"""

from __future__ import annotations

# --- buttons (action_id) -----------------------------------------------------------------
SWAP_ACCEPT = "swap_accept"
SWAP_DECLINE = "swap_decline"
SWAP_CANCEL = "swap_cancel"
SWAP_OPEN = "swap_open"  # value: the week index
SWAP_CANDIDATE = "swap_candidate"  # value: JSON {"week", "to", "back"}
TIMEOFF_OPEN = "timeoff_open"
RUNBOOKS_LIST = "runbooks_list"  # value: the week index
HANDOVER_NOTE_OPEN = "handover_note_open"  # value: the week index

# --- modals (callback_id) ----------------------------------------------------------------
SWAP_MODAL = "swap_modal"
TIMEOFF_MODAL = "timeoff_modal"
HANDOVER_NOTE_MODAL = "handover_note_modal"

# --- modal inputs: each block_id equals its element's action_id, and names the field a
# Refusal points at, so inline errors land on the right input ----------------------------
MY_WEEK = "my_week"
COUNTERPART = "counterpart"
THEIR_WEEK = "their_week"
THEIR_DATE = "their_date"
REASON = "reason"
MEMBER = "member"
START = "start"
END = "end"
NOTE = "note"
HANDOVER_NOTE_BLOCK = "note"
HANDOVER_NOTE_INPUT = "note_text"

# --- option values of the "their week" choice --------------------------------------------
THEIR_NEXT = "next"
COVER_ONLY = "cover"

# --- block_ids of message blocks (prefixes take the request's id) ------------------------
HANDOVER_ACTIONS = "handover_actions"
SWAP_REQUEST_PREFIX = "swap_request_"
SWAP_REQUESTED_PREFIX = "swap_requested_"
CANDIDATE_PREFIX = "candidate_"

# --- week changes (issue 16.1) ------------------------------------------------------------

# --- swap lifecycle: undo, admins (issue 16.2) --------------------------------------------

# --- take-overs (issue 16.2) --------------------------------------------------------------

# --- calendar feeds (issue 16.3) ----------------------------------------------------------

# --- incidents (issue 17.1) ---------------------------------------------------------------

# --- the on-call report (issue 17.2) ------------------------------------------------------
