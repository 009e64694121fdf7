"""Load and check flow scripts from YAML, with errors a coordinator can act on (in French)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from bot.engine.langfiles import FOLDER as LANG_FOLDER
from bot.engine.langfiles import Translation, load_translations
from bot.engine.schema import (
    BranchStep,
    CallStep,
    ChoiceStep,
    Faq,
    Flow,
    FlowRef,
    Followups,
    Global,
    GotoStep,
    InputStep,
    Target,
)
from bot.engine.yamlfiles import (
    FlowError,
    Problem,
    french,
    line_in,
    line_of,
    read_yaml,
)
from bot.handoff.texts import HandoffTexts

GLOBAL_FILE = "global.yml"
FAQ_FILE = "faq.yml"
RELAY_FILE = "relais.yml"
NOTICES = "notices"


@dataclass(frozen=True, slots=True)
class LoadedFlow:
    """A validated flow with its file, content hash and step order."""

    flow: Flow
    path: str
    digest: str
    order: tuple[str, ...]

    @property
    def version(self) -> str:
        """Declared version plus a short hash of the file's content."""
        return f"{self.flow.version}-{self.digest[:8]}"


@dataclass(frozen=True, slots=True)
class Notice:
    """A privacy notice coordinators edit (``flows/notices/<name>.md``), versioned."""

    name: str
    version: int
    text: str

    @property
    def digest(self) -> str:
        """Short hash of the exact text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FlowSet:
    """Every flow of a folder plus the global settings, checked together."""

    flows: Mapping[str, LoadedFlow]
    glob: Global
    digest: str
    notices: Mapping[str, Notice] = field(default_factory=dict)
    faq: Faq = field(default_factory=lambda: Faq(faq=[], unknown="…"))
    handoff: HandoffTexts | None = None  # flows/relais.yml: what relays read
    translations: Mapping[str, Translation] = field(default_factory=dict)  # flows/langues/

    def flow(self, flow_id: str) -> Flow:
        """The flow named ``flow_id`` (raises ``KeyError``)."""
        return self.flows[flow_id].flow

    @property
    def followups(self) -> tuple[str, Followups] | None:
        """The flow holding the follow-ups and their settings, if one does."""
        for flow_id, item in self.flows.items():
            if item.flow.followups is not None:
                return flow_id, item.flow.followups
        return None


M = TypeVar("M", Flow, Global, Faq, HandoffTexts)


def _validate(model: type[M], data: Any, name: str) -> M:
    if not isinstance(data, CommentedMap):
        raise FlowError([Problem(name, 1, "le fichier doit contenir des champs (clé: valeur)")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(name, line_of(data, err["loc"]), french(err)) for err in exc.errors()]
        raise FlowError(problems) from exc


def load_flow_file(path: Path) -> tuple[LoadedFlow, CommentedMap]:
    """Parse and validate one flow file (not the global one)."""
    data, raw = read_yaml(path)
    flow = _validate(Flow, data, path.name)
    digest = hashlib.sha256(raw).hexdigest()
    return LoadedFlow(flow, path.name, digest, tuple(flow.steps)), data


def _targets(step: object) -> list[Target]:
    targets: list[Target] = []
    nxt = getattr(step, "next", None)
    if nxt is not None:
        targets.append(nxt)
    if isinstance(step, GotoStep):
        targets.append(step.goto)
    if isinstance(step, BranchStep):
        targets.extend(c.goto for c in step.branch)
    if isinstance(step, (ChoiceStep, InputStep)):
        targets.extend(o.next for o in step.options if o.next is not None)
    return targets


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _check_references(
    loaded: Mapping[str, LoadedFlow], docs: Mapping[str, CommentedMap], glob: Global
) -> list[Problem]:
    problems: list[Problem] = []
    for flow_id, item in loaded.items():
        steps = item.flow.steps
        doc_steps = docs[flow_id].get("steps", {})

        def line(step_id: str, doc_steps: Any = doc_steps) -> int | None:
            return line_of(doc_steps, [step_id])

        if item.flow.start is not None and item.flow.start not in steps:
            problems.append(
                Problem(
                    item.path,
                    line_of(docs[flow_id], ["start"]),
                    f"l'étape de départ « {item.flow.start} » n'existe pas",
                )
            )
        for step_id, step in steps.items():
            for target in _targets(step):
                if isinstance(target, FlowRef):
                    if target.flow not in loaded:
                        problems.append(
                            Problem(
                                item.path,
                                line(step_id),
                                f"le script « {target.flow} » n'existe pas",
                            )
                        )
                    elif (
                        target.step is not None
                        and target.step not in loaded[target.flow].flow.steps
                    ):
                        problems.append(
                            Problem(
                                item.path,
                                line(step_id),
                                f"l'étape « {target.step} » n'existe pas dans « {target.flow} »",
                            )
                        )
                elif target not in steps:
                    problems.append(
                        Problem(item.path, line(step_id), f"l'étape « {target} » n'existe pas")
                    )
            if isinstance(step, ChoiceStep) and step.correction is not None:
                checked = steps.get(step.correction)
                if not isinstance(checked, InputStep | ChoiceStep):
                    problems.append(
                        Problem(
                            item.path,
                            line(step_id),
                            f"« correction » : « {step.correction} » n'est pas une question "
                            "de ce script",
                        )
                    )
            if isinstance(step, CallStep) and step.call not in loaded:
                problems.append(
                    Problem(item.path, line(step_id), f"le script « {step.call} » n'existe pas")
                )
    problems.extend(_check_followups(loaded, docs))
    if glob.settings.start_flow not in loaded:
        problems.append(
            Problem(
                GLOBAL_FILE,
                None,
                f"le script de départ « {glob.settings.start_flow} » n'existe pas",
            )
        )
    for command in glob.commands:
        if isinstance(command.do, FlowRef) and command.do.flow not in loaded:
            problems.append(
                Problem(GLOBAL_FILE, None, f"la commande « {command.id} » mène à un script inconnu")
            )
    return problems


def _check_followups(
    loaded: Mapping[str, LoadedFlow], docs: Mapping[str, CommentedMap]
) -> list[Problem]:
    """One flow holds the follow-ups, and each starts at one of its steps."""
    problems: list[Problem] = []
    holders = [item for item in loaded.values() if item.flow.followups is not None]
    for extra in holders[1:]:
        problems.append(
            Problem(
                extra.path,
                line_of(docs[extra.flow.flow], ["followups"]),
                f"les relances sont déjà réglées dans {holders[0].path} : un seul script "
                "peut avoir « followups »",
            )
        )
    for item in holders[:1]:
        assert item.flow.followups is not None
        for name, delay in item.flow.followups.delays().items():
            if delay.step not in item.flow.steps:
                problems.append(
                    Problem(
                        item.path,
                        line_of(docs[item.flow.flow], ["followups", name, "step"]),
                        f"la relance « {name} » commence à l'étape « {delay.step} », qui "
                        "n'existe pas",
                    )
                )
    return problems


def load_flows(folder: Path) -> FlowSet:
    """Load every ``*.yml`` of ``folder``; raise :class:`FlowError` listing all problems.

    Parsing YAML is slow and a flow set never changes once built: the same file
    contents give back the same :class:`FlowSet` (an edit changes the key).
    """
    contents = hashlib.sha256()
    files = [*folder.glob("*.yml"), *(folder / NOTICES).glob("*.md")]
    for path in sorted([*files, *(folder / LANG_FOLDER).glob("*.yml")]):
        contents.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return _load_flows(folder.resolve(), contents.hexdigest())


@functools.lru_cache(maxsize=8)
def _load_flows(folder: Path, _contents: str) -> FlowSet:
    problems: list[Problem] = []
    loaded: dict[str, LoadedFlow] = {}
    docs: dict[str, CommentedMap] = {}
    glob: Global | None = None
    faq = Faq(faq=[], unknown="…")
    handoff: HandoffTexts | None = None
    digest = hashlib.sha256()
    paths = sorted(folder.glob("*.yml"))
    for path in paths:
        try:
            if path.name == GLOBAL_FILE:
                data, raw = read_yaml(path)
                glob = _validate(Global, data, path.name)
            elif path.name == FAQ_FILE:
                data, raw = read_yaml(path)
                faq = _validate(Faq, data, path.name)
                problems.extend(_check_faq(faq, data))
            elif path.name == RELAY_FILE:
                data, raw = read_yaml(path)
                handoff = _validate(HandoffTexts, data, path.name)
            else:
                item, doc = load_flow_file(path)
                raw = path.read_bytes()
                if item.flow.flow in loaded:
                    problems.append(
                        Problem(
                            path.name,
                            1,
                            f"le nom « {item.flow.flow} » est déjà pris par "
                            f"{loaded[item.flow.flow].path}",
                        )
                    )
                    continue
                loaded[item.flow.flow] = item
                docs[item.flow.flow] = doc
            digest.update(path.name.encode() + b"\0" + raw)
        except FlowError as exc:
            problems.extend(exc.problems)
    if glob is None and not any(p.file == GLOBAL_FILE for p in problems):
        problems.append(
            Problem(GLOBAL_FILE, None, "fichier manquant (réglages et commandes globales)")
        )
    if not problems and glob is not None:
        problems.extend(_check_references(loaded, docs, glob))
    if handoff is None and not any(p.file == RELAY_FILE for p in problems):
        problems.append(
            Problem(RELAY_FILE, None, "fichier manquant (ce que lisent les personnes relais)")
        )
    notices = _load_notices(folder / NOTICES, problems)
    translations: dict[str, Translation] = {}
    try:
        translations = load_translations(folder)
    except FlowError as exc:
        problems.extend(exc.problems)
    if problems or glob is None:
        raise FlowError(problems)
    for translation in translations.values():
        digest.update(translation.path.encode() + b"\0" + repr(translation.texts).encode())
    return FlowSet(loaded, glob, digest.hexdigest(), notices, faq, handoff, translations)


def _check_faq(faq: Faq, doc: CommentedMap) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, entry in enumerate(faq.faq):
        if entry.intent_name in seen:
            line = line_in(doc, ["faq", index])
            problems.append(Problem(FAQ_FILE, line, f"la question « {entry.id} » est en double"))
        seen.add(entry.intent_name)
    return problems


_FRONT = re.compile(r"\A---\s*\nversion:\s*(\d+)\s*\n---\s*\n", re.MULTILINE)


def _load_notices(folder: Path, problems: list[Problem]) -> dict[str, Notice]:
    """Read ``notices/*.md``; each starts with a ``version: N`` header between ``---``."""
    notices: dict[str, Notice] = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
        raw = path.read_text(encoding="utf-8")
        match = _FRONT.match(raw)
        name = f"{NOTICES}/{path.name}"
        if match is None:
            problems.append(Problem(name, 1, "il manque l'en-tête « --- version: N --- »"))
            continue
        text = raw[match.end() :].strip()
        if not text:
            problems.append(Problem(name, 4, "le texte est vide"))
            continue
        notices[path.stem] = Notice(path.stem, int(match.group(1)), text)
    return notices


def placeholders(text: str) -> list[str]:
    """Names of the ``{slot}`` placeholders in ``text``."""
    return _PLACEHOLDER.findall(text)
