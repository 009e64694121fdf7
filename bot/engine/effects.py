"""Carry out a turn's effects inside its transaction: consents, contact, lead, rights."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.domain.messages import Inbound, Outbound
from bot.engine.state import (
    CreateLead,
    EraseAll,
    Forget,
    ForwardToRelay,
    LeaveBridge,
    Purpose,
    RecordConsent,
    ShowData,
    SlotValue,
    StopContact,
)
from bot.engine.turn import TurnResult
from bot.privacy.access import render_access
from bot.store.personal import ErasedCase, erase_all, personal_data, stop_contact
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


def lead_fields(slots: Mapping[str, SlotValue], source: str | None) -> dict[str, Any]:
    """Columns of a lead from a conversation's slots."""
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
        "details": {k: slots[k] for k in DETAIL_SLOTS if slots.get(k) is not None},
    }


@dataclass(frozen=True, slots=True)
class Applied:
    """What the effects left for after the transaction."""

    replies: tuple[Outbound, ...]
    forgotten: bool = False
    erased: ErasedCase | None = None
    shared_lead: str | None = None
    forwards: tuple[str, ...] = ()
    left_bridge: bool = False


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
    shared: str | None = None
    forwards: list[str] = []
    left = False
    for effect in result.effects:
        if isinstance(effect, RecordConsent):
            tx.record_consent(
                purpose=effect.purpose.value,
                granted=effect.granted,
                notice_version=effect.notice_version,
                notice_hash=effect.notice_hash,
                relay_id=effect.relay_id,
            )
            if effect.purpose is Purpose.CONTACT and effect.granted:
                tx.save_contact(inbound.user_ref, _str(slots, "first_name"), _str(slots, "phone"))
        elif isinstance(effect, CreateLead):
            phone = _str(effect.slots, "phone")
            tx.save_contact(inbound.user_ref, _str(effect.slots, "first_name"), phone)
            fields = lead_fields(effect.slots, result.state.source)
            lead_id = tx.upsert_lead(inbound.user_ref, fields)
            if fields["relay_id"] is not None:
                shared = lead_id
        elif isinstance(effect, ForwardToRelay):
            forwards.append(effect.text)
        elif isinstance(effect, LeaveBridge):
            left = True
        elif isinstance(effect, StopContact):
            stop_contact(tx)
        elif isinstance(effect, ShowData):
            # The summary goes right after the command's own reply, before any question.
            at = len(waiting) + 1
            texts = access_texts.model_dump() if access_texts is not None else {}
            replies[at:at] = render_access(personal_data(tx), label, texts)
        elif isinstance(effect, Forget):
            tx.forget()
            return Applied(tuple(replies), forgotten=True, left_bridge=left)
        elif isinstance(effect, EraseAll):
            return Applied(tuple(replies), forgotten=True, erased=erase_all(tx))
    return Applied(tuple(replies), shared_lead=shared, forwards=tuple(forwards), left_bridge=left)
