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
SWAP_BACK = "swap_back"  # value: the accepted request's id, to swap back
SWAP_OUTCOME_PREFIX = "swap_outcome_"  # the accept notice's actions, + the request's id
REQUESTS_LIST_PREFIX = "requests_list_"  # a request's buttons in /oncall requests, + its id

# --- take-overs (issue 16.2) --------------------------------------------------------------
TAKEOVER_ACCEPT = "takeover_accept"  # value: the request id
TAKEOVER_DECLINE = "takeover_decline"  # value: the request id
TAKEOVER_CANCEL = "takeover_cancel"  # value: the request id
TAKEOVER_MODAL = "takeover_modal"
# Modal inputs (block_id = action_id; the first two name the field a Refusal points at).
TAKEOVER_COLLEAGUE = "colleague"
TAKEOVER_UNTIL = "until"
TAKEOVER_MODE = "takeover_mode"  # an admin: ask the colleague, or record at once
TAKEOVER_ASK = "ask"
TAKEOVER_RECORD = "record"
TAKEOVER_REQUEST_PREFIX = "takeover_request_"
TAKEOVER_REQUESTED_PREFIX = "takeover_requested_"

# --- calendar feeds (issue 16.3) ----------------------------------------------------------
CALENDAR_RESET = "calendar_reset"  # revoke my feed links, show new ones

# --- incidents (issue 17.1) ---------------------------------------------------------------
# Buttons on an incident's post and on every runbook post; value: JSON {"i": incident id or
# 0 for a runbook post outside an incident, "p": pipeline id}.
INCIDENT_CALL_BACKUP = "incident_call_backup"
INCIDENT_CALL_OWNER = "incident_call_owner"
INCIDENT_RESOLVE = "incident_resolve"
INCIDENT_RESOLVE_MODAL = "incident_resolve_modal"  # private_metadata: JSON {"i": id}
INCIDENT_RESOLUTION = "resolution"  # the modal's one-line note (block_id = action_id)
INCIDENT_ACTIONS_PREFIX = "incident_actions_"  # block_id of the buttons, with the id

# --- the on-call report (issue 17.2) ------------------------------------------------------
