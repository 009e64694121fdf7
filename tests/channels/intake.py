"""The test intake (``tests/flows/main.yml``) walked by a resident of any channel."""

from __future__ import annotations

from typing import Any, Protocol

PITCH = "Un camion de pizzas au marché"
FIRST_NAME = "Inès"


class Resident(Protocol):
    """What the scripts need of a resident: type, press an option by its id, read."""

    async def say(self, text: str) -> object: ...

    async def choose(self, option_id: str) -> object: ...

    def said(self, fragment: str) -> bool: ...


async def answer_up_to_consent(
    resident: Resident, *, pitch: str = PITCH, place: str = "69120"
) -> None:
    """From the age question (already asked) to the contact consent, pressing buttons."""
    assert resident.said("Q1/7. T-AGE?")
    await resident.choose("adult")
    assert resident.said("Q2/7. T-STAGE?")
    await resident.choose("idea")
    await resident.choose("restauration")
    assert resident.said("Q4/7. T-PITCH?")
    await resident.say(pitch)
    assert resident.said("Q5/7. T-NEEDS?")
    await resident.choose("argent")
    assert resident.said("T-MULTI Money")  # several needs: the question stays
    await resident.choose("_done")
    assert resident.said("Q6/7. T-PLACE?")
    await resident.say(place)
    assert resident.said("Q7/7. T-CONTACT?")
    await resident.choose("message")
    assert resident.said("T-KEEP-CONTACT?")


async def go_through_intake(
    resident: Resident,
    *,
    share: bool = True,
    first_name: str = FIRST_NAME,
    pitch: str = PITCH,
    relay: str = "Samira",
) -> None:
    """The whole intake by buttons (69120: the Vaulx relay), up to the lead."""
    await answer_up_to_consent(resident, pitch=pitch)
    await resident.choose("yes")
    assert resident.said(f"T-SEND-TO {relay}?")
    await resident.choose("yes" if share else "no")
    assert resident.said("T-NAME?")
    await resident.say(first_name)
    assert resident.said(f"T-SENT {relay} " if share else "T-KEPT-DONE.")


# Only typing, as in a text message: (typed, what the answer shows). The relay of
# Lyon 8e is Julien (BGE Rhône); a question to the bot is answered, then the same
# question again.
TYPED_INTAKE: list[tuple[str, tuple[str, ...]]] = [
    ("slt", ("T-WELCOME.", "Q1/7. T-AGE?")),
    ("jai 34 ans", ("Q2/7. T-STAGE?",)),
    ("juste une idee", ("Q3/7. T-SECTOR?",)),
    ("c'est gratuit ?", ("T-FAQ-FREE.", "Q3/7. T-SECTOR?")),
    ("jsp", ("Q4/7. T-PITCH?",)),
    (PITCH, ("Q5/7. T-NEEDS?",)),
    ("des sous", ("Q6/7. T-PLACE?",)),
    ("lyon 8", ("Q7/7. T-CONTACT?",)),
    ("plutot un appel", ("T-KEEP-CONTACT?",)),
    ("ouais", ("T-PHONE?",)),
    ("06 12 34 56 78", ("T-SEND-TO Julien?",)),
    ("ouais", ("T-NAME?",)),
    ("ines", ("T-SENT Julien ", " by phone.")),
    ("qui va m'appeler ?", ("T-FAQ-NEXT-WAITING Julien, BGE Rhône",)),
]
# Never in an answer of the typed intake: not understood, a restart, the after-end menu.
NOT_SAID = ("T-NOT-UNDERSTOOD", "T-CONFIRM", "T-WHICH-ONE", "T-RESTART", "T-AFTER?")


def check_typed_answer(typed: str, text: str, expected: tuple[str, ...]) -> None:
    """The answer ``text`` to ``typed`` shows ``expected``, in this order, and no error."""
    positions = [text.find(fragment) for fragment in expected]
    assert -1 not in positions and positions == sorted(positions), (typed, text)
    assert not any(wrong in text for wrong in NOT_SAID), (typed, text)
    if typed == TYPED_INTAKE[-1][0]:  # after the end: an answer, not a new intake
        assert "T-WELCOME." not in text and "Q1/7." not in text, text


def check_typed_lead(leads: list[dict[str, Any]], channel: str, user_ref: str) -> None:
    """The lead of the typed intake, with both consents recorded."""
    [lead] = leads
    assert (lead["channel"], lead["user_ref"]) == (channel, user_ref)
    assert (lead["stage"], lead["sector"], lead["needs"]) == ("idea", "unknown", ["argent"])
    assert (lead["postal_code"], lead["commune"]) == ("69008", "Lyon 8e Arrondissement")
    assert (lead["contact_pref"], lead["phone"]) == ("call", "+33612345678")
    assert (lead["first_name"], lead["pitch"]) == ("ines", PITCH)
    assert lead["details"]["age_band"] == "adult"
    assert lead["relay_id"] == "bge_lyon"
    assert sorted(c["purpose"] for c in lead["consents"]) == ["contact", "relay"]
    assert next(c for c in lead["consents"] if c["purpose"] == "relay")["relay_id"] == "bge_lyon"
