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
