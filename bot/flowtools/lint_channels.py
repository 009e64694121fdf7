"""Rules on buttons: what WhatsApp and Telegram can show, and how each question will look.

WhatsApp shows 1-3 choices as reply buttons (20 characters), 4-10 as a list (rows of 24
characters, the whole label under a clipped one), more as numbered text; the channel
shortens labels when it can ("moins de 3 ans" -> "< 3 ans"). Those fallbacks work, so
they are notes, except a label cut or made ambiguous (a warning). Telegram carries a
button's payload ``/step:option`` in at most 64 bytes: longer ones only survive in the
memory of the process that sent them (lost on restart or on another worker): an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.whatsapp.render import BUTTON_TITLE, MAX_BUTTONS, MAX_ROWS, ROW_TITLE, shorten
from bot.engine.loader import GLOBAL_FILE, LoadedFlow
from bot.engine.render import DONE, payload
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error, note, warning
from bot.flowtools.locate import Locator

TELEGRAM_CALLBACK_BYTES = 64
PICKED = "✔ "


@dataclass(frozen=True, slots=True)
class _Button:
    option_id: str
    label: str
    key: tuple[str | int, ...]  # where it is written, inside its step
    locate: Locator
    step_id: str

    @property
    def line(self) -> int | None:
        return self.locate.step(self.step_id, *self.key) or self.locate.step(self.step_id)


def _buttons(ctx: Context, item: LoadedFlow, step_id: str) -> list[_Button] | None:
    step = item.flow.steps[step_id]
    locate = ctx.locators[item.path]
    if isinstance(step, ConsentStep):
        return [
            _Button("yes", step.yes_label, ("yes_label",), locate, step_id),
            _Button("no", step.no_label, ("no_label",), locate, step_id),
        ]
    if not isinstance(step, (ChoiceStep, InputStep)) or not step.options:
        return None
    found = [
        _Button(o.id, o.label, ("options", i), locate, step_id) for i, o in enumerate(step.options)
    ]
    if isinstance(step, ChoiceStep) and step.multiple:
        found.append(_Button(DONE, step.done_label, ("options",), locate, step_id))
    return found


def check_channels(ctx: Context) -> list[Finding]:
    """Button rules on every question of every flow."""
    found: list[Finding] = []
    for item in ctx.flows.flows.values():
        for step_id in item.order:
            buttons = _buttons(ctx, item, step_id)
            if buttons is None:
                continue
            step = item.flow.steps[step_id]
            multiple = isinstance(step, ChoiceStep) and step.multiple
            found += _telegram(item, step_id, buttons)
            if ctx.advice:  # WhatsApp's fallbacks only ever give warnings and notes
                found += _whatsapp(ctx, item, step_id, buttons, multiple)
    if ctx.advice:
        found += _own_buttons(ctx)
    return found


OWN_BUTTONS = ("offer_human_yes", "confirm_yes", "confirm_no", "pick_none", "erase_yes", "erase_no")


def _own_buttons(ctx: Context) -> list[Finding]:
    """The bot's own buttons (global.yml's messages) and the language buttons: what
    WhatsApp can show of them (run on each language's texts too)."""
    glob, where = ctx.flows.glob, ctx.locators[GLOBAL_FILE]
    found: list[Finding] = []
    for name in OWN_BUTTONS:
        label = getattr(glob.messages, name)
        if shorten(label, ROW_TITLE) is None:
            found.append(
                warning(
                    GLOBAL_FILE,
                    where.line("messages", name),
                    f"sur WhatsApp, le bouton « {label} » ({name}) sera coupé ({ROW_TITLE} "
                    "caractères au plus). Raccourcis-le.",
                )
            )
    named = [("channel_list_button", glob.messages.channel_list_button)]
    named += [(f"languages.{code}", lang.name) for code, lang in glob.languages.items()]
    for name, label in named:
        if len(label) > BUTTON_TITLE:
            found.append(
                warning(
                    GLOBAL_FILE,
                    where.line(*name.split(".")) if "." in name else where.line("messages", name),
                    f"sur WhatsApp, « {label} » ({name}) ne tient pas sur un bouton "
                    f"({BUTTON_TITLE} caractères au plus) : il sera coupé. Raccourcis-le.",
                )
            )
    return found


def _telegram(item: LoadedFlow, step_id: str, buttons: list[_Button]) -> list[Finding]:
    found: list[Finding] = []
    for button in buttons:
        size = len(payload(step_id, button.option_id).encode("utf-8"))
        if size > TELEGRAM_CALLBACK_BYTES:
            found.append(
                error(
                    item.path,
                    button.line,
                    f"le bouton « {button.label} » est trop long à identifier pour Telegram : "
                    f"« /{step_id}:{button.option_id} » fait {size} octets, "
                    f"{TELEGRAM_CALLBACK_BYTES} au plus. Raccourcis le nom de l'étape "
                    f"« {step_id} » ou l'id « {button.option_id} ».",
                )
            )
    return found


def _whatsapp(
    ctx: Context, item: LoadedFlow, step_id: str, buttons: list[_Button], multiple: bool
) -> list[Finding]:
    count = len(buttons)
    if count > MAX_ROWS:
        extra = " (le bouton « C'est tout » compte aussi)" if multiple else ""
        return [
            note(
                *ctx.where(item, step_id),
                f"sur WhatsApp, les {count} choix{extra} ne tiennent pas dans une liste "
                f"({MAX_ROWS} au plus) : ils s'afficheront en texte numéroté, et la personne "
                f"répondra par le numéro ou par écrit. Pour de vrais boutons, garde "
                f"{MAX_ROWS} choix au plus.",
            )
        ]
    found: list[Finding] = []
    if count <= MAX_BUTTONS:
        titles = [shorten(b.label, BUTTON_TITLE) for b in buttons]
        if None not in titles and len(set(titles)) == count:
            return []
        long = [b.label for b, t in zip(buttons, titles, strict=True) if t is None]
        why = (
            f"« {long[0]} » ne tient pas sur un bouton ({BUTTON_TITLE} caractères au plus)"
            if long
            else "deux boutons se ressemblent une fois raccourcis"
        )
        found.append(
            note(
                *ctx.where(item, step_id),
                f"sur WhatsApp, {why} : la question s'affichera en liste à ouvrir.",
            )
        )
    rows: dict[str, _Button] = {}
    for button in buttons:
        picked = multiple and button.option_id != DONE
        for shown in (button.label, PICKED + button.label) if picked else (button.label,):
            title = shorten(shown, ROW_TITLE)
            if title is None:
                when = " une fois coché (✔)" if shown != button.label else ""
                found.append(
                    warning(
                        item.path,
                        button.line,
                        f"sur WhatsApp, le choix « {button.label} » sera coupé{when} "
                        f"({ROW_TITLE} caractères au plus dans une liste). Raccourcis-le.",
                    )
                )
                break
            if shown == button.label:
                if title in rows:
                    found.append(
                        warning(
                            item.path,
                            button.line,
                            f"sur WhatsApp, « {button.label} » et « {rows[title].label} » "
                            f"deviennent tous les deux « {title} » : la liste est impossible, "
                            "les choix s'afficheront en texte numéroté. Change l'un des deux.",
                        )
                    )
                rows[title] = button
    return found
