"""Run a coordinator's test through a real bot and explain, in French, what went wrong."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.messages import Button, Inbound, InboundKind, Outbound
from bot.domain.text import fold
from bot.flowtools.scenarios import Expect, LoadedScenario, LocatedTurn, Turn

CHANNEL = "test"
_ids = itertools.count(1)


class Probe(Protocol):
    """A running bot, seen from a test: send a message, look at what it kept."""

    async def handle(self, inbound: Inbound) -> Sequence[Outbound]:
        """One turn."""
        ...

    async def conversation(self, channel: str, user_ref: str) -> Mapping[str, Any] | None:
        """The stored conversation state (``flow``, ``step``, ``slots``...), if any."""
        ...

    async def leads(self, channel: str, user_ref: str) -> list[dict[str, Any]]:
        """This person's leads, in the export's shape."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one test went: ``failure`` is ``None`` when it passed."""

    scenario: LoadedScenario
    failure: str | None
    transcript: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every expectation held."""
        return self.failure is None

    def report(self) -> str:
        """The failure and the end of the conversation, for the coordinator."""
        if self.failure is None:
            return f"✅ {self.scenario.name}"
        tail = "\n".join(f"      {line}" for line in self.transcript[-8:])
        return f"❌ {self.scenario.name}\n   {self.failure}\n   Fin de la conversation :\n{tail}"


class _MismatchError(Exception):
    pass


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def _quote(value: object) -> str:
    if value is None:
        return "vide"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return f"« {value} »"


def _find(buttons: Sequence[Button], label: str) -> Button | None:
    plain = [(b, b.title.removeprefix("✔ ")) for b in buttons]
    for matches in (
        lambda t: t == label,
        lambda t: fold(t) == fold(label),
        lambda t: fold(t).startswith(fold(label)),
    ):
        found = [b for b, title in plain if matches(title)]
        if found:
            return found[0]
    return None


class _Player:
    def __init__(self, probe: Probe, scenario: LoadedScenario, user_ref: str) -> None:
        self.probe = probe
        self.scenario = scenario
        self.user = user_ref
        self.replies: list[Outbound] = []
        self.buttons: tuple[Button, ...] = ()
        self.transcript: list[str] = []

    def fail(self, line: int | None, message: str) -> _MismatchError:
        where = f"{self.scenario.file}, ligne {line}" if line else self.scenario.file
        return _MismatchError(f"{where} : {message}")

    async def play(self) -> Outcome:
        try:
            for located in self.scenario.turns:
                await self.act(located)
                if located.turn.expect is not None:
                    await self.verify(located.turn.expect, located.line)
        except _MismatchError as exc:
            return Outcome(self.scenario, str(exc), tuple(self.transcript))
        return Outcome(self.scenario, None, tuple(self.transcript))

    async def act(self, located: LocatedTurn) -> None:
        turn: Turn = located.turn
        message_id = f"{self.user}-{next(_ids)}"
        if turn.press is not None:
            button = _find(self.buttons, turn.press)
            if button is None:
                offered = ", ".join(f"« {b.title} »" for b in self.buttons) or "aucun"
                raise self.fail(
                    located.line,
                    f"pas de bouton « {turn.press} » à cet endroit. Boutons proposés : {offered}.",
                )
            self.transcript.append(f"toi : [{button.title}]")
            inbound = Inbound(
                CHANNEL,
                self.user,
                button.payload,
                message_id=message_id,
                kind=InboundKind.BUTTON,
                payload=button.payload,
            )
        elif turn.say is not None:
            self.transcript.append(f"toi : {turn.say}")
            inbound = Inbound(CHANNEL, self.user, turn.say, message_id=message_id)
        else:
            source = turn.start if isinstance(turn.start, str) else None
            self.transcript.append("toi : (ouvre la conversation)")
            inbound = Inbound(
                CHANNEL, self.user, "", message_id=message_id, kind=InboundKind.START, source=source
            )
        self.replies = list(await self.probe.handle(inbound))
        self.buttons = ()
        for reply in self.replies:
            self.transcript.append("bot : " + reply.text.replace("\n", "\n      "))
            if reply.buttons:
                self.transcript.append("      " + " ".join(f"[{b.title}]" for b in reply.buttons))
                self.buttons = reply.buttons

    async def verify(self, expect: Expect, line: int | None) -> None:
        said = "\n".join(r.text for r in self.replies)
        shown = (
            f"« {' / '.join(' '.join(r.text.split()) for r in self.replies)} »" if said else "rien"
        )
        for text in _as_list(expect.says):
            if " ".join(text.split()) not in " ".join(said.split()):
                raise self.fail(line, f"le bot devait dire « {text} ». Il a dit : {shown}.")
        for text in _as_list(expect.not_says):
            if " ".join(text.split()) in " ".join(said.split()):
                raise self.fail(line, f"le bot ne devait pas dire « {text} ». Il a dit : {shown}.")
        for label in expect.buttons or []:
            if _find(self.buttons, label) is None:
                offered = ", ".join(f"« {b.title} »" for b in self.buttons) or "aucun"
                raise self.fail(
                    line, f"le bot devait proposer « {label} ». Boutons proposés : {offered}."
                )
        state = await self.probe.conversation(CHANNEL, self.user)
        await self._verify_state(expect, line, state)
        if expect.lead is not None or expect.forgotten:
            await self._verify_lead(expect, line)

    async def _verify_state(
        self, expect: Expect, line: int | None, state: Mapping[str, Any] | None
    ) -> None:
        status = state.get("status") if state else None
        active = state is not None and status == "active"
        if expect.asks is not None:
            step = state.get("step") if active and state else None
            flow = state.get("flow") if active and state else None
            wanted = expect.asks
            here = f"{flow}.{step}" if "." in wanted else step
            if here != wanted:
                now = f"elle en est à « {here} »" if step else "la conversation est finie"
                raise self.fail(line, f"le bot devait poser la question « {wanted} », mais {now}.")
        if expect.ends is not None and expect.ends == active:
            raise self.fail(
                line,
                "la conversation devait être finie, elle continue."
                if expect.ends
                else "la conversation devait continuer, elle est finie.",
            )
        if expect.forgotten and state is not None:
            raise self.fail(line, "le bot devait tout oublier, mais il garde la conversation.")
        slots: Mapping[str, Any] = (state or {}).get("slots") or {}
        for name, wanted_value in (expect.slots or {}).items():
            value = slots.get(name)
            if value != wanted_value and not (
                isinstance(wanted_value, (int, float)) and str(value) == str(wanted_value)
            ):
                raise self.fail(
                    line,
                    f"la réponse « {name} » devait valoir {_quote(wanted_value)}, "
                    f"elle vaut {_quote(value)}.",
                )

    async def _verify_lead(self, expect: Expect, line: int | None) -> None:
        leads = await self.probe.leads(CHANNEL, self.user)
        if expect.forgotten and leads:
            raise self.fail(line, "le bot devait tout oublier, mais une demande est enregistrée.")
        if expect.lead is False and leads:
            raise self.fail(line, "aucune demande ne devait être enregistrée, il y en a une.")
        if expect.lead is True or isinstance(expect.lead, dict):
            if not leads:
                raise self.fail(line, "une demande devait être enregistrée, il n'y en a pas.")
            fields = expect.lead if isinstance(expect.lead, dict) else {}
            lead = leads[-1]
            for name, wanted in fields.items():
                if name not in lead:
                    raise self.fail(line, f"une demande n'a pas de champ « {name} ».")
                if lead[name] != wanted:
                    raise self.fail(
                        line,
                        f"le champ « {name} » de la demande devait valoir {_quote(wanted)}, "
                        f"il vaut {_quote(lead[name])}.",
                    )


async def play(probe: Probe, scenario: LoadedScenario, user_ref: str) -> Outcome:
    """Run ``scenario`` as the person ``user_ref`` (use a new one per test)."""
    return await _Player(probe, scenario, user_ref).play()
