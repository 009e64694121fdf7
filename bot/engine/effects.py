"""Carry out a turn's effects inside its transaction: consents, contact, lead, rights."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.domain import jobs as kinds
from bot.domain.messages import TRIAL_SOURCE, Inbound, Outbound
from bot.engine.state import (
    CaseRequest,
    CreateLead,
    EraseAll,
    Forget,
    ForwardToRelay,
    LeaveBridge,
    PlanNudge,
    Purpose,
    RecordCheckin,
    RecordConsent,
    ShowData,
    SlotValue,
    StopContact,
)
from bot.engine.turn import TurnResult
from bot.privacy.access import render_access
from bot.store import followups
from bot.store.jobs import cancel, enqueue
from bot.store.jobs import forget as forget_jobs
from bot.store.personal import erase_all, personal_data, stop_contact
from bot.store.turns import TurnTx

SKIPPED = "skip"  # option id of "je préfère ne pas dire" on free-text questions
DETAIL_SLOTS = (
    "age_band",
    "company_age",
    "headcount",
    "turnover",
    "growth_needs",
    "situation",  # optional, "je préfère ne pas dire" kept as said (docs/privacy.md)
    "maturity",
    "maturity_reasons",
    "insee",
    "department",
    "relay_town",
)


def _str(slots: Mapping[str, SlotValue], name: str) -> str | None:
    value = slots.get(name)
    if value is None or value == SKIPPED:
        return None
    return str(value)


def _list(slots: Mapping[str, SlotValue], name: str) -> list[str]:
    value = slots.get(name)
    return [str(v) for v in value] if isinstance(value, list) else []


def lead_fields(
    slots: Mapping[str, SlotValue], source: str | None, lang: str = ""
) -> dict[str, Any]:
    """Columns of a lead from a conversation's slots (its language kept in the details)."""
    relay_name = _str(slots, "relay_name")
    structure = _str(slots, "relay_structure")
    return {
        "stage": _str(slots, "stage"),
        "sector": _str(slots, "sector"),
        "postal_code": _str(slots, "postal_code"),
        "commune": _str(slots, "commune"),
        "needs": _list(slots, "needs"),
        "pitch": _str(slots, "pitch"),
        "first_name": _str(slots, "first_name"),
        "contact_pref": _str(slots, "contact_pref"),
        "relay_id": _str(slots, "relay_id") if slots.get("consent_relay") == "yes" else None,
        "relay_name": (
            f"{relay_name}, {structure}"
            if relay_name and structure and slots.get("consent_relay") == "yes"
            else None
        ),
        "status": _str(slots, "lead_status") or "new",
        "schemes": _list(slots, "schemes"),
        "source": source,
        "details": {
            **{k: slots[k] for k in DETAIL_SLOTS if slots.get(k) is not None},
            "lang": lang or "fr",
        },
    }


@dataclass(frozen=True, slots=True)
class Applied:
    """What the effects left for after the transaction: the replies, whether the
    conversation was forgotten, and whether jobs were queued (to wake the drainer)."""

    replies: tuple[Outbound, ...]
    forgotten: bool = False
    queued: bool = False


def _queue(tx: TurnTx, kind: str, key: str, payload: Mapping[str, Any]) -> None:
    """A job for after the commit, about the person of ``tx`` (texts encrypted)."""
    enqueue(tx.connection, kind, key, payload, subject=tx.conversation_id)


def apply_effects(
    tx: TurnTx,
    inbound: Inbound,
    result: TurnResult,
    label: Callable[[str, Any], str],
    waiting: Sequence[str] = (),
    access_texts: BaseModel | None = None,
) -> Applied:
    """Carry out ``result``'s effects in order; the store refuses data without consent.

    ``waiting`` are messages kept for the person (a relay's answers on a channel that
    cannot write first): they come before the turn's own replies.
    """
    slots = result.state.slots
    replies = [Outbound(text) for text in waiting] + list(result.replies)
    queued = False
    turn = inbound.message_id or f"{inbound.received_at.timestamp()}"
    for index, effect in enumerate(result.effects):
        if isinstance(effect, RecordConsent):
            tx.record_consent(
                purpose=effect.purpose.value,
                granted=effect.granted,
                notice_version=effect.notice_version,
                notice_hash=effect.notice_hash,
                relay_id=effect.relay_id,
                lang=effect.lang,
            )
            if effect.purpose is Purpose.CONTACT and effect.granted:
                tx.save_contact(inbound.user_ref, _str(slots, "first_name"), _str(slots, "phone"))
            withdrawn = effect.purpose in (Purpose.CONTACT, Purpose.FOLLOWUP)
            if withdrawn and not effect.granted:  # no follow-up may come any more
                cancel(tx.connection, tx.conversation_id, kinds.CHECKINS)
        elif isinstance(effect, CreateLead):
            phone = _str(effect.slots, "phone")
            tx.save_contact(inbound.user_ref, _str(effect.slots, "first_name"), phone)
            fields = lead_fields(effect.slots, result.state.source, result.state.lang)
            lead_id = tx.upsert_lead(inbound.user_ref, fields)
            cancel(tx.connection, tx.conversation_id, [kinds.CHECKIN_NUDGE])  # finished
            # Offered once, whatever is corrected later; a coordinator's trial never is.
            if fields["relay_id"] is not None and fields["source"] != TRIAL_SOURCE:
                _queue(tx, kinds.CASE_SHARED, f"shared:{lead_id}", {"lead_id": lead_id})
                queued = True
        elif isinstance(effect, ForwardToRelay):
            text = tx.cipher.encrypt(effect.text)
            key = f"forward:{tx.conversation_id}:{turn}:{index}"
            _queue(tx, kinds.RELAY_MESSAGE, key, {"text": text})
            queued = True
        elif isinstance(effect, LeaveBridge):
            _queue(tx, kinds.RESIDENT_LEFT, f"left:{tx.conversation_id}:{turn}", {})
            queued = True
        elif isinstance(effect, StopContact):
            stop_contact(tx)
            cancel(tx.connection, tx.conversation_id, kinds.TO_RESIDENT)  # nothing more
        elif isinstance(effect, RecordCheckin):
            followups.record_answer(tx.connection, tx.conversation_id, effect.kind, effect.answer)
        elif isinstance(effect, PlanNudge):
            if not followups.ever_asked(tx.connection, tx.conversation_id, "nudge"):
                key = f"nudge:{tx.conversation_id}"  # once
                payload = {"channel": tx.channel}
                enqueue(tx.connection, kinds.CHECKIN_NUDGE, key, payload,
                        subject=tx.conversation_id, run_at=effect.at)  # fmt: skip
        elif isinstance(effect, CaseRequest):
            key = f"act:{tx.conversation_id}:{turn}:{index}"
            _queue(tx, kinds.CHECKIN_ACT, key, {"what": effect.what, "channel": tx.channel})
            queued = True
        elif isinstance(effect, ShowData):
            # The summary goes right after the command's own reply, before any question.
            at = len(waiting) + 1
            texts = access_texts.model_dump() if access_texts is not None else {}
            replies[at:at] = render_access(personal_data(tx), label, texts)
        elif isinstance(effect, Forget):
            tx.forget()
            forget_jobs(tx.connection, tx.conversation_id)
            return Applied(tuple(replies), forgotten=True, queued=queued)
        elif isinstance(effect, EraseAll):
            erased = erase_all(tx)  # cancels every job about the person first
            if erased is not None and erased.relay_id is not None:
                payload = {"lead_id": erased.lead_id, "relay_id": erased.relay_id}
                key = f"withdrawn:{erased.lead_id}"
                enqueue(tx.connection, kinds.CASE_WITHDRAWN, key, payload)  # about no one
                queued = True
            return Applied(tuple(replies), forgotten=True, queued=queued)
    return Applied(tuple(replies), queued=queued)
