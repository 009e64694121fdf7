"""Rules on the shape of each flow: unreachable steps, dead ends, loops with no way out."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.loader import LoadedFlow
from bot.engine.schema import EndStep
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error, warning
from bot.flowtools.graph import QUESTIONS, Edge, called, entries, reachable


def check_graph(ctx: Context) -> list[Finding]:
    """Every shape rule, on every flow."""
    found: list[Finding] = []
    starts = entries(ctx.flows)
    returning = called(ctx.flows)
    for flow_id, item in ctx.flows.flows.items():
        graph = ctx.graphs[flow_id]
        seen = reachable(starts[flow_id], graph)
        found += _unreachable(ctx, item, seen)
        if flow_id not in returning:
            found += _dead_ends(ctx, item, graph, seen)
        found += _loops(ctx, item, graph, seen)
    return found


def _unreachable(ctx: Context, item: LoadedFlow, seen: set[str]) -> list[Finding]:
    return [
        error(
            *ctx.where(item, step_id),
            f"l'étape « {step_id} » n'est jamais atteinte : aucune étape n'y mène. Ajoute "
            f"« next: {step_id} » (ou un bouton qui y mène) à l'étape d'avant, ou supprime-la.",
        )
        for step_id in item.order
        if step_id not in seen
    ]


def _dead_ends(
    ctx: Context, item: LoadedFlow, graph: Mapping[str, list[Edge]], seen: set[str]
) -> list[Finding]:
    return [
        error(
            *ctx.where(item, step_id),
            f"après l'étape « {step_id} », la conversation s'arrête là, sans message de fin "
            "(c'est la dernière étape du fichier). Ajoute « next: » vers l'étape qui doit "
            "suivre, ou finis par une étape « end: » avec un dernier message.",
        )
        for step_id in item.order
        if step_id in seen and any(edge.falls_off for edge in graph[step_id])
    ]


def _exits(item: LoadedFlow, graph: Mapping[str, list[Edge]]) -> set[str]:
    """Steps from which the conversation can end or leave the flow."""
    out = {
        s
        for s, step in item.flow.steps.items()
        if isinstance(step, EndStep) or any(e.step is None for e in graph[s])
    }
    incoming: dict[str, set[str]] = {}
    for source, edges in graph.items():
        for edge in edges:
            if edge.step is not None:
                incoming.setdefault(edge.step, set()).add(source)
    todo = list(out)
    while todo:
        for source in incoming.get(todo.pop(), ()):
            if source not in out:
                out.add(source)
                todo.append(source)
    return out


def _cycles(graph: Mapping[str, list[Edge]], nodes: set[str]) -> list[list[str]]:
    """Strongly connected groups of ``nodes`` that contain a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for edge in graph[node]:
            nxt = edge.step
            if nxt is None or nxt not in nodes:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            loops = len(group) > 1 or any(e.step == node for e in graph[node])
            if loops:
                groups.append(group)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return groups


def _loops(
    ctx: Context, item: LoadedFlow, graph: Mapping[str, list[Edge]], seen: set[str]
) -> list[Finding]:
    found: list[Finding] = []
    exits = _exits(item, graph)
    order = {step_id: i for i, step_id in enumerate(item.order)}
    for group in _cycles(graph, seen):
        group.sort(key=order.__getitem__)
        names = ", ".join(f"« {s} »" for s in group)
        first = group[0]
        steps = [item.flow.steps[s] for s in group]
        if not any(s in exits for s in group):
            found.append(
                error(
                    *ctx.where(item, first),
                    f"les étapes {names} tournent en rond : aucune ne mène à une fin "
                    "(« end: ») ni à un autre script. Ajoute une sortie, par exemple un "
                    "bouton avec « next: » vers la suite.",
                )
            )
        elif not any(isinstance(s, QUESTIONS) for s in steps):
            # It has a way out, so a branch: whether it is ever taken depends on answers.
            found.append(
                warning(
                    *ctx.where(item, first),
                    f"les étapes {names} forment une boucle sans question : le bot "
                    "tournerait en rond sans attendre de réponse. Mets une question dans la "
                    "boucle, ou vérifie que le « branch » en sort.",
                )
            )
    return found
