"""What a typed answer means for the question asked: an option, a value, "je sais pas"..."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.domain.text import fold, has_words
from bot.domain.understanding import Understanding
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep, Option
from bot.engine.state import SlotValue
from bot.engine.turn import Question
from bot.geo.postal import Place
from bot.geo.search import PlaceFinder
from bot.typed.numbers import Reading, read_amount, read_number
from bot.typed.phone import read_phone
from bot.typed.phrases import PhraseIndex, best_keys, find_hits, make_phrases, words
from bot.typed.yesno import Answer, read_yes_no, says_dont_know

LABEL_RATIO = 85  # a whole answer this close to a label is that label ("Restoration")


@dataclass(frozen=True, slots=True)
class Chosen:
    """The answer: the slot's value, the options it names, the slots it also fills.

    ``number`` is the number that chose the option, for the question right after it
    ("ça fait 5 ans que j'ai ma boîte": 3 years or more, and the company's age).
    """

    value: SlotValue
    options: tuple[Option, ...] = ()
    extra: Mapping[str, SlotValue] = field(default_factory=dict)
    number: Reading | None = None


@dataclass(frozen=True, slots=True)
class Candidates:
    """The answer fits several options: the person picks one."""

    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    """Several communes match: the person picks one."""

    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class DontKnow:
    """ "Je sais pas" where no button means it."""


@dataclass(frozen=True, slots=True)
class Unclear:
    """Not an answer. ``reason`` names a message of ``global.yml`` (``None``: the
    question's hint); ``values`` fill its placeholders ({said}, {max}...)."""

    reason: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


Meaning = Chosen | Candidates | PlaceChoice | DontKnow | Unclear


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """What the engine knows about a question's options, computed once per flow version."""

    phrases: PhraseIndex
    numeric: bool  # every option that is not yes/no/skip/"je sais pas" has a range
    means: Mapping[str, Option]
    confirm: frozenset[str]  # options to confirm when typed
    whole: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # answer -> option ids


def question_info(step: Question, ends: frozenset[str] = frozenset()) -> QuestionInfo:
    """Precompute matching data for ``step``; ``ends`` are options that end the chat."""
    if isinstance(step, ConsentStep):
        return QuestionInfo(PhraseIndex.of(()), False, {}, frozenset())
    named = {o.id: [o.label, *o.words] for o in step.options}
    ranged = [o for o in step.options if o.means is None]
    confirm = {o.id for o in step.options if o.confirm or (o.confirm is None and o.id in ends)}
    whole: dict[str, tuple[str, ...]] = {}
    for option in step.options:
        for said in {fold(option.label), *(fold(w) for w in option.words)}:
            whole[said] = (*whole.get(said, ()), option.id)
    return QuestionInfo(
        PhraseIndex.of(make_phrases(named)),
        bool(ranged) and all(o.range is not None for o in ranged),
        {o.means: o for o in step.options if o.means is not None},
        frozenset(confirm),
        whole,
    )


def in_range(option: Option, reading: Reading) -> bool:
    """True when the whole of ``reading`` falls in the option's range."""
    if option.range is None:
        return False
    low, high = option.range
    value_low, value_high = int(reading.low), int(reading.high)  # "5 ans et demi": 5
    return low <= value_low and (high is None or value_high <= high)


def overlaps(option: Option, reading: Reading) -> bool:
    if option.range is None:
        return False
    low, high = option.range
    return int(reading.high) >= low and (high is None or int(reading.low) <= high)


def _position(options: list[Option], text: str) -> Option | None:
    folded = fold(text)
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    return None


def _exact(options: list[Option], info: QuestionInfo, folded: str) -> list[Option]:
    """The options whose label or one of whose words is the whole answer."""
    ids = info.whole.get(folded, ())
    return [o for o in options if o.id in ids]


_MY_AGE = re.compile(r"\b(?:j'?ai|jai|g)\s+\d+\s*(?:ans|an|a)\b")


def _by_numbers(options: list[Option], reading: Reading) -> Meaning:
    fitting = [o for o in options if in_range(o, reading)]
    touching = fitting or [o for o in options if overlaps(o, reading)]
    if len(touching) == 1:  # "plus de 30": only "31 ans ou plus" is possible
        return Chosen(touching[0].id, (touching[0],), number=reading)
    if len(touching) > 1:
        return Candidates(tuple(touching))
    return Unclear("understood_other", {"said": reading.said})


def _yes_no_option(info: QuestionInfo, text: str) -> Meaning | None:
    if "yes" not in info.means and "no" not in info.means:
        return None
    answer = read_yes_no(text)
    if answer is Answer.YES and "yes" in info.means:
        return Chosen(info.means["yes"].id, (info.means["yes"],))
    if answer is Answer.NO and "no" in info.means:
        return Chosen(info.means["no"].id, (info.means["no"],))
    return None


def _dont_know(step: Question, info: QuestionInfo, multiple: bool) -> Meaning:
    """ "Je sais pas": its button, else (without a kind word for it) the skip button."""
    option = info.means.get("dont_know")
    if option is None and not getattr(step, "dont_know", None):
        option = info.means.get("skip")
    if option is None:
        return DontKnow()
    return Chosen([option.id] if multiple else option.id, (option,))


def read_choice(
    step: ChoiceStep,
    info: QuestionInfo,
    text: str,
    understanding: Understanding,
    *,
    positions: bool,
    this_year: int,
) -> Meaning:
    """What ``text`` answers to a question with buttons."""
    options = step.options
    folded = fold(text)
    if positions and not step.multiple:
        chosen = _position(options, text)
        if chosen is not None:
            return Chosen(chosen.id, (chosen,))
    exact = _exact(options, info, folded) if folded else []
    if len(exact) == 1:
        return Chosen([exact[0].id] if step.multiple else exact[0].id, (exact[0],))
    if len(exact) > 1 and not step.multiple and not info.numeric:
        return Candidates(tuple(exact))
    if step.multiple and positions:
        numbers = folded.replace(" et ", " ").split()
        if numbers and all(n.isdigit() and 1 <= int(n) <= len(options) for n in numbers):
            ids = list(dict.fromkeys(options[int(n) - 1].id for n in numbers))
            picked = tuple(o for o in options if o.id in ids)
            return Chosen(ids, picked)
    yes_no = _yes_no_option(info, text)
    if yes_no is not None:
        return yes_no
    said = words(text)
    hits = find_hits(said, info.phrases, needs=step.multiple)
    keys = best_keys(hits, said)  # what follows "pour" is a purpose, not another answer
    named = [o for o in options if o.id in keys and o.means != "dont_know"]
    if says_dont_know(text) and not (step.multiple and named):  # "jsp par où commencer"
        return _dont_know(step, info, step.multiple)
    reading = (
        read_amount(text) if step.numbers == "euros" else read_number(text, this_year=this_year)
    )
    if info.numeric and reading is not None:
        return _by_numbers([o for o in options if o.range is not None], reading)
    named = [o for o in options if o.id in keys]
    if named and step.multiple:
        named = [o for o in named if o.means != "dont_know"] or named
        return Chosen([o.id for o in named], tuple(named))
    if len(named) > 1 and reading is not None:  # "ça fait 5 ans que j'ai ma boîte"
        fitting = [o for o in named if in_range(o, reading)]
        if len(fitting) == 1:
            return Chosen(fitting[0].id, (fitting[0],), number=reading)
    if len(named) == 1:
        return Chosen(named[0].id, (named[0],))
    if len(named) > 1:
        return Candidates(tuple(named))
    ranged = [o for o in options if o.range is not None]
    if reading is not None and reading.years and ranged and not _MY_AGE.search(fold(text)):
        # "ça fait 5 ans", "+ de 3 ans": a duration answers the options with ranges.
        return _by_numbers(ranged, reading)
    if step.entity:
        value = understanding.entity(step.entity)
        entity = next((o for o in options if o.id == value), None)
        if entity is not None:
            return Chosen([entity.id] if step.multiple else entity.id, (entity,))
    if folded and not step.multiple:
        best = max(options, key=lambda o: fuzz.ratio(folded, fold(o.label)))
        if fuzz.ratio(folded, fold(best.label)) >= LABEL_RATIO:
            return Chosen(best.id, (best,))
    return Unclear()


def read_consent(text: str) -> bool | None:
    """A consent needs a clear yes or a clear no; anything else is ``None``."""
    answer = read_yes_no(text, strict=True)
    if answer is Answer.YES:
        return True
    if answer is Answer.NO:
        return False
    return None


def read_input(
    step: InputStep,
    info: QuestionInfo,
    text: str,
    finder: PlaceFinder,
    *,
    this_year: int,
) -> Meaning:
    """What ``text`` answers to a question typed in (text, number, place, phone...)."""
    folded = fold(text)
    if step.options:
        exact = _exact(step.options, info, folded) if folded else []
        if not exact and step.expect != "text":
            keys = best_keys(find_hits(words(text), info.phrases))
            exact = [o for o in step.options if o.id in keys]
        if len(exact) == 1:
            return Chosen(exact[0].id, (exact[0],))
    if step.expect != "text" and says_dont_know(text):
        return _dont_know(step, info, False)
    if step.expect == "text":
        if not has_words(text):
            return Unclear("invalid_text_empty")
        if len(text) > step.max_length:
            return Unclear("invalid_text_long", {"max": str(step.max_length)})
        return Chosen(text)
    if step.expect == "yes_no":
        answer = read_yes_no(text)
        if answer in (Answer.YES, Answer.NO):
            return Chosen(answer is Answer.YES)
        return Unclear("invalid_yes_no")
    if step.expect == "number":
        return _number(step, text, this_year)
    if step.expect == "phone":
        phone = read_phone(text)
        return Chosen(phone) if phone else Unclear("invalid_phone")
    return _place(step, text, finder)


def _number(step: InputStep, text: str, this_year: int) -> Meaning:
    reading = read_number(text, this_year=this_year)
    if reading is None or not reading.exact:
        return Unclear("invalid_number")
    value = reading.low
    if step.min is not None and value < step.min:
        return Unclear("invalid_number_min", {"min": f"{step.min:g}"})
    if step.max is not None and value > step.max:
        return Unclear("invalid_number_max", {"max": f"{step.max:g}"})
    return Chosen(int(value) if value.is_integer() else value)


def place_slots(place: Place) -> dict[str, SlotValue]:
    """The slots a chosen place fills."""
    return {
        "postal_code": place.postal_code,
        "commune": place.commune,
        "insee": place.insee,
        "department": place.department,
    }


def _place(step: InputStep, text: str, finder: PlaceFinder) -> Meaning:
    found = finder.search(text)
    if step.expect == "postal_code" and not found.by_code:
        return Unclear("invalid_postal_code")
    if not found.places:
        if found.by_code:
            return Unclear("unknown_postal_code")
        return Unclear("unknown_commune", {"said": found.said or text.strip()})
    if len(found.places) == 1:
        extra = place_slots(found.places[0])
        return Chosen(extra.pop(step.slot, found.places[0].postal_code), extra=extra)
    return PlaceChoice(found.places)
