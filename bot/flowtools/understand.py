"""Score how well the bot understands typed answers: a corpus of answers and their meaning."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.messages import Inbound
from bot.domain.understanding import Understanding
from bot.engine.runner import Runner
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import ConversationState, Mode, SlotValue, Status
from bot.engine.yamlfiles import load_yaml_model
from bot.geo.search import PlaceFinder

CORPUS = Path("comprendre") / "reponses.yml"
PICK, DONT_KNOW, FAQ = "pick", "jsp", "faq:"
# Values a question's texts may quote, so any step can be asked out of context.
SAMPLE_SLOTS: Mapping[str, SlotValue] = {
    "stage": "idea",
    "sector": "restauration",
    "needs": ["argent"],
    "postal_code": "69120",
    "commune": "Vaulx-en-Velin",
    "insee": "69256",
    "department": "69",
    "contact_pref": "call",
    "company_age": "3_5",
    "headcount": "2_5",
    "growth_needs": ["embauche"],
    "consent_contact": "yes",
    "relay_id": "citeslab_vaulx",
    "relay_name": "Samira",
    "relay_structure": "CitésLab",
    "relay_town": "Vaulx-en-Velin",
    "relay_local": "yes",
    "schemes_text": "• CitésLab",
}


class Answer(BaseModel):
    """One typed answer and what a person reading it would understand."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    say: str
    means: str | list[str] | None


class Question(BaseModel):
    """The answers typed at one step (``flow.step``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    step: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    answers: list[Answer]


class Corpus(BaseModel):
    """A file of typed answers (``flows/comprendre/reponses.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    questions: list[Question]


def load_corpus(path: Path) -> Corpus:
    """Read a corpus file (French errors with file and line on mistakes)."""
    corpus, _ = load_yaml_model(Corpus, path)
    return corpus


@dataclass(frozen=True, slots=True)
class Scored:
    """One answer: what was expected, what the bot understood, and the verdict."""

    step: str
    kind: str
    said: str
    expected: str
    got: str
    verdict: str  # "correct", "wrong" or "refused"
    false_yes: bool = False  # a consent taken as yes when it was not


@dataclass
class Report:
    """Rates per kind of question and overall."""

    scored: list[Scored] = field(default_factory=list)

    def counts(self, kind: str | None = None) -> Counter[str]:
        return Counter(s.verdict for s in self.scored if kind is None or s.kind == kind)

    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.scored})

    @property
    def false_yes(self) -> int:
        return sum(1 for s in self.scored if s.false_yes)


def _kind(step: object, expected: object) -> str:
    if isinstance(expected, str) and expected.startswith(FAQ):
        return "question au bot"
    if isinstance(step, ConsentStep):
        return "accord"
    if isinstance(step, InputStep):
        return {"location": "commune", "postal_code": "commune", "phone": "téléphone"}.get(
            step.expect, "texte"
        )
    assert isinstance(step, ChoiceStep)
    if step.multiple:
        return "plusieurs choix"
    if any(o.range for o in step.options):
        return "nombre"
    if any(o.means in ("yes", "no") for o in step.options):
        return "oui / non"
    return "choix en mots"


def _norm(value: object) -> str:
    if isinstance(value, list):
        return ",".join(sorted(str(v) for v in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def read_answer(
    runner: Runner, flow_id: str, step_id: str, text: str, understanding: Understanding
) -> str:
    """What the bot made of ``text`` at this step: a value, "pick", "jsp", "faq:<id>"..."""
    step = runner.flows.flows[flow_id].flow.steps[step_id]
    slot = f"consent_{step.consent}" if isinstance(step, ConsentStep) else getattr(step, "slot", "")
    slots = {k: v for k, v in SAMPLE_SLOTS.items() if k != slot}
    if slot == "phone":
        slots["contact_pref"] = "call"
    state = ConversationState(
        flow=flow_id,
        step=step_id,
        slots=slots,
        status=Status.ACTIVE,
        flow_version=runner.flows.flows[flow_id].version,
    )
    result = runner.run(state, Inbound("corpus", "someone", text), understanding)
    heard = result.heard
    if heard == "confirm":
        return _norm(result.state.pending[0]) if result.state.pending else "confirm"
    if heard == "answer":
        if result.state.mode is Mode.PICK:
            return PICK
        return _norm(result.answered) if result.answered is not None else "?"
    if heard == "dont_know":
        return DONT_KNOW
    return heard or "unclear"


def _verdict(expected: str, got: str, same: Callable[[str, str], bool]) -> str:
    answered = not (
        got in ("unclear", PICK, DONT_KNOW, "chatter") or got.startswith(("faq:", "command:"))
    )
    if expected == "":  # null: not an answer
        return "wrong" if answered else "correct"
    if expected == PICK:
        return "correct" if got == PICK else "wrong" if answered else "refused"
    if expected == DONT_KNOW:
        return "correct" if got == DONT_KNOW else "wrong" if answered else "refused"
    if expected.startswith(FAQ):
        if got == expected:
            return "correct"
        return "wrong" if answered or (got.startswith(FAQ) and got != "faq:unknown") else "refused"
    if same(expected, got):
        return "correct"
    return "wrong" if answered else "refused"


async def score(
    runner: Runner,
    corpus: Corpus,
    understand: Callable[[str], Any],
    same_place: Callable[[str, str], bool],
) -> Report:
    """Run every answer of ``corpus`` through the runner (``understand``: the NLU)."""
    report = Report()
    for question in corpus.questions:
        flow_id, step_id = question.step.split(".")
        step = runner.flows.flows[flow_id].flow.steps[step_id]
        for answer in question.answers:
            expected = _norm(answer.means)
            understanding = await understand(answer.say)
            got = read_answer(runner, flow_id, step_id, answer.say, understanding)
            place = isinstance(step, InputStep) and step.expect in ("location", "postal_code")
            verdict = _verdict(expected, got, same_place if place else lambda a, b: a == b)
            consent = isinstance(step, ConsentStep)
            report.scored.append(
                Scored(
                    question.step,
                    _kind(step, answer.means),
                    answer.say,
                    expected or "null",
                    got,
                    verdict,
                    false_yes=consent and got == "yes" and expected != "yes",
                )
            )
    return report


def render_report(report: Report, *, errors: bool = False) -> list[str]:
    """The figures, in French, one line per kind of question, then the total."""
    lines = ["type de question           réponses   compris   compris de travers   pas compris"]

    def line(name: str, counts: Counter[str]) -> str:
        total = sum(counts.values()) or 1
        rate = {k: 100 * counts[k] / total for k in ("correct", "wrong", "refused")}
        return (
            f"{name:<26} {sum(counts.values()):>8}   {rate['correct']:6.1f} %"
            f"   {rate['wrong']:16.1f} %   {rate['refused']:9.1f} %"
        )

    for kind in report.kinds():
        lines.append(line(kind, report.counts(kind)))
    lines.append(line("TOTAL", report.counts()))
    lines.append(f"accords pris pour un oui à tort : {report.false_yes}")
    if errors:
        by_step: dict[str, list[Scored]] = defaultdict(list)
        for scored in report.scored:
            if scored.verdict != "correct":
                by_step[scored.step].append(scored)
        for step, wrong in by_step.items():
            lines.append(f"— {step}")
            lines.extend(
                f"  [{s.verdict}] « {s.said} » : attendu {s.expected}, compris {s.got}"
                for s in wrong
            )
    return lines


def same_place(finder: PlaceFinder) -> Callable[[str, str], bool]:
    """Two postal codes name the same place when they share a commune (Toulouse 31000
    and 31100 both are Toulouse)."""

    def same(expected: str, got: str) -> bool:
        communes = {p.insee for p in finder.index.by_code(expected)}
        return expected == got or bool(communes & {p.insee for p in finder.index.by_code(got)})

    return same
