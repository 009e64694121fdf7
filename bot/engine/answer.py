"""Answering the question asked: a button, or typed words read for that question."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.messages import Button
from bot.domain.text import is_other_script
from bot.domain.understanding import NOTHING, Understanding
from bot.engine import faq
from bot.engine.choices import option_ids
from bot.engine.interpret import (
    Candidates,
    Chosen,
    DontKnow,
    Meaning,
    PlaceChoice,
    Unclear,
    in_range,
    read_choice,
    read_consent,
    read_input,
)
from bot.engine.kit import Kit
from bot.engine.own import ask_current, confirm, offer_places, store
from bot.engine.render import DONE, PAYLOAD, payload
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep, Option
from bot.engine.state import Mode, PlanNudge, Purpose, RecordConsent, Status
from bot.engine.turn import Question, Turn, notice_hash
from bot.engine.walk import advance, follow
from bot.privacy.sensitive import redact

OFF_TOPIC = "out_of_scope"  # the NLU's intent for chatter the bot cannot help with


def read(
    kit: Kit, turn: Turn, step_id: str, step: Question, text: str, understanding: Understanding
) -> Meaning:
    """What typed ``text`` answers to the question at ``step_id`` (nothing is changed)."""
    if is_other_script(text) and kit.lang != "ar":
        return Unclear("other_language")
    if isinstance(step, ConsentStep):
        granted = read_consent(text)
        return Unclear("consent_unclear") if granted is None else Chosen(granted)
    info = kit.info(turn.state.flow, step_id)
    if isinstance(step, ChoiceStep):
        numbered_above = kit.flows.glob.settings.numbered_above
        positions = turn.state.numbered or len(step.options) > numbered_above
        return read_choice(
            step, info, text, understanding, positions=positions, this_year=turn.now.year
        )
    return read_input(step, info, text, kit.finder, this_year=turn.now.year)


def answer(
    kit: Kit, turn: Turn, text: str, button: str | None, understanding: Understanding
) -> None:
    """Take the person's answer to the current question, or say why it cannot be used.

    A question to the bot ("c'est gratuit ?") is answered first when the message looks
    like one; otherwise what answers the question wins, and the FAQ comes next.
    """
    step_id = turn.state.step or ""
    step = kit.question(turn.state.flow, step_id)
    if step is None:  # a conversation parked on a non-question step: move on
        advance(kit, turn, step_id)
        return
    if button is not None:
        turn.heard = "answer"
        _pressed(kit, turn, step_id, step, button)
        return
    free_text = isinstance(step, InputStep) and step.expect == "text"
    asked = faq.match(kit, text, understanding, free_text=free_text)
    if free_text and asked is None and isinstance(step, InputStep) and step.personal:
        text = _redacted(kit, turn, text)
    meaning = read(kit, turn, step_id, step, text, understanding)
    if not free_text and faq.asks_something(text) and isinstance(meaning, Chosen):
        meaning = Unclear()  # "c'est quoi un prêt d'honneur ?" names a need: still a question
    question_first = asked is not None and (free_text or text.rstrip().endswith("?"))
    if asked is not None and (question_first or not isinstance(meaning, Chosen)):
        faq.say_answer(kit, turn, asked, text)
        ask_current(kit, turn)
        return
    if isinstance(step, ConsentStep):
        if isinstance(meaning, Chosen):
            turn.heard = "answer"
            consent(kit, turn, step_id, step, meaning.value is True)
        elif (entry := faq.match(kit, text, understanding, unanswered=True)) is not None:
            faq.say_answer(kit, turn, entry, text)
            ask_current(kit, turn)
        else:
            miss(kit, turn, step, meaning)
        return
    if (
        isinstance(step, ChoiceStep)
        and step.correction is not None
        and not (isinstance(meaning, Chosen) and meaning.value == "yes")
        and _corrected(kit, turn, step_id, step, step.correction, text, understanding)
    ):
        return
    take(kit, turn, step_id, step, meaning, text, understanding)


# "non", "nan c'est pas ça", "plutôt", "en fait" before the answer that replaces another
_NOT_THAT = re.compile(
    r"^(?:\s*(?:non|na+n|nn|no|corrige[rz]?|je corrige|modifier|changer|pas (?:ça|ca)"
    r"|c'?est pas (?:ça|ca)|c pas (?:ça|ca)|pas du tout|plut[oô]t|en fait|mais|je suis [àa]"
    r"|j'?habite [àa]?)\b[\s,.;:!-]*)+",
    re.IGNORECASE,
)


def _corrected(
    kit: Kit,
    turn: Turn,
    asked: str,
    check: ChoiceStep,
    step_id: str,
    text: str,
    understanding: Understanding,
) -> bool:
    """« non, Vaulx-en-Velin » while « C'est bien Villeurbanne ? » (``check``) is asked:
    another answer to the question it checks replaces the first one (and is checked in
    turn)."""
    checked = kit.question(turn.state.flow, step_id)
    words = _NOT_THAT.sub("", text).strip()
    if not isinstance(checked, ChoiceStep | InputStep) or not words:
        return False
    if isinstance(read(kit, turn, asked, check, words, NOTHING), Chosen):
        return False  # « non, corriger », « faux »: an answer to the check itself
    meaning = read(kit, turn, step_id, checked, words, understanding)
    if isinstance(meaning, Chosen):
        said = {checked.slot: meaning.value, **meaning.extra}
        if all(turn.state.slots.get(slot) == value for slot, value in said.items()):
            return False  # the same answer again: read as it comes
    elif not isinstance(meaning, PlaceChoice):
        return False
    turn.state = replace(turn.state, step=step_id, mode=Mode.ANSWER, retries=0)
    take(kit, turn, step_id, checked, meaning, words, understanding)
    return True


def take(
    kit: Kit,
    turn: Turn,
    step_id: str,
    step: ChoiceStep | InputStep,
    meaning: Meaning,
    text: str,
    understanding: Understanding = NOTHING,
    *,
    confirmed: bool = False,
) -> None:
    """Act on what a typed answer means (``confirmed``: said back and confirmed)."""
    if isinstance(meaning, Chosen):
        options = meaning.options
        ending = kit.info(turn.state.flow, step_id).confirm
        if len(options) == 1 and options[0].id in ending and not confirmed:
            turn.heard = "confirm"
            confirm(kit, turn, options[0].id, text)
            return
        turn.heard = "answer"
        store(kit, turn, step.slot, meaning.value, **meaning.extra)
        single = options[0] if len(options) == 1 and not _multiple(step) else None
        follow(kit, turn, single.next if single and single.next else step.next, step_id)
        if meaning.number is not None:
            _carry(kit, turn, meaning)
    elif isinstance(meaning, Candidates):
        turn.heard = "pick"
        _which_one(kit, turn, step_id, meaning.options)
    elif isinstance(meaning, PlaceChoice):
        turn.heard = "pick"
        offer_places(kit, turn, meaning.places)
    elif (entry := faq.match(kit, text, understanding, unanswered=True)) is not None:
        faq.say_answer(kit, turn, entry, text)
        ask_current(kit, turn)
    elif isinstance(meaning, DontKnow):
        turn.heard = "dont_know"
        turn.say(kit.render.fill(step.dont_know or kit.messages.dont_know, turn.view()))
        turn.say(_hint(kit, step))
        ask_current(kit, turn)
    elif faq.looks_like_question(text):
        # An honest "je ne sais pas"; it counts as a miss, so a run of questions the bot
        # cannot answer ends with the offer of a person.
        faq.say_unknown(kit, turn)
        _count_miss(kit, turn, step)
        ask_current(kit, turn)
    else:
        miss(kit, turn, step, meaning)


def _multiple(step: Question) -> bool:
    return isinstance(step, ChoiceStep) and step.multiple


def _carry(kit: Kit, turn: Turn, meaning: Chosen) -> None:
    """The number that chose an option also answers the next question when it asks for a
    number of the same kind ("ça fait 5 ans que j'ai ma boîte": the company's age)."""
    reading = meaning.number
    step_id = turn.state.step or ""
    step = kit.question(turn.state.flow, step_id)
    waiting = turn.state.mode is Mode.ANSWER and turn.state.status is Status.ACTIVE
    if reading is None or not waiting or not isinstance(step, ChoiceStep) or not turn.replies:
        return
    if not kit.info(turn.state.flow, step_id).numeric or step.numbers != "count":
        return  # a count of years or people never answers an amount of money
    fitting = [o for o in step.options if in_range(o, reading)]
    if len(fitting) != 1:
        return
    turn.replies.pop()  # the question just asked: its answer is already known
    turn.say(kit.messages.noted.replace("{noted}", fitting[0].label))
    store(kit, turn, step.slot, fitting[0].id)
    follow(kit, turn, fitting[0].next or step.next, step_id)


def _which_one(kit: Kit, turn: Turn, step_id: str, options: tuple[Option, ...]) -> None:
    buttons = tuple(Button(payload(step_id, o.id), o.label) for o in options)
    turn.say(kit.messages.which_one, buttons)


def _pressed(kit: Kit, turn: Turn, step_id: str, step: Question, button: str) -> None:
    match = PAYLOAD.match(button)
    pressed_step, option_id = match.groups() if match else ("", "")
    if pressed_step != step_id:
        turn.say(kit.messages.stale_button)
        ask_current(kit, turn)
        return
    if option_id not in option_ids(step):
        turn.say(kit.messages.unknown_button)
        ask_current(kit, turn)
        return
    if isinstance(step, ConsentStep):
        consent(kit, turn, step_id, step, option_id == "yes")
    elif isinstance(step, ChoiceStep) and step.multiple:
        _toggle(kit, turn, step_id, step, option_id)
    else:
        option = next(o for o in step.options if o.id == option_id)
        store(kit, turn, step.slot, option.id)
        follow(kit, turn, option.next or step.next, step_id)


def _toggle(kit: Kit, turn: Turn, step_id: str, step: ChoiceStep, option_id: str) -> None:
    """A press on a multiple-choice question: pick or unpick; « C'est tout » moves on."""
    current = turn.state.slots.get(step.slot)
    picked = list(current) if isinstance(current, list) else []
    messages = kit.messages
    if option_id == DONE:
        if not picked:
            turn.say(messages.multi_empty.replace("{done}", step.done_label))
            ask_current(kit, turn)
            return
        store(kit, turn, step.slot, picked)
        follow(kit, turn, step.next, step_id)
        return
    option = next((o for o in step.options if o.id == option_id), None)
    if option is not None and option.means == "dont_know":  # "Je ne sais pas": nothing to add
        store(kit, turn, step.slot, [option.id])
        follow(kit, turn, step.next, step_id)
        return
    picked = [p for p in picked if p != option_id] if option_id in picked else [*picked, option_id]
    turn.state = turn.state.with_slots(**{step.slot: picked or None})
    noted = kit.render.label(step.slot, picked) if picked else messages.multi_nothing
    question = kit.render.question(step_id, step, turn.state.slots)
    text = messages.multi_noted.replace("{noted}", noted).replace("{done}", step.done_label)
    turn.replies.append(replace(question, text=text))


def consent(kit: Kit, turn: Turn, step_id: str, step: ConsentStep, granted: bool) -> None:
    """Record a consent answer with the exact text shown, then move on."""
    slots = turn.view()
    shown = kit.render.fill(step.text, slots)
    version = f"{turn.state.flow}.{step_id}@{turn.state.flow_version}"
    relay = slots.get("relay_id") if step.consent == "relay" else None
    turn.effects.append(
        RecordConsent(
            Purpose(step.consent),
            granted,
            version,
            notice_hash(shown),
            relay if isinstance(relay, str) else None,
            turn.state.lang or "fr",
        )
    )
    store(kit, turn, f"consent_{step.consent}", "yes" if granted else "no")
    followups = kit.flows.followups
    if step.consent == "contact" and granted and followups is not None:
        settings = followups[1]
        if settings.nudge is not None:  # cancelled at the end: only for an intake left
            turn.effects.append(PlanNudge(settings.due(settings.nudge, turn.now)))
    follow(kit, turn, step.next, step_id)


def _redacted(kit: Kit, turn: Turn, text: str) -> str:
    redaction = redact(text)
    if redaction.categories:
        names = kit.messages.redacted_categories
        categories = ", ".join(names.get(c, c) for c in redaction.categories)
        turn.say(kit.messages.redacted.replace("{categories}", categories))
    return redaction.text


def _hint(kit: Kit, step: Question) -> str:
    if isinstance(step, ConsentStep):
        return ""
    if step.hint:
        return step.hint
    if isinstance(step, ChoiceStep):
        return kit.messages.hint_multiple if step.multiple else kit.messages.hint_choice
    return ""


def _count_miss(kit: Kit, turn: Turn, step: Question) -> bool:
    """One more misunderstanding in a row; ``True`` once the choices get numbers."""
    retries = turn.state.retries + 1
    numbered = retries >= kit.flows.glob.settings.max_retries and not isinstance(step, ConsentStep)
    turn.state = replace(turn.state, retries=retries, numbered=numbered or turn.state.numbered)
    return numbered


def miss(kit: Kit, turn: Turn, step: Question, meaning: Meaning) -> None:
    """The message does not answer: say what was understood and how to answer; after
    ``max_retries`` misses in a row, the choices get numbers and a person is offered."""
    messages = kit.messages
    turn.heard = "unclear"
    if turn.noted:  # not this question's answer, but later ones': say so, ask again
        turn.say(messages.noted.replace("{noted}", ", ".join(turn.noted)))
        ask_current(kit, turn)
        return
    chatter = messages.chatter.get(turn.intent or "") if turn.sure else None
    if chatter is not None and turn.intent != OFF_TOPIC:  # "merci", "salut": polite, not lost
        turn.heard = "chatter"
        turn.say(chatter)
        ask_current(kit, turn)
        return
    retries = turn.state.retries + 1
    numbered = retries >= kit.flows.glob.settings.max_retries and not isinstance(step, ConsentStep)
    turn.state = replace(turn.state, retries=retries, numbered=numbered or turn.state.numbered)
    reason = messages.not_understood
    if isinstance(meaning, Unclear) and meaning.reason is not None:
        reason = getattr(messages, meaning.reason)
        for name, value in meaning.values.items():
            reason = reason.replace(f"{{{name}}}", value)
    turn.say(reason if numbered else f"{reason} {_hint(kit, step)}")
    ask_current(kit, turn)
