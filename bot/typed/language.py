"""Which language a short message is written in: French, English or Arabic (script, words).

A small identifier of our own rather than a packaged model: residents' messages are one
to ten words in SMS spelling (« jsp », « pk », « wesh », « u », « pls »), where general
identifiers trained on sentences guess poorly, and word lists run in microseconds with no
model file. Arabic script decides at once; Latin text is scored by the common words and
spellings of each language (Arabic written in Latin letters, « bghit », « flous », counts
as Arabic). A guess is ``sure`` when its lead over the other languages is clear.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9']+")
# A lone 2, 3, 7 or 9 standing for a letter (« 3afak », « n7al »), not a number with its
# unit (« 3ans », « 17ans », « 40k »).
_ARABIZI_DIGITS = re.compile(r"(?<![0-9])(?:[a-z][2379]|[2379][a-z])(?![0-9])")
_UNIT = re.compile(r"[0-9]+(?:ans?|mois|k|e|eme|er|h|min|j|jours?|euros?|years?|yo|m|am|pm)$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words only one language uses (folded: lower case, no accents).
_FR = _words(
    """
    je j' tu il elle on nous vous ils elles le la les un une des du de au aux ce cet cette
    ces mon ma mes ton ta tes son sa ses notre votre leur et ou mais donc car ni que qui quoi
    est suis es sommes etes sont ai as avons avez ont pas ne plus rien jamais oui ouais ouai
    non nan bonjour bonsoir salut merci coucou cc slt bjr bsr stp svp pour par avec sans
    dans sur sous chez ca c' cest c'est jsp chui chuis jai j'ai jveux veux voudrais
    aimerais peux peut faire fais fait lancer ouvrir creer entreprise boite projet
    aide aides argent sous thune local magasin resto restaurant quartier ville commune
    combien comment pourquoi quand ou quel quelle quels quelles qu'est-ce pk pq pkoi
    tkt mdr ptdr bcp trop tres bien mal d'accord dac dacc ouep vrai faux peut-etre
    ans mois annee annees euros euro emploi chomage chômage travail boulot
    rien moi toi lui eux parle parler francais anglais arabe quelqu'un personne
    aussi encore deja toujours alors voila voilà bah ben euh bref genre truc
    sais savoir connais pense crois mais vraiment bon bonne nouveau nouvelle
    m'appelle appelle habite j'habite vis travaille cherche besoin hein vas y
    recommencer corriger supprimer nettoyage arrete arreter donnees
    """
)
_EN = _words(
    """
    i i'm im me my mine you you're your u ur he she it we they them the a an and or but
    is am are was were be been have has had do does did don't dont not no yes yeah yep
    yup nope hello hi hey thanks thank thx pls please plz what who why how when where
    which this that these those there here with without for from of to in on at by
    want wanna gonna need like would could can can't cant will shall should
    open start business shop money funding loan help speak english french arabic
    someone somebody anyone person talk call me phone number old years year live
    living work working job unemployed company idea already just about know dunno
    idk sure okay ok maybe good great fine sorry understand name city town
    much many some any all too very really also still yet get got make making
    ahead never mind sell selling buy food restaurant store online clothes cleaning delivery
    """
)
_AR_LATIN = _words(
    """
    salam slm wesh wech labas bikhir hamdoulah hamdullah hamdoullah inchallah nchallah
    wallah wlh wakha wakhha safi bghit bghina bgheet nbghi ndir ndirou nhal khdma khedma
    flous fulus drahem dirham mzyan mzyen bezaf bzaf chwiya chwia shwiya chno chnou
    achno ach wach wash kifach kifash fen feen ana nta nti ntouma howa hiya hna
    3afak 3fak 3lach 3arbi 3arbiya l3arbiya darija derja ewa iwa lla
    machi mashi walou walo walu baghi baghya m3a m3ak dyal dial diyali dyali
    hanout hanut mashrou3 machrou3 mochkil mouchkil smahli smah chokran choukran
    shukran barak baraka lahoma kayn kayen makaynch fhamt fhamtch fhemt fhemtch
    """
)
# Words the three share or that say nothing (numbers, « ok », emoji...) score for none.
_SHARED = _words("ok okay cool top super go stop taxi bus hotel restaurant 1 2 3")
_FR_MARKS = re.compile(r"[éèêàâçùûîôœë]")


@dataclass(frozen=True, slots=True)
class Guess:
    """The language found (``fr``, ``en``, ``ar``) or ``None``, and how clear it is."""

    lang: str | None
    sure: bool


NOTHING = Guess(None, False)


def _arabic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for ch in letters if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f")
    return arabic / len(letters)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def detect(text: str) -> Guess:
    """Guess the language of one short message (never raises, about 10 µs)."""
    if _arabic_share(text) >= 0.5:
        return Guess("ar", True)
    lowered = text.casefold()
    words = _WORD.findall(_fold(text))
    if not words:
        return NOTHING
    scores = {"fr": 0.0, "en": 0.0, "ar": 0.0}
    for word in words:
        if word in _SHARED:
            continue
        parts = [word, *word.split("'")] if "'" in word else [word]
        hit = False
        for part in parts:
            if part in _FR or (part + "'") in _FR:
                scores["fr"] += 1
                hit = True
            if part in _EN:
                scores["en"] += 1
                hit = True
            if part in _AR_LATIN:
                scores["ar"] += 1
                hit = True
        if not hit and _ARABIZI_DIGITS.search(word) and not _UNIT.search(word):
            scores["ar"] += 1
        elif not hit and len(word) > 3 and word.endswith(("tion", "ment", "eur", "eux")):
            scores["fr" if not word.endswith("tion") else "en"] += 0.3
        elif not hit and word.endswith("tch") and len(word) > 4:
            scores["ar"] += 1
        elif not hit and word.endswith(("er", "ez")) and len(word) > 5:
            scores["fr"] += 0.5
        elif not hit and word.endswith(("ing", "ly")) and len(word) > 4:
            scores["en"] += 0.5
    if _FR_MARKS.search(lowered):
        scores["fr"] += 1.5
    if "'" in lowered and re.search(r"\b(?:j|l|d|c|qu|m|t|n|s)'", lowered):
        scores["fr"] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top == 0:
        return NOTHING
    sure = top - second >= 1 and top >= 2 * second
    return Guess(best, sure)
