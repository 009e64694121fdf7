"""Names of the jobs a turn or a case change queues for after its commit (the outbox)."""

from __future__ import annotations

CASE_SHARED = "case.shared"  # {lead_id}: offer the case to the relay the person agreed to
CASE_NOTIFY = "case.notify"  # {handoff_id}: tell the relay, on every way we have
CASE_WITHDRAWN = "case.withdrawn"  # {lead_id, relay_id}: the person erased their data
RELAY_MESSAGE = "relay.message"  # {text}: a resident's message for the relay talking with them
RESIDENT_LEFT = "relay.resident_left"  # {}: the resident left the conversation with the relay
RESIDENT_TELL = "resident.tell"  # {channel, text}: news of their case for a resident
COORDINATOR_ALERT = "coordinator.alert"  # {text}: something a person must look at

# Follow-ups (flows/relance.yml): questions the bot asks a resident first, at set delays.
CHECKIN_CONTACTED = "checkin.contacted"  # {handoff_id}: J+3 working days: were they contacted?
CHECKIN_PROGRESS = "checkin.progress"  # {lead_id}: J+30: where does the project stand?
CHECKIN_OUTCOME = "checkin.outcome"  # {lead_id}: J+90: what became of it?
CHECKIN_NUDGE = "checkin.nudge"  # {}: an intake left after the contact consent, once
CHECKINS = (CHECKIN_CONTACTED, CHECKIN_PROGRESS, CHECKIN_OUTCOME, CHECKIN_NUDGE)
CHECKIN_ACT = "checkin.act"  # {what, lead_id}: what an answer sets going (pass on, get help)
# Everything that would write to a resident: STOP cancels them all.
TO_RESIDENT = (RESIDENT_TELL, *CHECKINS)

RELAY_REMINDER = "relay.reminder"  # {handoff_id, when}: halfway to the deadline, its last hour
RELAY_DIGEST = "relay.digest"  # {week}: queue this week's digests, then next week's round
RELAY_DIGEST_ONE = "relay.digest.one"  # {relay_id, week}: one relay's open cases
