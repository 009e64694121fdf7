"""Rules on the translation files of ``flows/langues/``: complete, up to date, and within
the channels' limits in every language (Arabic lines marked right to left)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.bidi import RLM
from bot.engine.langfiles import Translation
from bot.engine.loader import placeholders
from bot.engine.translate import SOURCE, translated
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error, warning
from bot.flowtools.lint_channels import check_channels
from bot.flowtools.translations import all_sources, bidi, status
from bot.handoff.schemetexts import optional

SHOWN = 5  # keys listed in one finding; the rest are counted
# Plain English: Flesch reading ease of 60 or more (like the French score of 70, on the
# English formula), for messages of 6 words or more.
READABLE = {"en": 60.0}
MIN_WORDS = 6
MESSAGES = (".say", ".ask", ".hint", ".dont_know", ".text", ".end", ".reply", ".answer")


def check_translations(ctx: Context) -> list[Finding]:
    """Every language declared in global.yml has its file; each file is complete, not
    stale, keeps the ``{...}`` of the French, and fits the channels."""
    flows = ctx.flows
    found: list[Finding] = []
    for code in flows.glob.languages:
        if code != SOURCE and code not in flows.translations:
            found.append(
                error(
                    "global.yml",
                    ctx.locators["global.yml"].line("languages"),
                    f"la langue « {code} » n'a pas de textes : crée flows/langues/{code}.yml.",
                )
            )
    for translation in flows.translations.values():
        if translation.lang not in flows.glob.languages:
            found.append(
                warning(
                    translation.path,
                    None,
                    f"« {translation.lang} » n'est pas dans « languages: » de global.yml : "
                    "personne ne peut la choisir.",
                )
            )
        found += _status(ctx, translation)
        found += _texts(ctx, translation)
        found += _limits(ctx, translation)
        if ctx.advice and translation.lang in READABLE:
            found += _readable(translation)
    return found


_WORDS = re.compile(r"[A-Za-z']+")
_SENTENCES = re.compile(r"[.!?:\n]+")
_VOWELS = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    word = word.lower().strip("'")
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1  # a silent final e
    return max(count, 1)


def flesch_english(text: str) -> tuple[float, int]:
    """Flesch reading ease of an English text, and its word count (``{...}`` left out).

    Syllables are counted by vowel groups: no dictionary to download (textstat's English
    needs NLTK's cmudict fetched at run time).
    """
    plain = re.sub(r"\{[a-z_]+\}", " ", text)
    words = _WORDS.findall(plain)
    if not words:
        return 100.0, 0
    sentences = max(1, len([s for s in _SENTENCES.split(plain) if _WORDS.search(s)]))
    syllables = sum(_syllables(w) for w in words)
    score = 206.835 - 1.015 * len(words) / sentences - 84.6 * syllables / len(words)
    return score, len(words)


def _readable(translation: Translation) -> list[Finding]:
    """Messages of ``translation`` hard to read (long sentences, long words)."""
    found: list[Finding] = []
    wanted = READABLE[translation.lang]
    for key, text in translation.texts.items():
        message = key.endswith(MESSAGES) or key.startswith(("personne.", "faq.", "schemes."))
        if not isinstance(text, str) or not message or optional(key):  # a name
            continue
        score, words = flesch_english(text)
        if words >= MIN_WORDS and score < wanted:
            found.append(
                warning(
                    translation.path,
                    None,
                    f"« {key} » est difficile à lire (score {score:.0f}, il faut au moins "
                    f"{wanted:.0f}) : phrases plus courtes, mots plus courants.",
                )
            )
    return found


def _listed(keys: tuple[str, ...]) -> str:
    shown = ", ".join(keys[:SHOWN])
    return shown + (f" et {len(keys) - SHOWN} autres" if len(keys) > SHOWN else "")


def _status(ctx: Context, translation: Translation) -> list[Finding]:
    state = status(ctx.flows, translation, ctx.data)
    path, lang = translation.path, translation.lang
    found: list[Finding] = []
    if state.missing:
        found.append(
            warning(
                path,
                None,
                f"{len(state.missing)} texte(s) pas encore traduit(s) en « {lang} » (le "
                f"français est montré à la place) : {_listed(state.missing)}.",
            )
        )
    if state.stale:
        found.append(
            warning(
                path,
                None,
                f"{len(state.stale)} texte(s) français changé(s) depuis la traduction en "
                f"« {lang} » : {_listed(state.stale)}. Mets la traduction à jour, puis "
                f"`bot flows translations --stamp {lang}`.",
            )
        )
    if state.unknown:
        found.append(
            warning(
                path,
                None,
                f"clé(s) sans texte français (étape renommée ?) : {_listed(state.unknown)}.",
            )
        )
    return found


def _texts(ctx: Context, translation: Translation) -> list[Finding]:
    french = all_sources(ctx.flows, ctx.data)
    found: list[Finding] = []
    for key, text in translation.texts.items():
        source = french.get(key)
        if not isinstance(text, str) or not isinstance(source, str):
            continue
        if sorted(placeholders(text)) != sorted(placeholders(source)):
            found.append(
                warning(
                    translation.path,
                    None,
                    f"« {key} » : les {{...}} ne sont pas ceux du français "
                    f"({', '.join(placeholders(source)) or 'aucun'}).",
                )
            )
        # A scheme's name is never a line of its own: it goes inside a marked one.
        unmarked = bidi(text) != text and RLM not in source and not optional(key)
        if translation.lang == "ar" and unmarked:
            found.append(
                warning(
                    translation.path,
                    None,
                    f"« {key} » : une ligne commence par un nombre ou un nom en lettres "
                    "latines : mets la marque de droite à gauche (U+200F) devant, sinon "
                    "elle s'affiche à l'envers.",
                )
            )
    return found


def _limits(ctx: Context, translation: Translation) -> list[Finding]:
    """The button rules of the check, on the flows as this language shows them."""
    shown = Context.build(ctx.folder, translated(ctx.flows, translation), advice=ctx.advice)
    french = {(f.file, f.message) for f in check_channels(ctx)}
    return [
        replace(f, file=translation.path, line=None, message=f"[{f.file}] {f.message}")
        for f in check_channels(shown)
        if (f.file, f.message) not in french
    ]
