"""What relays read about cases, and what residents hear about theirs (``flows/relais.yml``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.bidi import embed

Text = Annotated[str, Field(min_length=1, max_length=1024)]
Label = Annotated[str, Field(min_length=1, max_length=60)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outcome(_Model):
    """How a case ended: the relay's button, and the words the resident hears."""

    button: Label
    resident: Text


class SheetTexts(_Model):
    """The hand-off sheet, one line each; ``{name}`` are filled in."""

    title: Text = Field(description="{ref}")
    received: Text = Field(description="{date}")
    source: Text = Field(description="{source}")
    first_name: Text = Field(description="{first_name}")
    no_first_name: str
    commune: Text = Field(description="{commune}, {postal_code}")
    stage: Text = Field(description="{stage}")
    sector: Text = Field(description="{sector}")
    pitch: Text = Field(description="{pitch}")
    company: Text = Field(description="{company_age}, {headcount}")
    growth: Text = Field(description="{growth_needs}")
    turnover: Text = Field(description="{turnover}")
    maturity: Text = Field(description="{maturity}, {reasons}")
    situation: Text = Field(description="{situation}")
    needs: Text = Field(description="{needs}")
    contact_pref: Text = Field(description="{contact_pref}")
    phone: Text = Field(description="{phone}")
    schemes: Text = Field(description="{schemes}")
    consent: Text = Field(description="{purpose}, {given_at}, {notice_version}")
    lang: Text = Field(description="{lang} : la langue de la personne (languages).")
    languages: dict[str, str] = Field(description="Le nom de chaque langue : ar -> arabe.")


class PageTexts(_Model):
    """The case page a relay opens from an e-mail, and what it says when it cannot open."""

    title: Label
    statuses: dict[str, str] = Field(
        description="Où en est le dossier, en une phrase : offered, notified, accepted, "
        "in_conversation, closed, declined, expired, unreachable, transferred."
    )
    not_found: Text = Field(description="Le lien est abîmé ou incomplet.")
    expired: Text = Field(description="{days} : le lien est trop vieux.")
    withdrawn: Text = Field(description="Le dossier n'existe plus.")
    refused: Text = Field(description="Un bouton pressé ailleurs que sur la page du dossier.")
    too_many: Text = Field(description="{minutes} : trop d'essais ratés.")


class RelayTexts(_Model):
    """What a relay reads: cards, commands' answers, resident's messages, e-mails; and
    the alerts the coordinator gets when a case is stuck."""

    sheet: SheetTexts
    take_it: Text
    accept_button: Label
    decline_button: Label
    close_card: Text = Field(description="{ref}")
    outcomes: dict[str, Outcome] = Field(description="met, supported, referred, not_relevant")
    outcome_words: dict[str, str] = Field(description="Mot tapé après /clore -> issue.")
    email_new_subject: Text = Field(description="{ref}")
    email_link: Text = Field(description="{link}, {until}")
    email_no_link: Text
    email_case_subject: Text = Field(description="{ref}")
    email_answer_on_web: Text = Field(description="{link}: the case's page in the web app")
    email_withdrawn_subject: Text
    accepted: Text = Field(description="{first_name}, {ref}")
    not_waiting: Text
    not_open: Text
    declined: Text
    not_in_progress: Text
    closed: Text = Field(description="{ref}")
    take_first: Text
    resident_stopped: Text
    resident_says: Text = Field(description="{first_name}, {ref}, {text}")
    resident_left: Text = Field(description="{first_name}, {ref}")
    withdrawn: Text = Field(description="{ref}")
    someone: str = Field(description="Quand la personne n'a pas donné de prénom.")
    help: Text
    text_only: Text
    no_such_case: Text = Field(description="{ref}")
    which_colleague: Text = Field(description="{ref}, {colleagues}: /passer without a colleague")
    handed: Text = Field(description="{ref}, {relay_name}: the case went to a colleague")
    which_outcome: Text
    stale_button: Text
    not_yours: Text
    no_open_cases: Text
    web_link: Text = Field(description="{link}, {minutes}: a one-time sign-in link (/web)")
    web_closed: Text = Field(description="/web when the server has no public address")
    invited: Text = Field(description="{name}: a relay opened their invitation link (chat kept)")
    invite_stale: Text = Field(description="An invitation link used already, or too old")
    open_cases: Text
    open_case: Text = Field(description="{ref}, {status}")
    statuses: dict[str, str] = Field(description="Statut d'un dossier ouvert, en mots.")
    alert_subject: Text
    alert_unreachable: Text = Field(description="{relay_name}, {relay_structure}, {ref}, {reason}")
    alert_no_relay: Text = Field(description="{ref}, {commune}")
    alert_not_forwarded: Text = Field(description="{ref}, {relay_name}")
    page: PageTexts


class ResidentTexts(_Model):
    """What a resident hears about their case."""

    accepted: Text = Field(description="{relay_name}, {relay_structure}")
    closed: Text = Field(description="{relay_name}, {outcome}")
    relay_says: Text = Field(description="{relay_name}, {text}")
    moved: Text = Field(description="{old}, {relay_name}, {relay_structure}, {relay_town}, {due}")
    handed_over: Text = Field(
        description="{old}, {relay_name}, {relay_structure}, {relay_town}, {due}: a relay "
        "passed the case to a colleague"
    )
    sent: Text = Field(description="{relay_name}")
    not_reached: Text = Field(description="{relay_name}")
    not_forwarded: Text = Field(description="{relay_name}")


class ReminderTexts(_Model):
    """What follow-ups tell relays and the coordinator: reminders before a case moves
    on, the weekly list of open cases, a case taken back, a resident asking for help."""

    half: Text = Field(description="{ref}, {commune}, {due}, {due_time}")
    last: Text = Field(description="{ref}, {commune}, {due}, {due_time}")
    email_subject: Text = Field(description="{ref}")
    digest_title: Text = Field(description="{count}")
    digest_case: Text = Field(description="{ref}, {commune}, {status}, {since}")
    digest_footer: Text
    digest_email_subject: Text
    taken_back: Text = Field(description="{ref}")
    alert_no_contact: Text = Field(description="{ref}, {relay_name}")
    alert_help: Text = Field(description="{ref}, {commune}, {relay_name}")


class HandoffTexts(_Model):
    """The ``flows/relais.yml`` file."""

    relais: RelayTexts
    personne: ResidentTexts
    rappels: ReminderTexts = Field(description="Relances : rappels, liste de la semaine.")


def fill(template: str, /, **values: Any) -> str:
    """``template`` with each ``{name}`` replaced by its value (unknown names stay)."""
    text = template  # a value written the other way round is isolated (bot/domain/bidi.py)
    for name, value in values.items():
        said = "" if value is None else str(value)
        text = text.replace(f"{{{name}}}", embed(template, said))
    return text


class Wording(Protocol):
    """How the hand-off words things: the coordinators' texts, labels of answers, dates."""

    @property
    def texts(self) -> HandoffTexts:
        """The texts in force (they change with the flows, without a restart)."""
        ...

    def label(self, slot: str, value: Any) -> str:
        """The readable form of an answer ("restauration" -> "Restauration")."""
        ...

    def resident(self, lang: str) -> ResidentTexts:
        """What a resident hears about their case, in their language (``fr``, ``en``...)."""
        ...

    def date(self, moment: datetime) -> str:
        """A date as people say it ("mardi 2 décembre")."""
        ...
