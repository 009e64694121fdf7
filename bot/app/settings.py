"""Configuration from ``BOT_*`` environment variables, read once by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT = Path(__file__).resolve().parents[2]


class NLUSettings(BaseModel):
    """Which understanding backend to use (see README, "Understanding free text")."""

    backend: Literal["embedded", "rasa", "keywords"] = Field(
        default="embedded",
        description="embedded: learnt in-process from nlu/data; rasa: a Rasa 3.6 server "
        "(falls back to embedded when down); keywords: exact phrases only.",
    )
    threshold: float = Field(
        default=0.3, ge=0, le=1, description="Below this confidence the intent is out_of_scope."
    )
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = Field(default=2.0, gt=0, description="Seconds per /model/parse call.")
    cache_dir: Path | None = Field(
        default=None,
        description="Trained embedded models, keyed by the data's hash; "
        "default: <runtime_dir>/nlu.",
    )


class PrivacySettings(BaseModel):
    """Data controller, encryption keys and retention periods."""

    controller: str = "l'équipe Tremplin (démo)"
    contact: str = "donnees@tremplin.example.org"
    encryption_keys: list[str] = Field(
        default_factory=list,
        description="Fernet keys, newest first (JSON list); generated under runtime_dir "
        "when empty. Rotate with `bot privacy rotate-key`.",
    )
    text_retention_days: int = Field(default=30, ge=1)
    contact_retention_months: int = Field(default=24, ge=1)
    renewal_grace_days: int = Field(default=30, ge=1)
    purge_every_hours: float = Field(default=24, gt=0)


class WhatsAppTemplate(BaseModel):
    """An approved message template: its name, language and the values filling it.

    ``parameters`` names, in order, the values that fill the body's ``{{1}}``,
    ``{{2}}``... (the caller of a follow-up gives them, e.g. ``first_name``).
    """

    name: str
    language: str = "fr"
    parameters: list[str] = Field(default_factory=list)


class WhatsAppSettings(BaseModel):
    """WhatsApp Cloud API channel; on as soon as one of its credentials is set."""

    access_token: SecretStr | None = None
    app_secret: SecretStr | None = Field(
        default=None, description="Signs every webhook; without it the channel refuses to start."
    )
    verify_token: SecretStr | None = None
    phone_number_id: str | None = None
    api_version: str = "v24.0"
    graph_url: str = "https://graph.facebook.com"
    templates: dict[str, WhatsAppTemplate] = Field(
        default_factory=dict,
        description='JSON, e.g. {"followup": {"name": "relance", "language": "fr", '
        '"parameters": ["first_name"]}}',
    )
    max_per_second: float = Field(default=80, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    retry_delay: float = Field(default=1.0, ge=0, description="First back-off wait, seconds.")
    max_retry_delay: float = Field(default=30.0, ge=0)
    window_margin_minutes: float = Field(
        default=10, ge=0, description="Use a template already this close to the window's end."
    )

    @property
    def configured(self) -> bool:
        """True when someone started configuring the channel."""
        credentials = (self.access_token, self.app_secret, self.verify_token, self.phone_number_id)
        return any(value is not None for value in credentials)


class TelegramSettings(BaseModel):
    """Telegram channel; on when ``token`` is set. Without ``webhook_url``, ``serve`` polls."""

    token: SecretStr | None = Field(default=None, description="From @BotFather.")
    webhook_url: str | None = Field(
        default=None,
        description="Public HTTPS URL of /webhooks/telegram/webhook; unset: polling.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="1-256 characters A-Z a-z 0-9 _ -; required with webhook_url.",
    )
    username: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$",
        description="The bot's @name without @ (tremplin_bot): coordinators' invitation "
        "links for relays, https://t.me/<name>?start=...",
    )
    base_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API server root (a self-hosted one, or a test double).",
    )
    poll_timeout: int = Field(default=10, ge=1, description="Long-polling wait, seconds.")
    chat_per_second: float = Field(default=1.0, ge=0, description="Messages a second per chat.")
    chat_burst: int = Field(default=3, ge=1, description="Messages a chat may get at once.")
    max_retries: int = Field(default=3, ge=0, description="Retries after a 429 (RetryAfter).")
    max_retry_wait: float = Field(default=60, ge=0, description="Longer waits are not retried.")


class HandoffSettings(BaseModel):
    """How cases reach relays: deadlines, e-mail, signed webhooks."""

    accept_within_hours: float = Field(
        default=16, gt=0, description="Office hours (Mon-Fri 9h-18h Paris) before a case moves on."
    )
    public_url: str | None = Field(default=None, description="Base URL put in relays' e-mails.")
    link_valid_days: float = Field(
        default=7,
        gt=0,
        description="How long a relay's e-mailed link to a case works; longer than the "
        "time to accept (16 office hours can span a weekend).",
    )
    link_secret: SecretStr | None = Field(
        default=None,
        description="Signs relays' links and forms; default: derived from BOT_SECRET_KEY. "
        "Changing it voids the links already sent.",
    )
    webhook_allow_local: bool = Field(
        default=False,
        description="Tests and local development only: allow http:// and private or "
        "loopback addresses in relays' webhook URLs.",
    )
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "tremplin@example.org"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    webhook_secrets: dict[str, SecretStr] = Field(
        default_factory=dict, description='JSON {"relay_id": "secret"} signing relay webhooks.'
    )
    check_every_seconds: float = Field(default=60, gt=0)
    coordinator_email: str | None = Field(
        default=None, description="Who hears of a case nobody can take or a relay unreachable."
    )
    coordinator_chat_id: str | None = Field(
        default=None, description="The coordinator's Telegram chat for the same alerts."
    )
    jobs_poll_seconds: float = Field(
        default=5, gt=0, description="How often each worker looks for jobs queued elsewhere."
    )
    relays_poll_seconds: float = Field(
        default=5,
        gt=0,
        description="How often each worker looks whether the relays directory was edited "
        "(on the web, or by `bot relays import`) by another worker.",
    )
    jobs_lease_seconds: float = Field(
        default=120,
        gt=0,
        description="How long a claimed job stays with its worker; a job whose worker died "
        "is taken again after this.",
    )


class WebSettings(BaseModel):
    """The web app: who signs in with which role, sessions, failed attempts allowed."""

    max_failures: int = Field(default=10, ge=1, description="Failures before a client waits.")
    failure_window_seconds: float = Field(default=600, gt=0, description="Over this window.")
    coordinators: list[str] | dict[str, list[str]] = Field(
        default_factory=list,
        description='E-mail addresses of coordinators: a JSON list (["a@b.fr"]: they see '
        "every territory), or an object limiting each to departments and/or relay ids "
        '({"a@b.fr": ["69", "93"], "c@d.fr": ["bge_lyon"], "e@f.fr": []}: an empty list '
        "is every territory); relays sign in with the e-mail of data/relays.yml.",
    )
    admins: list[str] = Field(default_factory=list, description="E-mail addresses of admins.")
    session_hours: float = Field(default=12, gt=0, description="How long a sign-in lasts.")
    sign_in_minutes: float = Field(
        default=20, gt=0, description="How long an e-mailed sign-in link works (once)."
    )


class Settings(BaseSettings):
    """Every setting of the bot; nested ones use ``__`` (``BOT_NLU__BACKEND``)."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT / 'data' / 'runtime' / 'tremplin.db'}",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://user:pass@host/db",
    )
    flows_dir: Path = PROJECT / "flows"
    flows_reload_seconds: float = Field(
        default=2.0, ge=0, description="How often to look for edited flows (hot reload); 0: off."
    )
    nlu_dir: Path = PROJECT / "nlu"
    data_dir: Path = PROJECT / "data"
    runtime_dir: Path = PROJECT / "data" / "runtime"
    secret_key: str | None = Field(
        default=None,
        description="Key of the pseudonyms (32+ random characters); generated under "
        "runtime_dir when unset.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        default=1,
        ge=1,
        description="How many `bot serve` processes share the database; more than 1 needs "
        "PostgreSQL, shared keys, and Telegram in webhook mode.",
    )
    log_level: str = "INFO"
    nlu: NLUSettings = NLUSettings()
    privacy: PrivacySettings = PrivacySettings()
    handoff: HandoffSettings = HandoffSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    telegram: TelegramSettings = TelegramSettings()
    web: WebSettings = WebSettings()
