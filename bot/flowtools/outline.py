"""A flow told in words: each step, what it says or asks, and where each answer leads."""

from __future__ import annotations

from bot.engine.loader import FlowSet, LoadedFlow
from bot.engine.schema import (
    ActionStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    ConsentStep,
    EndStep,
    GotoStep,
    InputStep,
    SayStep,
    SetStep,
)
from bot.flowtools.graph import Edge, Via, edges, prefillable
from bot.web.flowdesk import Exit, StepView


def _what(step: object) -> tuple[str, str]:
    """The kind of a step in French, and its text."""
    if isinstance(step, SayStep):
        return "Message", step.say
    if isinstance(step, ChoiceStep):
        return "Question à choix", step.ask
    if isinstance(step, InputStep):
        return "Question à réponse écrite", step.ask
    if isinstance(step, ConsentStep):
        return f"Accord ({step.consent})", step.text
    if isinstance(step, BranchStep):
        return "Aiguillage", ""
    if isinstance(step, SetStep):
        values = ", ".join(f"{k} = {'vide' if v is None else v}" for k, v in step.set.items())
        return "Note une valeur", values
    if isinstance(step, GotoStep):
        return "Saut", ""
    if isinstance(step, CallStep):
        return "Appel d'un script", f"script {step.call}, puis retour"
    if isinstance(step, ActionStep):
        return "Action du bot", step.action
    if isinstance(step, EndStep):
        what = "Fin (tout est oublié)" if step.forget else "Fin"
        return what, step.end or ""
    return "Étape", ""


def _target(edge: Edge) -> str:
    if edge.step is not None:
        return edge.step
    if edge.flow is not None:
        where = f", étape {edge.flow.step}" if edge.flow.step else ""
        return f"script {edge.flow.flow}{where}"
    return "fin du script"


def _label(edge: Edge) -> str:
    if edge.via is Via.ELSE:
        return "sinon"
    if edge.via is Via.IF:
        return f"si {edge.label}"
    if edge.via is Via.OPTION:
        return f"bouton « {edge.label} »"
    return edge.label or "ensuite"


def outline(item: LoadedFlow, flows: FlowSet) -> tuple[StepView, ...]:
    """Every step of ``item`` in file order, with its exits."""
    graph = edges(item, prefillable(flows))
    views = []
    for step_id in item.order:
        kind, text = _what(item.flow.steps[step_id])
        exits = tuple(Exit(_label(e), _target(e)) for e in graph[step_id])
        views.append(StepView(step_id, kind, " ".join(text.split()), exits))
    return tuple(views)
