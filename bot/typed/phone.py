"""French phone numbers in their usual spellings, read as E.164 ("06 12 34 56 78" -> +336...)."""

from __future__ import annotations

import re

# A run of digits with the separators people use; an optional +33 / 0033 in front.
_CANDIDATE = re.compile(r"(?:\+|\b00)?\d(?:[\s.\-/]*\(?\d\)?){7,15}")
# Overseas departments keep their own country codes for mobile numbers.
_COUNTRIES = ("33", "262", "590", "594", "596")
_OVERSEAS = {
    "0690": "590", "0691": "590", "0694": "594", "0696": "596", "0697": "596",
    "0692": "262", "0693": "262", "0639": "262",
}  # fmt: skip


def _national(digits: str) -> str | None:
    """A 10-digit French number ("0612345678") as E.164, or ``None``."""
    if len(digits) != 10 or digits[0] != "0" or digits[1] not in "12345679":
        return None
    overseas = _OVERSEAS.get(digits[:4])
    return f"+{overseas}{digits[1:]}" if overseas else f"+33{digits[1:]}"


def read_phone(text: str) -> str | None:
    """The one French phone number written in ``text``, as E.164; ``None`` otherwise.

    Accepts "06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78",
    "+33 (0)6 12...", "0033 6 12..." and a mobile written without its 0 ("6 12 34 56 78").
    Two different numbers, or digits that cannot be a French number, give ``None``.
    """
    found: set[str] = set()
    for match in _CANDIDATE.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw.replace("(0)", ""))
        international = raw.startswith(("+", "00")) or (len(digits) == 11 and digits[:2] == "33")
        if international:
            digits = digits.removeprefix("00")
            country = next((c for c in _COUNTRIES if digits.startswith(c)), None)
            rest = digits[len(country) :] if country else ""
            if len(rest) == 10 and rest[0] == "0":  # "+33 06 12 34 56 78"
                rest = rest[1:]
            if country is None or len(rest) != 9 or rest[0] == "0":
                return None
            number: str | None = f"+{country}{rest}"
        elif len(digits) == 9 and digits[0] in "67":
            number = _national("0" + digits)
        else:
            number = _national(digits)
        if number is None:
            return None
        found.add(number)
    return found.pop() if len(found) == 1 else None
