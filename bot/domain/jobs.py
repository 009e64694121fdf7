"""Names of the jobs a turn or a case change queues for after its commit (the outbox)."""

from __future__ import annotations

CASE_SHARED = "case.shared"  # {lead_id}: offer the case to the relay the person agreed to
CASE_NOTIFY = "case.notify"  # {handoff_id}: tell the relay, on every way we have
CASE_WITHDRAWN = "case.withdrawn"  # {lead_id, relay_id}: the person erased their data
RELAY_MESSAGE = "relay.message"  # {text}: a resident's message for the relay talking with them
RESIDENT_LEFT = "relay.resident_left"  # {}: the resident left the conversation with the relay
RESIDENT_TELL = "resident.tell"  # {channel, text}: news of their case for a resident
COORDINATOR_ALERT = "coordinator.alert"  # {text}: something a person must look at
