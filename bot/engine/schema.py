"""Pydantic schema of the coordinators' YAML flow scripts (exported as flows/schema.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)

INTENT_SLOT = "intent"  # read-only pseudo-slot: the intent of the message being answered


def _not_reserved(name: str) -> str:
    if name == INTENT_SLOT:
        raise ValueError("« intent » est réservé : c'est l'intention comprise dans le message")
    return name


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]
SlotName = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40), AfterValidator(_not_reserved)
]
Text = Annotated[str, Field(min_length=1, max_length=1024)]
Lang = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Scalar = str | int | float | bool | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlowRef(_Model):
    """Jump to another flow (optionally to one of its steps)."""

    flow: Id
    step: Id | None = None


Target = Id | FlowRef


class Option(_Model):
    """One button of a question: a stable id and the label the resident sees."""

    id: Id
    label: Annotated[str, Field(min_length=1, max_length=60)]
    words: list[str] = Field(default_factory=list, description="Other ways to say it.")
    next: Target | None = None


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

    @field_validator("options")
    @classmethod
    def _unique_ids(cls, options: list[Option]) -> list[Option]:
        ids = [o.id for o in options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"boutons en double : {', '.join(duplicates)}")
        return options


Expect = Literal["text", "number", "yes_no", "postal_code", "location"]


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
    """End the conversation (optionally with a last message); ``forget`` erases it."""

    end: str | None = None
    forget: bool = False


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
    steps: Annotated[dict[Id, Step], Field(min_length=1)]


Do = Literal["stop", "restart", "help", "erase", "privacy", "access", "leave"] | FlowRef


class Command(_Model):
    """A global command that interrupts any step."""

    id: Id
    intents: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    do: Do
    reply: str | None = None


class Messages(_Model):
    """Fixed messages of the bot itself (not tied to a step)."""

    retry: Text
    offer_human: Text
    offer_human_yes: str = "Parler à quelqu'un"
    offer_human_no: str = "Réessayer"
    stale_button: Text
    unknown_button: Text
    unsupported: Text
    empty: Text
    too_long: Text
    welcome_back: Text
    broken: Text
    bridge_media: str = "Je ne peux transmettre que des messages écrits. Tu peux l'écrire ?"
    redacted: str = (
        "J'ai retiré de ta réponse ce qui parle de {categories} : pas besoin de me le dire 🙂"
    )
    noted: str = Field(
        default="C'est noté : {noted}.",
        description="When a message does not answer the question but answers later ones.",
    )
    chatter: dict[str, str] = Field(
        default_factory=lambda: {
            "out_of_scope": "Je suis là pour ton projet. Pour le reste, je ne peux pas t'aider.",
            "greet": "Salut 🙂",
            "thanks": "Avec plaisir 🙂",
        },
        description="Said, then the question again, when an answer that does not fit has "
        "this intent; only out_of_scope (off-topic chatter) counts as a misunderstanding.",
    )


class Settings(_Model):
    """Conversation-wide settings."""

    start_flow: Id
    max_retries: Annotated[int, Field(ge=1, le=10)] = 3
    max_text_length: Annotated[int, Field(ge=10, le=10000)] = 1000


class Global(_Model):
    """The ``flows/global.yml`` file: settings, global commands, fixed messages."""

    settings: Settings
    commands: list[Command]
    messages: Messages


def flow_file_schema() -> dict[str, Any]:
    """JSON Schema accepted by any file of ``flows/`` (a flow or the global file)."""
    flow = Flow.model_json_schema(by_alias=True)
    glob = Global.model_json_schema(by_alias=True)
    defs: dict[str, Any] = {**flow.pop("$defs", {}), **glob.pop("$defs", {})}
    defs["Flow"] = flow
    defs["Global"] = glob
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tremplin flow script",
        "anyOf": [{"$ref": "#/$defs/Flow"}, {"$ref": "#/$defs/Global"}],
        "$defs": defs,
    }
