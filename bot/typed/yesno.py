"""Yes, no and "je sais pas" as people type them ("ouais", "vas-y", "non merci", "chais pas")."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.domain.text import fold


class Answer(StrEnum):
    """What a short answer says."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"  # "bof", "peut-être", "je sais pas": neither yes nor no


_YES = (
    "oui", "ouii", "ouiii", "ouais", "ouai", "ouaip", "ouep", "ouep", "wai", "wi", "ui", "vi",
    "yes", "yep", "yeah", "yup", "ok", "okay", "oki", "okk", "okey", "okai", "k", "kk",
    "d'accord", "d'acc", "dac", "dacc", "daccord", "d accord", "bien sur", "biensur",
    "carrement", "grave", "volontiers", "vas y", "vazy", "vasy", "go", "allez", "allez y",
    "exact", "exactement", "c'est ca", "c ca", "cest ca", "c'est bien ca", "c bien ca",
    "c bon", "c'est bon", "cest bon", "tout a fait", "parfait", "nickel", "ca marche",
    "ca me va", "pas de souci", "pas de soucis", "pas de probleme", "pas de prob",
    "sans probleme", "evidemment", "absolument", "avec plaisir", "je veux bien",
    "jveux bien", "voila", "c juste", "c'est juste", "cest juste", "correct", "valide",
    "j'accepte", "jaccepte", "j accepte", "accepte", "je suis d'accord", "chui d'accord",
    "envoie", "envoie le", "envoie lui", "envoi", "garde le", "gardez le", "tu peux garder",
    "tu peux", "vous pouvez", "tu peux l'envoyer", "tu peux envoyer", "envoyez",
    "affirmatif", "certainement", "bien entendu", "c'est parti", "cest parti",
    "top", "super", "impec", "impeccable", "ouais ouais", "oui oui", "bah oui", "ben oui",
    "bin oui", "ah oui", "mais oui", "oui bien sur", "c'est correct", "yess", "yesss",
    "azy", "oue", "oe", "we", "wep", "ouaii", "ouaiss", "si si", "mais si", "ben si", "bah si",
    "absolument", "ouep", "uii", "c'est ca oui", "enfin si", "tout est bon", "tout bon",
    "tout est juste", "c'est tout bon", "bien resume", "carre", "c'est carre", "bien",
    "c'est bien la", "c'est bien ca", "c'est bien", "oke", "okey", "tout juste", "bingo",
    # English, Arabic and Darija (also in Latin letters).
    "yes please", "sure", "of course", "that's right", "thats right", "go ahead",
    "alright", "all right", "i agree", "agreed", "fine", "yes sure",
    "نعم", "ايوه", "أيوه", "ايه", "إيه", "واه", "وخا", "واخا", "موافق", "موافقة", "صحيح",
    "بالطبع", "طبعا", "أكيد", "اكيد", "مزيان", "نعم من فضلك", "نعم شكرا",
    "wah", "wakha", "waha", "iyeh", "na3am", "mwafe9", "mzyan",
)  # fmt: skip
_NO = (
    "non", "nan", "nn", "no", "nope", "nop", "nah", "niet", "pas du tout", "jamais",
    "non merci", "pas maintenant", "plus tard", "laisse tomber", "pas envie",
    "je prefere pas", "jprefere pas", "j'prefere pas", "prefere pas", "je veux pas",
    "jveux pas", "j'veux pas", "veux pas", "je ne veux pas", "pas d'accord", "pas dac",
    "surtout pas", "hors de question", "pas question", "je refuse", "refuse", "pas la peine",
    "c'est faux", "c faux", "cest faux", "faux", "pas juste", "pas ca", "c pas ca",
    "c'est pas ca", "cest pas ca", "pas bon", "c pas bon", "erreur", "pas vraiment",
    "pas trop", "pas besoin", "ca va aller", "non c'est pas ca", "nan merci", "no thanks",
    "ne garde pas", "garde pas", "n'envoie pas", "envoie pas", "ne l'envoie pas",
    "pas pour l'instant", "pas pour le moment", "une autre fois", "je passe", "negatif",
    "naan", "nan nan", "non non", "ne garde rien", "garde rien", "gardes rien", "garde pas",
    "n'envoie rien", "envoie rien", "je prefere attendre", "plutot pas", "pas ma ville",
    "c'est pas", "c pas", "cest pas", "pas le bon", "je me suis trompe", "me suis trompe",
    "trompe", "pas exactement", "non pas", "pas du tout ca", "nope", "jamais de la vie",
    "pas tout a fait", "pas tout", "pas completement", "sauf", "il manque", "j'ai oublie",
    "pas encore", "c'est mort", "cest mort", "c mort", "je crois pas", "je pense pas",
    "pas absolument", "pas certainement", "pas vraiment", "pas clairement", "pas ok",
    "ca ira merci", "ca ira",
    "oublie", "presque", "a moitie", "une erreur", "faut changer", "changer", "pas vraiment ca",
    # English, Arabic and Darija (also in Latin letters).
    "no thank you", "not now", "i don't want", "i dont want", "wrong", "not really",
    "لا", "لا شكرا", "لا، شكرا", "لالا", "لا لا", "ماشي", "مابغيتش", "ما بغيتش", "ليس الآن",
    "لا أريد", "غلط", "خطأ", "ماشي دابا", "ماشي صحيح",
    "lla", "lala", "machi", "mashi", "mabghitch", "ma bghitch", "la chokran", "la choukran",
)  # fmt: skip
_UNSURE = (
    "bof", "peut etre", "peutetre", "ptet", "ptetre", "p'tet", "pe", "ca depend", "depend",
    "on verra", "hmm", "hm", "euh", "heu", "mouais", "moui", "pas sur", "pas sure",
    "je crois", "je pense", "jsais pas trop", "why not", "pourquoi pas", "je sais pas",
    "jsp", "je ne sais pas", "aucune idee", "j'hesite", "jhesite", "hesite", "mmh", "pas grave",
    "je sais pas trop", "jsais pas trop", "sais pas trop", "attends", "attend", "attendez", "att",
    "on verra", "si tu veux", "comme tu veux", "chais pas trop", "jsp trop", "chai pas trop",
    "je sais pas si", "je vois", "ok je vois",
)  # fmt: skip
_DONT_KNOW = (
    "je sais pas", "je ne sais pas", "je sais pas encore", "je ne sais pas encore",
    "jsp", "jsp encore", "jsais pas", "j'sais pas", "jsai pas", "jsai pa", "jsais pa",
    "chais pas", "chai pas", "chai pa", "chais pa", "che pas", "ché pas", "chepa",
    "sais pas", "sait pas", "sai pas", "je c pas", "jcp", "aucune idee", "aucune id",
    "pas d'idee", "pas idee", "aucun idee", "on verra", "je verrai", "on verra bien",
    "pas encore decide", "pas encore decidee", "pas sur", "pas sure",
    "idk", "i don't know", "dunno", "je sais plus", "j'en sais rien", "jen sais rien",
    "sais rien", "pas la moindre idee", "nsp", "je vois pas", "bonne question",
    "j'hesite", "jhesite", "j'hesite encore", "pas decide", "sais po", "je sais po",
    "c'est flou", "flou", "je ne sais pas trop", "je sais pas trop", "jsp trop",
    "ne sait pas", "ne sais pas", "chui pas sur", "jsuis pas sur", "je connais pas",
    "connais pas", "chepa", "chepas", "jsp le", "no idea", "j'ai pas reflechi", "pas reflechi",
    "pas encore reflechi", "ma3arfch", "ma3labalich", "vous me direz", "tu me diras",
    "i dont know", "i do not know", "not sure", "no clue", "dont know",
    "لا أعرف", "لا اعرف", "ما عرفتش", "ماعرفتش", "ما عارفش", "معرفتش", "ما علاباليش",
    "ma3reftch", "ma3rftch", "ma 3reftch", "ma3raftch",
)  # fmt: skip
_QUESTION = re.compile(r"\?\s*$")
_HEDGE = re.compile(r"\b(mais|sauf|si|par contre|quoi|qui|pourquoi|comment|c'est quoi|ca sert)\b")


def _phrases(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({fold(w) for w in words}, key=len, reverse=True)
    return re.compile(
        r"(?<![\w'])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w'])"
    )


_YES_RE, _NO_RE, _UNSURE_RE = _phrases(_YES), _phrases(_NO), _phrases(_UNSURE)
_DONT_KNOW_RE = _phrases(_DONT_KNOW)
_YES_EMOJI = ("👍", "✅", "👌", "🙆", "✔")
_NO_EMOJI = ("👎", "❌", "🙅", "✖")
# "pas de souci" is a yes although it holds "pas": removed before looking for negations.
_NOT_NEGATIONS = re.compile(r"\bpas de (souci|soucis|probleme|prob)\b")
# "non c'est bon", "non merci ça va": polite ways to say no that hold yes words.
_DISMISSAL = frozenset({"c bon", "c'est bon", "cest bon", "ca va", "ca ira", "merci", "voila"})
# Too weak for a consent: "c bon", a thumb, "top".
_WEAK = frozenset({"c bon", "c'est bon", "cest bon", "voila", "grave", "top", "super", "k", "kk"})


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _outside(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> bool:
    """True when some span of ``spans`` is not inside a span of ``others``."""
    return any(not any(a <= s and e <= b for a, b in others) for s, e in spans)


def read_yes_no(text: str, *, strict: bool = False) -> Answer | None:
    """Yes, no, unsure, or ``None`` when the text says none of these.

    With ``strict`` (a consent), only a plain yes is a yes: a yes mixed with a no, a
    doubt, a condition ("oui mais...") or a question ("ok ?") is ``UNSURE``.
    """
    raw = text.strip()
    folded = re.sub(r"([a-z])\1{2,}", r"\1", fold(raw).replace("-", " "))  # "nooon", "ouiii"
    # "absolument pas", "ok pas du tout": a yes word then "pas" is a no.
    folded = re.sub(
        r"\b(absolument|certainement|vraiment|clairement|ok|d'accord)\s+pas\b", r"pas \1", folded
    )
    yes = _spans(_YES_RE, folded)
    no = _spans(_NO_RE, folded)
    unsure = _spans(_UNSURE_RE, folded)
    # A longer phrase wins over the words inside it ("pas d'accord" over "d'accord").
    yes_alone = _outside(yes, no + unsure) or (not folded and any(e in raw for e in _YES_EMOJI))
    no_alone = _outside(no, yes + unsure) and not _NOT_NEGATIONS.search(folded)
    if folded in ("si", "oui si"):  # "si": yes to a question asked in the negative
        yes_alone = True
    if not folded:
        if any(e in raw for e in _NO_EMOJI):
            return Answer.NO
        return Answer.UNSURE if strict and yes_alone else Answer.YES if yes_alone else None
    last_said = max((*yes, *no), default=(0, 0))[1]
    if unsure and max(unsure)[0] >= last_said:  # "ouais... non... je sais pas"
        return Answer.UNSURE
    if yes_alone and no_alone:
        said = [folded[a:b] for a, b in yes]
        if no[0][0] < yes[0][0] and all(w in _DISMISSAL for w in said):
            return Answer.NO  # "non c'est bon"
        if strict:  # "oui mais non": a consent is asked again
            return Answer.UNSURE
        # The last word wins a change of mind ("ouais non", "ok mais non en fait");
        # "non... enfin si" stays unsure.
        return Answer.NO if max(no)[1] > max(yes)[1] else Answer.UNSURE
    if no_alone:
        starts_no = no[0][0] == 0
        return Answer.UNSURE if strict and _outside(unsure, no) and not starts_no else Answer.NO
    if yes_alone:
        if _QUESTION.search(raw):  # "ok ?", "c'est quoi exactement ?": a question
            return Answer.UNSURE
        if _outside(unsure, yes):  # "je sais pas si c'est bon"
            return Answer.UNSURE
        weak = all(folded[a:b] in _WEAK for a, b in yes)
        if strict and (_HEDGE.search(folded) or weak or _leftover(folded, yes) > 3):
            return Answer.UNSURE
        if re.search(r"\bpas\b", _NOT_NEGATIONS.sub("", folded)) and strict:
            return Answer.UNSURE
        return Answer.YES
    if unsure:
        return Answer.UNSURE
    return None


_POLITE = frozenset(
    {"stp", "svp", "merci", "pour", "moi", "bien", "sur", "alors", "bah", "ben", "bon", "ah",
     "wesh", "frere", "ma", "soeur", "oui", "je", "veux", "c'est", "cest", "ca", "lol", "mdr"}
)  # fmt: skip


def _leftover(folded: str, spans: list[tuple[int, int]]) -> int:
    """Words of ``folded`` outside ``spans`` that are not politeness."""
    kept = list(folded)
    for start, end in spans:
        kept[start:end] = " " * (end - start)
    return len([w for w in "".join(kept).split() if w not in _POLITE])


def says_dont_know(text: str) -> bool:
    """True when the message is mostly "je sais pas" (not a longer answer holding it)."""
    folded = fold(text)
    match = _DONT_KNOW_RE.search(folded)
    if match is None:
        return False
    rest = (folded[: match.start()] + " " + folded[match.end() :]).split()
    filler = {"euh", "bah", "ben", "bof", "encore", "trop", "du", "tout", "franchement",
              "dsl", "desole", "wesh", "mdr", "lol", "frere", "stp", "merci", "pour", "l'instant",
              "linstant", "le", "moment", "hmm", "heu", "ptdr", "ouais", "non", "nan", "et",
              "ce", "qu'il", "quil", "me", "faut", "de", "quoi", "j'ai", "jai", "besoin", "il",
              "vraiment", "repondre", "dire", "ou", "j'en", "en", "suis", "jen", "si", "c'est",
              "cest", "bon", "la", "mon", "code", "numero", "postal"}  # fmt: skip
    return len([w for w in rest if w not in filler]) <= 2
