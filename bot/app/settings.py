"""Configuration from ``BOT_*`` environment variables, read once by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT = Path(__file__).resolve().parents[2]


class NLUSettings(BaseModel):
    """Which understanding backend to use."""

    backend: Literal["keywords"] = "keywords"


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


class Settings(BaseSettings):
    """Every setting of the bot; nested ones use ``__`` (``BOT_NLU__BACKEND``)."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT / 'data' / 'runtime' / 'tremplin.db'}",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://user:pass@host/db",
    )
    flows_dir: Path = PROJECT / "flows"
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
    log_level: str = "INFO"
    nlu: NLUSettings = NLUSettings()
    privacy: PrivacySettings = PrivacySettings()
