"""Pydantic schema of the coordinators' YAML flow scripts (exported as flows/schema.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from bot.engine.messages import Messages
from bot.engine.schemabase import INTENT_SLOT as INTENT_SLOT
from bot.engine.schemabase import Id as Id
from bot.engine.schemabase import Lang as Lang
from bot.engine.schemabase import Scalar as Scalar
from bot.engine.schemabase import SlotName as SlotName
from bot.engine.schemabase import Text as Text
from bot.engine.schemabase import _Model
from bot.engine.timing import Delay as Delay
from bot.engine.timing import Followups as Followups
from bot.engine.timing import Hours as Hours
from bot.handoff.texts import HandoffTexts


class FlowRef(_Model):
    """Jump to another flow (optionally to one of its steps)."""

    flow: Id
    step: Id | None = None


Target = Id | FlowRef


Means = Literal["yes", "no", "dont_know", "skip"]


class Option(_Model):
    """One button of a question: a stable id and the label the resident sees."""

    id: Id
    label: Annotated[str, Field(min_length=1, max_length=60)]
    words: list[str] = Field(
        default_factory=list, description="Other ways to say it, found anywhere in a message."
    )
    range: tuple[float, float | None] | None = Field(
        default=None, description="Numbers that land here, e.g. [18, 25]; [31, null] = 31 or more."
    )
    means: Means | None = Field(
        default=None,
        description="yes / no (« ouais », « non merci »), dont_know (« jsp »), skip (passer).",
    )
    phrase: str | None = Field(
        default=None, description="The choice inside a sentence: {slot_phrase} in texts."
    )
    confirm: bool | None = Field(
        default=None,
        description="Confirm a typed answer before using it (default: when it ends the chat).",
    )
    next: Target | None = None

    @field_validator("range")
    @classmethod
    def _ordered(
        cls, value: tuple[float, float | None] | None
    ) -> tuple[float, float | None] | None:
        if value is not None and value[1] is not None and value[1] < value[0]:
            raise ValueError("range : le premier nombre doit être le plus petit")
        return value


class _Step(_Model):
    next: Target | None = Field(default=None, description="Step to go to afterwards.")


class SayStep(_Step):
    """Send a message (``{slot}`` is replaced by the slot's value)."""

    say: Text


class ChoiceStep(_Step):
    """Ask a question with buttons; one or several answers."""

    ask: Text
    slot: SlotName
    options: Annotated[list[Option], Field(min_length=1, max_length=12)]
    multiple: bool = False
    done_label: str = "C'est tout ✅"
    entity: str | None = Field(default=None, description="NLU entity that can fill the slot.")
    ask_again: bool = Field(default=False, description="Ask even when the slot is filled.")
    hint: str | None = Field(default=None, description="Said when the answer is not understood.")
    dont_know: str | None = Field(
        default=None, description="Said to « je sais pas » when no button means it."
    )
    progress: bool = Field(default=True, description="Counts in « Question N sur M ».")
    correction: str | None = Field(
        default=None,
        description="A question (its id) whose answer this one checks: an answer to it typed "
        "here (« non, Vaulx-en-Velin ») replaces the one being checked.",
    )
    numbers: Literal["count", "euros"] = Field(
        default="count",
        description="How typed numbers are read for ranges: count (ages, years, people) or "
        "euros (amounts: « 40k », « 40 000 € », « 2500 par mois »).",
    )

    @field_validator("options")
    @classmethod
    def _unique_ids(cls, options: list[Option]) -> list[Option]:
        ids = [o.id for o in options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"boutons en double : {', '.join(duplicates)}")
        return options


Expect = Literal["text", "number", "yes_no", "postal_code", "location", "phone"]


class InputStep(_Step):
    """Ask for free text checked by a typed validator."""

    ask: Text
    slot: SlotName
    expect: Expect
    max_length: Annotated[int, Field(ge=1, le=2000)] = 280
    min: float | None = None
    max: float | None = None
    hint: str | None = Field(default=None, description="Said again when the answer is not valid.")
    options: list[Option] = Field(
        default_factory=list, description="Buttons offered as well (e.g. 'je ne sais pas')."
    )
    entity: str | None = None
    ask_again: bool = False
    personal: bool = Field(default=False, description="Free text about the person.")
    dont_know: str | None = Field(
        default=None, description="Said to « je sais pas » when no button means it."
    )
    progress: bool = Field(default=True, description="Counts in « Question N sur M ».")


class Condition(_Model):
    """A branch: ``if`` every slot matches (value, list of values, or null = empty).

    ``intent`` may be tested like a slot: the intent understood in the message being
    answered (e.g. ``if: {intent: ask_funding}``); it is empty after a button press.
    """

    if_: dict[str, Scalar | list[Scalar]] | None = Field(default=None, alias="if")
    unless: dict[str, Scalar | list[Scalar]] | None = None
    goto: Target

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BranchStep(_Step):
    """Go to the first target whose condition holds, else to ``next``."""

    branch: Annotated[list[Condition], Field(min_length=1)]


class SetStep(_Step):
    """Set (or clear, with null) slots."""

    set: dict[SlotName, Scalar | list[str]]


class GotoStep(_Model):
    """Jump to a step or to another flow, without coming back."""

    goto: Target


class CallStep(_Step):
    """Run another flow, then come back to ``next``."""

    call: Id


class ActionStep(_Step):
    """Run a built-in action by name (see docs/guide-coordinateurs.md)."""

    action: Id
    args: dict[str, Any] = Field(default_factory=dict)


class ConsentStep(_Step):
    """Ask one consent, for one purpose, by a clear yes or no."""

    consent: Literal["contact", "relay", "followup"]
    text: Text
    yes_label: str = "Oui, d'accord"
    no_label: str = "Non merci"


class EndStep(_Model):
    """End the flow (optionally with a last message); ``forget`` erases the conversation.

    A flow another one called (a command's flow, ``call:``) goes back to it at its end,
    unless ``close: true`` ends the whole conversation (the case was sent: nothing to resume).
    """

    end: str | None = None
    forget: bool = False
    close: bool = Field(default=False, description="End the whole conversation, even when called.")


STEP_KINDS: dict[str, type[_Model]] = {
    "say": SayStep,
    "choice": ChoiceStep,
    "input": InputStep,
    "branch": BranchStep,
    "set": SetStep,
    "goto": GotoStep,
    "call": CallStep,
    "action": ActionStep,
    "consent": ConsentStep,
    "end": EndStep,
}


def step_kind(value: Any) -> str | None:
    """Tell a step's kind from the keys it has (used by the discriminated union)."""
    if isinstance(value, BaseModel):
        for kind, cls in STEP_KINDS.items():
            if type(value) is cls:
                return kind
        return None
    if not isinstance(value, dict):
        return None
    if "ask" in value:
        return "input" if "expect" in value else "choice"
    for key in ("say", "branch", "set", "goto", "call", "action", "consent", "end"):
        if key in value:
            return key
    return None


Step = Annotated[
    Annotated[SayStep, Tag("say")]
    | Annotated[ChoiceStep, Tag("choice")]
    | Annotated[InputStep, Tag("input")]
    | Annotated[BranchStep, Tag("branch")]
    | Annotated[SetStep, Tag("set")]
    | Annotated[GotoStep, Tag("goto")]
    | Annotated[CallStep, Tag("call")]
    | Annotated[ActionStep, Tag("action")]
    | Annotated[ConsentStep, Tag("consent")]
    | Annotated[EndStep, Tag("end")],
    Discriminator(
        step_kind,
        custom_error_type="step_kind",
        custom_error_message="type d'étape inconnu",
    ),
]


class Flow(_Model):
    """One conversation script: an ordered mapping of named steps."""

    flow: Id
    title: str
    version: Annotated[int, Field(ge=1)] = 1
    description: str = ""
    start: Id | None = None
    lang: Lang = Field(default="fr", description="Language of the texts (2 letters).")
    languages: list[Lang] = Field(
        default_factory=list,
        description="Every language this flow exists in; each other one is a flow "
        "with `translates: <this flow>` and its `lang`.",
    )
    translates: Id | None = Field(default=None, description="The flow this one translates.")
    progress: bool = Field(
        default=False, description="Show « Question N sur M » before its questions."
    )
    followups: Followups | None = Field(
        default=None,
        description="This flow holds the follow-ups: which step each starts at, and when.",
    )
    steps: Annotated[dict[Id, Step], Field(min_length=1)]


Do = Literal["stop", "restart", "help", "erase", "privacy", "access", "leave"] | FlowRef


class Command(_Model):
    """A global command that interrupts any step."""

    id: Id
    intents: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    do: Do
    reply: str | None = None


class Settings(_Model):
    """Conversation-wide settings."""

    start_flow: Id
    after_end: Id | None = Field(
        default=None, description="Flow for messages after the end (questions, « merci »)."
    )
    max_retries: Annotated[int, Field(ge=1, le=10)] = Field(
        default=2, description="Misunderstandings before the choices are numbered."
    )
    max_text_length: Annotated[int, Field(ge=10, le=10000)] = 1000
    numbered_above: Annotated[int, Field(ge=1, le=60)] = Field(
        default=10,
        description="Menus with more choices are shown numbered (WhatsApp): a number picks.",
    )


class FaqAnswer(_Model):
    """One variant of an answer: said when its condition holds (none: always)."""

    if_: dict[str, Scalar | list[Scalar]] | None = Field(default=None, alias="if")
    unless: dict[str, Scalar | list[Scalar]] | None = None
    say: Text

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FaqEntry(_Model):
    """A question residents ask in the middle of a chat, and its answer."""

    id: Id
    intent: str | None = Field(default=None, description="NLU intent (default: faq_<id>).")
    examples: list[str] = Field(default_factory=list, description="How people ask it.")
    answer: Text | None = None
    answers: list[FaqAnswer] = Field(default_factory=list)

    @property
    def intent_name(self) -> str:
        return self.intent or f"faq_{self.id}"

    @model_validator(mode="after")
    def _one_answer(self) -> FaqEntry:
        if (self.answer is None) == (not self.answers):
            raise ValueError("il faut « answer » ou « answers » (un seul des deux)")
        return self


class Faq(_Model):
    """The ``flows/faq.yml`` file: questions answered at any step."""

    faq: list[FaqEntry]
    unknown: Text = Field(description="Said to a question the bot cannot answer.")


class Language(_Model):
    """A language a person may choose: its name in itself and the words that choose it."""

    name: Annotated[str, Field(min_length=1, max_length=20)]
    words: list[str] = Field(default_factory=list, description="« english », « عربي »...")


class Global(_Model):
    """The ``flows/global.yml`` file: settings, global commands, fixed messages."""

    settings: Settings
    commands: list[Command]
    messages: Messages
    languages: dict[Lang, Language] = Field(
        default_factory=dict,
        description="Languages offered (French first); others have flows/langues/<code>.yml.",
    )


def flow_file_schema() -> dict[str, Any]:
    """JSON Schema accepted by any file of ``flows/`` (a flow, the global file, the FAQ)."""
    defs: dict[str, Any] = {}
    for model in (Flow, Global, Faq, HandoffTexts):
        schema = model.model_json_schema(by_alias=True)
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tremplin flow script",
        "anyOf": [
            {"$ref": f"#/$defs/{name}"} for name in ("Flow", "Global", "Faq", "HandoffTexts")
        ],
        "$defs": defs,
    }
