"""The bot's own texts (``messages:`` of ``flows/global.yml``): every one is the coordinators'."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=1024)]
Label = Annotated[str, Field(min_length=1, max_length=60)]


class AccessTexts(BaseModel):
    """The summary a person reads after « mes données »."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact: Text = Field(description="{channel}, {first_name}")
    no_contact: Text
    no_first_name: Text
    answers: Text = Field(description="{answers}: « nom : valeur » séparés par « ; »")
    consents: Text = Field(description="{purposes}")
    withdrawn: Text = Field(description="{purposes}")
    case_sent: Text = Field(description="{relay_name}")
    case_kept: Text
    footer: Text
    purposes: dict[str, str] = Field(description="Nom lisible de chaque accord.")
    names: dict[str, str] = Field(description="Nom lisible de chaque réponse montrée.")


class Messages(BaseModel):
    """Fixed messages of the bot itself, not tied to a step. ``{name}`` are filled in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Where the person is.
    progress: Text = Field(description="Avant chaque question comptée : {n}, {total}.")
    # Not understood, don't know, ambiguous.
    not_understood: Text
    understood_other: Text = Field(description="{said} : ce que le bot a lu (un nombre...).")
    hint_choice: Text = Field(description="Aide par défaut d'une question à boutons.")
    hint_multiple: Text = Field(description="Aide par défaut d'une question à plusieurs choix.")
    numbered: Text = Field(description="Après 2 incompréhensions : {human} = offer_human_yes.")
    stuck: Text = Field(description="Après 2 incompréhensions sur une question sans boutons.")
    offer_human_yes: Label
    dont_know: Text = Field(description="« je sais pas » quand la question n'a pas ce choix.")
    which_one: Text = Field(description="La réponse va avec plusieurs choix : lequel ?")
    confirm_answer: Text = Field(description="Réponse tapée qui termine : {said}, {label}.")
    confirm_yes: Label
    confirm_no: Label
    consent_unclear: Text = Field(description="Un accord demande un oui ou un non clair.")
    other_language: Text
    language_set: Text = Field(description="Dit dans la langue choisie : on continue ainsi.")
    language_ask: Text = Field(description="Quand la langue n'est pas sûre : laquelle ?")
    # Buttons and inputs that cannot be used.
    stale_button: Text
    unknown_button: Text
    unsupported: Text
    empty: Text
    too_long: Text
    welcome_back: Text
    broken: Text
    bridge_media: Text
    # Words the channels add when rendering.
    channel_edited: Text = Field(description="Telegram : un message modifié n'est pas relu.")
    channel_list_button: Label = Field(description="WhatsApp : le bouton qui ouvre la liste.")
    channel_numbered_hint: Text = Field(description="WhatsApp : sous des choix numérotés.")
    channel_numbered_hint_multiple: Text
    channel_bye: Text = Field(description="Terminal : quand on le quitte.")
    redacted: Text = Field(description="{categories}")
    redacted_categories: dict[str, str] = Field(
        description="Comment dire chaque sorte de donnée retirée (santé, religion...)."
    )
    noted: Text = Field(description="{noted} : réponses à des questions suivantes.")
    chatter: dict[str, str] = Field(
        description="Dit (puis la question) quand un message a cette intention : greet, thanks."
    )
    # Several answers at once.
    multi_noted: Text = Field(description="{noted}, {done}")
    multi_nothing: Text
    multi_empty: Text = Field(description="{done}")
    # Typed answers that cannot be used.
    invalid_text_empty: Text
    invalid_text_long: Text = Field(description="{max}")
    invalid_yes_no: Text
    invalid_number: Text
    invalid_number_min: Text = Field(description="{min}")
    invalid_number_max: Text = Field(description="{max}")
    invalid_postal_code: Text
    unknown_postal_code: Text
    unknown_commune: Text = Field(description="{said}")
    invalid_phone: Text
    # Picking a commune, erasing.
    pick_place: Text
    pick_none: Label
    erase_confirm: Text
    erase_yes: Label
    erase_no: Label
    erased: Text
    erase_kept: Text
    stop_confirm: Text
    stop_yes: Label
    stop_no: Label
    stop_kept: Text
    # How values read in sentences.
    value_yes: str
    value_no: str
    value_none: str
    weekdays: Annotated[list[str], Field(min_length=7, max_length=7)]
    months: Annotated[list[str], Field(min_length=12, max_length=12)]
    date: Text = Field(description="{weekday} {day} {month}")
    access: AccessTexts
