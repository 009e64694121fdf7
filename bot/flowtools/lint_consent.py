"""Rules on consent and hand-offs, followed along every path a conversation can take.

Each path carries what is known so far: the answers to the ``contact`` and ``relay``
consents (``?`` when unknown, e.g. on entering a flow), whether a relay was searched and
found (``relay_id``), and whether personal free text was collected. Branches narrow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.engine.loader import LoadedFlow
from bot.engine.schema import (
    ActionStep,
    CallStep,
    ChoiceStep,
    Condition,
    ConsentStep,
    EndStep,
    InputStep,
    SetStep,
)
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error
from bot.flowtools.graph import Edge, called, entries

# Slots that identify or reach the person: asked only once they agreed to be contacted.
CONTACT_SLOTS = frozenset(
    {"first_name", "last_name", "name", "full_name", "phone", "email", "address", "handle"}
)
UNKNOWN = "?"


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known on one path (slot values are ``?``, ``absent``, ``yes``, ``no``...)."""

    contact: str = UNKNOWN  # consent_contact
    relay_consent: str = UNKNOWN  # consent_relay
    relay: str = UNKNOWN  # relay_id: never searched, searched and nobody ("none"), "found"
    personal: bool = False  # personal free text collected


_TRACKED = {"consent_contact": "contact", "consent_relay": "relay_consent", "relay_id": "relay"}


def _set(facts: Facts, field: str, value: str) -> Facts:
    if field == "contact":
        return replace(facts, contact=value)
    if field == "relay_consent":
        return replace(facts, relay_consent=value)
    return replace(facts, relay=value)


def _matches(facts: Facts, slot: str, wanted: object) -> bool | None:
    """Whether ``slot`` has the ``wanted`` value on this path (None: cannot tell)."""
    if slot not in _TRACKED:
        return None
    value: str = getattr(facts, _TRACKED[slot])
    if value == UNKNOWN:
        return None
    if isinstance(wanted, list):
        results = [_matches(facts, slot, w) for w in wanted]
        return True if True in results else (None if None in results else False)
    empty = value in ("absent", "never", "none")
    if wanted is None:
        return empty
    if slot == "relay_id":
        return None if value == "found" else False
    return value == str(wanted)


def _all(facts: Facts, wanted: Mapping[str, object] | None) -> bool | None:
    if not wanted:
        return True
    results = [_matches(facts, slot, value) for slot, value in wanted.items()]
    return False if False in results else (None if None in results else True)


def _holds(facts: Facts, condition: Condition) -> bool | None:
    first = _all(facts, condition.if_)
    if first is False:
        return False
    excluded = _all(facts, condition.unless) if condition.unless else False
    if excluded is True:
        return False
    return True if first is True and excluded is False else None


def _passes(facts: Facts, edge: Edge) -> bool:
    """Whether a path with ``facts`` can take ``edge`` (a branch may rule it out)."""
    if any(_holds(facts, c) is True for c in edge.fails):
        return False
    return edge.holds is None or _holds(facts, edge.holds) is not False


def _narrowed(facts: Facts, edge: Edge) -> list[Facts]:
    """``facts`` split into the cases an edge allows (so a branch on ``?`` decides)."""
    cases = [facts]
    for slot, field in _TRACKED.items():
        if getattr(facts, field) != UNKNOWN:
            continue
        values = ("never", "none", "found") if slot == "relay_id" else ("absent", "yes", "no")
        tested = [c for c in (*edge.fails, *([edge.holds] if edge.holds else [])) if c]
        if any(slot in (c.if_ or {}) or slot in (c.unless or {}) for c in tested):
            cases = [_set(c, field, v) for c in cases for v in values]
    return [c for c in cases if _passes(c, edge)]


def _after(facts: Facts, step: object, personal_callees: bool) -> Facts:
    """The facts once ``step`` is done (before following one of its edges)."""
    if isinstance(step, ConsentStep) and step.consent in ("contact", "relay"):
        field = "contact" if step.consent == "contact" else "relay_consent"
        if getattr(facts, field) not in ("yes", "no"):
            return _set(facts, field, "answered")
    if isinstance(step, InputStep) and step.personal:
        return replace(facts, personal=True)
    if isinstance(step, ActionStep) and step.action == "match_relay":
        return replace(facts, relay="searched")
    if isinstance(step, SetStep):
        for slot, field in _TRACKED.items():
            if slot in step.set:
                value = step.set[slot]
                empty = "never" if slot == "relay_id" else "absent"
                known = "found" if slot == "relay_id" else str(value)
                facts = _set(facts, field, empty if value is None else known)
    if isinstance(step, CallStep):
        return Facts(personal=facts.personal or personal_callees)
    return facts


def _expand(facts: Facts) -> list[Facts]:
    """Split the two-way outcomes of a consent answer and of a relay search."""
    cases = [facts]
    if facts.contact == "answered":
        cases = [replace(c, contact=v) for c in cases for v in ("yes", "no")]
    if facts.relay_consent == "answered":
        cases = [replace(c, relay_consent=v) for c in cases for v in ("yes", "no")]
    if facts.relay == "searched":
        cases = [replace(c, relay=v) for c in cases for v in ("none", "found")]
    return cases


def check_consents(ctx: Context) -> list[Finding]:
    """Contact data after the contact consent; relays found before being named; no-paths."""
    found: list[Finding] = []
    starts = entries(ctx.flows)
    returning = called(ctx.flows)
    personal = {
        flow_id
        for flow_id, item in ctx.flows.flows.items()
        if any(isinstance(s, InputStep) and s.personal for s in item.flow.steps.values())
    }
    for flow_id, item in ctx.flows.flows.items():
        reached = _walk(item, ctx.graphs[flow_id], starts[flow_id], personal)
        found += _judge(ctx, item, reached, ending=flow_id not in returning)
    return found


def _walk(
    item: LoadedFlow, graph: Mapping[str, list[Edge]], starts: set[str], personal: set[str]
) -> dict[str, set[Facts]]:
    """Every set of facts each step can be reached with."""
    reached: dict[str, set[Facts]] = {}
    todo = [(s, Facts()) for s in starts]
    while todo:
        step_id, facts = todo.pop()
        if facts in reached.setdefault(step_id, set()):
            continue
        reached[step_id].add(facts)
        step = item.flow.steps[step_id]
        callee = isinstance(step, CallStep) and step.call in personal
        for done in _expand(_after(facts, step, callee)):
            for edge in graph[step_id]:
                for case in _narrowed(done, edge):
                    if edge.step is not None:
                        todo.append((edge.step, case))
                    elif edge.falls_off:  # the conversation ends after this step
                        reached.setdefault(f"^{step_id}", set()).add(case)
    return reached


@dataclass(frozen=True, slots=True)
class _Where:
    """A step's file and line, looked up only when a finding needs them."""

    ctx: Context
    item: LoadedFlow
    step_id: str

    def __call__(self) -> tuple[str, int | None]:
        return self.ctx.where(self.item, self.step_id)


def _judge(
    ctx: Context, item: LoadedFlow, reached: Mapping[str, set[Facts]], *, ending: bool
) -> list[Finding]:
    found: list[Finding] = []
    for step_id in item.order:
        step = item.flow.steps[step_id]
        cases = reached.get(step_id, set())
        where = _Where(ctx, item, step_id)
        asks_contact = isinstance(step, (ChoiceStep, InputStep)) and step.slot in CONTACT_SLOTS
        if asks_contact and any(c.contact != "yes" for c in cases):
            found.append(
                error(
                    *where(),
                    f"« {getattr(step, 'slot', '')} » sert à joindre la personne : ne le "
                    "demande qu'après son « oui » à l'accord « consent: contact » (sur le "
                    "chemin du oui, après un « branch » sur « consent_contact »).",
                )
            )
        if isinstance(step, ConsentStep) and step.consent == "relay":
            found += _relay_named(where, cases)
        ends_here = isinstance(step, EndStep) and not step.forget
        falls = ending and any(e.falls_off for e in ctx.graphs[item.flow.flow][step_id])
        if ends_here or falls:
            done = cases if ends_here else reached.get(f"^{step_id}", set())
            found += _ending(where, step_id, done)
    return found


def _relay_named(where: _Where, cases: set[Facts]) -> list[Finding]:
    relays = {c.relay for c in cases}
    if relays & {UNKNOWN, "never", "absent"}:
        return [
            error(
                *where(),
                "cet accord nomme une personne relais, mais aucune n'a été cherchée avant : "
                "mets une étape « action: match_relay » plus haut sur le chemin.",
            )
        ]
    if "none" in relays:
        return [
            error(
                *where(),
                "si personne n'est disponible près de chez la personne, cet accord nommerait "
                "une personne relais vide. Ajoute avant lui un « branch » avec "
                "« if: {relay_id: null} » qui mène à un autre chemin (par exemple garder "
                "le contact sans l'envoyer).",
            )
        ]
    return []


def _ending(where: _Where, step_id: str, cases: set[Facts]) -> list[Finding]:
    found: list[Finding] = []
    if any(c.personal and c.contact != "yes" for c in cases):
        found.append(
            error(
                *where(),
                f"la conversation peut finir à « {step_id} » en gardant un texte personnel "
                "(« personal: true ») alors que la personne n'a pas dit oui pour qu'on garde "
                "son contact. Ajoute « forget: true » à cette fin, ou n'y va que sur le "
                "chemin du oui.",
            )
        )
    if {"yes", "no"} <= {c.relay_consent for c in cases}:
        found.append(
            error(
                *where(),
                f"« {step_id} » est la fin du « oui » comme du « non » à l'envoi à la "
                "personne relais : le « non » doit avoir son propre chemin. Ajoute un "
                "« branch » sur « consent_relay ».",
            )
        )
    return found
