"""Conversation state and the effects a turn asks the dispatcher to carry out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

SlotValue = str | int | float | bool | list[str] | None


class Status(StrEnum):
    """Where a conversation stands."""

    NEW = "new"
    ACTIVE = "active"
    DONE = "done"
    STOPPED = "stopped"


class Mode(StrEnum):
    """What the bot is waiting for besides the current step's answer."""

    ANSWER = "answer"
    OFFER_HUMAN = "offer_human"  # kept for conversations saved before 2026-12: read as ANSWER
    PICK = "pick"
    CONFIRM_ERASE = "confirm_erase"
    CONFIRM_STOP = "confirm_stop"  # "stop" understood by the NLU only: asked before acting
    CONFIRM_ANSWER = "confirm_answer"  # a typed answer that ends the chat, said back first
    # A question the bot asked first (a follow-up) that its channel could not show yet:
    # the person's next message is not its answer (unless they press one of its buttons).
    UNSEEN = "unseen"


@dataclass(frozen=True, slots=True)
class Frame:
    """Where to come back to after a called flow ends."""

    flow: str
    step: str


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Everything the runner needs to continue a conversation (JSON-serialisable)."""

    flow: str | None = None
    step: str | None = None
    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    stack: tuple[Frame, ...] = ()
    status: Status = Status.NEW
    mode: Mode = Mode.ANSWER
    retries: int = 0
    picks: tuple[tuple[str, str], ...] = ()
    flow_version: str | None = None
    source: str | None = None
    bridge: str | None = None  # name of the relay the person is talking with, if any
    numbered: bool = False  # the current question's choices were shown with numbers
    pending: tuple[str, ...] = ()  # CONFIRM_ANSWER: the option id, then the words typed
    asked: tuple[str, ...] = ()  # questions of the current flow answered (« Question N sur M »)
    lang: str = ""  # the person's language (fr, en, ar); empty until known: French is used

    def with_slots(self, **changes: SlotValue) -> ConversationState:
        """A copy with ``changes`` applied (``None`` clears a slot)."""
        slots = dict(self.slots)
        for key, value in changes.items():
            if value is None:
                slots.pop(key, None)
            else:
                slots[key] = value
        return replace(self, slots=slots)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for storage."""
        return {
            "flow": self.flow,
            "step": self.step,
            "slots": dict(self.slots),
            "stack": [[f.flow, f.step] for f in self.stack],
            "status": self.status.value,
            "mode": self.mode.value,
            "retries": self.retries,
            "picks": [list(p) for p in self.picks],
            "flow_version": self.flow_version,
            "source": self.source,
            "bridge": self.bridge,
            "numbered": self.numbered,
            "pending": list(self.pending),
            "asked": list(self.asked),
            "lang": self.lang,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConversationState:
        """Inverse of :meth:`to_json`."""
        return cls(
            flow=data.get("flow"),
            step=data.get("step"),
            slots=dict(data.get("slots") or {}),
            stack=tuple(Frame(f, s) for f, s in data.get("stack") or ()),
            status=Status(data.get("status", Status.NEW)),
            mode=Mode(data.get("mode", Mode.ANSWER)),
            retries=int(data.get("retries", 0)),
            picks=tuple((a, b) for a, b in data.get("picks") or ()),
            flow_version=data.get("flow_version"),
            source=data.get("source"),
            bridge=data.get("bridge"),
            numbered=bool(data.get("numbered", False)),
            pending=tuple(data.get("pending") or ()),
            asked=tuple(data.get("asked") or ()),
            lang=str(data.get("lang") or ""),
        )


class Purpose(StrEnum):
    """What a consent is for."""

    CONTACT = "contact"
    RELAY = "relay"
    FOLLOWUP = "followup"


@dataclass(frozen=True, slots=True)
class RecordConsent:
    """Keep proof of a consent answer (given or refused)."""

    purpose: Purpose
    granted: bool
    notice_version: str
    notice_hash: str
    relay_id: str | None = None
    lang: str = "fr"  # the language of the text shown


@dataclass(frozen=True, slots=True)
class CreateLead:
    """Write a lead from the collected slots (refused without contact consent)."""

    slots: Mapping[str, SlotValue]


@dataclass(frozen=True, slots=True)
class Forget:
    """Erase the conversation: nothing about this person is kept."""


@dataclass(frozen=True, slots=True)
class EraseAll:
    """The person asked to erase everything kept about them."""


@dataclass(frozen=True, slots=True)
class StopContact:
    """STOP from someone whose contact we keep: no proactive message any more."""


@dataclass(frozen=True, slots=True)
class ShowData:
    """The person asked to see everything kept about them."""


@dataclass(frozen=True, slots=True)
class ForwardToRelay:
    """In a conversation with a relay: pass the person's message on, the bot stays silent."""

    text: str


@dataclass(frozen=True, slots=True)
class LeaveBridge:
    """The person ended the conversation with the relay (FIN, STOP)."""


@dataclass(frozen=True, slots=True)
class RecordCheckin:
    """The answer to the question a follow-up starts at (kept on the person's lead)."""

    kind: str  # contacted, progress, outcome, nudge
    answer: str


@dataclass(frozen=True, slots=True)
class PlanNudge:
    """The contact consent was given during an intake: one kind nudge at ``at`` if the
    person leaves it unfinished (never more)."""

    at: datetime


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """What a follow-up answer sets going for the person's case: ``pass_on`` (nobody
    got in touch: the next relay) or ``help`` (the coordinator is asked to step in)."""

    what: str


Effect = (
    RecordConsent
    | CreateLead
    | Forget
    | EraseAll
    | StopContact
    | ShowData
    | ForwardToRelay
    | LeaveBridge
    | RecordCheckin
    | PlanNudge
    | CaseRequest
)
