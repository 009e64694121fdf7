"""``bot flows graph``: each flow as a Mermaid diagram, and as an image when ``mmdc`` exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.engine.loader import FlowSet, LoadedFlow
from bot.engine.schema import (
    ActionStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    ConsentStep,
    EndStep,
    FlowRef,
    GotoStep,
    InputStep,
    SayStep,
    SetStep,
)
from bot.flowtools.graph import Edge, Via, edges, prefillable

LABEL = 60
HANDOFF_ACTIONS = ("match_relay", "create_lead")
STYLES = (
    "classDef question fill:#fff9db,stroke:#f08c00",
    "classDef consent fill:#e7f5ff,stroke:#1c7ed6,stroke-width:2px",
    "classDef handoff fill:#ffe8cc,stroke:#d9480f,stroke-width:2px",
    "classDef finish fill:#ebfbee,stroke:#2b8a3e",
    "classDef other fill:#f1f3f5,stroke:#868e96,stroke-dasharray:4",
)


def _label(text: str, limit: int = LABEL) -> str:
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    for raw, entity in (
        ("#", "#35;"),
        ('"', "#quot;"),
        ("<", "#lt;"),
        (">", "#gt;"),
        ("{", "#123;"),
        ("}", "#125;"),
    ):
        flat = flat.replace(raw, entity)
    return flat


def _title(item: LoadedFlow) -> str:
    # The front matter is YAML, not a Mermaid label: plain text without double quotes.
    title = " ".join(item.flow.title.split()).replace('"', "'").replace("\\", "/")
    return f"{title} ({item.flow.flow}, version {item.version})"


def _node(step_id: str, step: object) -> tuple[str, str | None]:
    """The Mermaid node of a step and its style class."""
    node = f"s_{step_id}"
    if isinstance(step, SayStep):
        return f'{node}["💬 {_label(step.say)}"]', None
    if isinstance(step, (ChoiceStep, InputStep)):
        return f'{node}("❓ {step_id} : {_label(step.ask)}")', "question"
    if isinstance(step, ConsentStep):
        return f'{node}{{{{"🤝 accord {step.consent} : {_label(step.text)}"}}}}', "consent"
    if isinstance(step, BranchStep):
        return f'{node}{{"🔀 {step_id}"}}', None
    if isinstance(step, SetStep):
        values = ", ".join(f"{k} = {'vide' if v is None else v}" for k, v in step.set.items())
        return f'{node}[/"✏️ {_label(values)}"/]', None
    if isinstance(step, GotoStep):
        return f'{node}["↪ {step_id}"]', None
    if isinstance(step, CallStep):
        return f'{node}[["📞 script {step.call}, puis retour"]]', None
    if isinstance(step, ActionStep):
        handoff = step.action in HANDOFF_ACTIONS
        args = ", ".join(f"{k}: {v}" for k, v in step.args.items())
        text = f"⚙️ {step.action}" + (f" ({_label(args, 30)})" if args else "")
        return f'{node}[["{text}"]]', "handoff" if handoff else None
    if isinstance(step, EndStep):
        what = "🧹 fin, tout est oublié" if step.forget else "🏁 fin"
        said = f" : {_label(step.end)}" if step.end else ""
        return f'{node}(["{what}{said}"])', "finish"
    return f'{node}["{step_id}"]', None


def _target(edge: Edge, outside: dict[str, str]) -> str:
    if edge.step is not None:
        return f"s_{edge.step}"
    if isinstance(edge.flow, FlowRef):
        key = f"f_{edge.flow.flow}_{edge.flow.step or 'debut'}"
        where = f" ({edge.flow.step})" if edge.flow.step else ""
        outside[key] = f'{key}[["→ script {edge.flow.flow}{where}"]]'
        return key
    outside["s__out"] = 's__out(("fin"))'
    return "s__out"


def _edge_label(edge: Edge) -> str:
    if edge.via is Via.ELSE:
        return "sinon"
    return _label(edge.label, 40) if edge.label else ""


def render_mermaid(item: LoadedFlow, flows: FlowSet) -> str:
    """The Mermaid flowchart of one flow: steps, buttons, branches, hand-offs."""
    graph = edges(item, prefillable(flows))
    lines = [
        "---",
        f'title: "{_title(item)}"',
        "---",
        "flowchart TD",
    ]
    classes: dict[str, list[str]] = {}
    outside: dict[str, str] = {}
    for step_id in item.order:
        node, style = _node(step_id, item.flow.steps[step_id])
        lines.append(f"    {node}")
        if style:
            classes.setdefault(style, []).append(f"s_{step_id}")
    for step_id in item.order:
        for edge in graph[step_id]:
            target = _target(edge, outside)
            label = _edge_label(edge)
            arrow = f'-->|"{label}"|' if label else "-->"
            lines.append(f"    s_{step_id} {arrow} {target}")
    lines += [f"    {node}" for node in outside.values()]
    if outside:
        classes.setdefault("other", []).extend(k for k in outside if k.startswith("f_"))
    lines += [f"    {style}" for style in STYLES]
    lines += [f"    class {','.join(nodes)} {name}" for name, nodes in classes.items() if nodes]
    return "\n".join(lines) + "\n"


def render_markdown(item: LoadedFlow, mermaid: str) -> str:
    """A Markdown page showing the diagram (GitHub, GitLab and VS Code draw it)."""
    return (
        f"# {item.flow.title}\n\n"
        f"Script `{item.flow.flow}` ({item.path}, version {item.version}).\n\n"
        f"```mermaid\n{mermaid}```\n"
    )


def render_image(mmdc: str, source: Path, image: Path) -> str | None:
    """Draw ``source`` into ``image`` with mermaid-cli; the reason in French if it failed."""
    try:
        done = subprocess.run(
            [mmdc, "--input", str(source), "--output", str(image)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"le dessin n'a pas pu être fait ({exc})"
    if done.returncode != 0 or not image.exists():
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        return f"le dessin n'a pas pu être fait ({detail[0]})"
    return None
