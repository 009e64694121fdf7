"""Several workers: refused where they cannot work (SQLite, Telegram polling), with a reason."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.app.build import DeploymentError, make_app
from bot.app.settings import Settings, TelegramSettings
from bot.app.telegram import TelegramConfigError

PG = "postgresql+asyncpg://tremplin@127.0.0.1/tremplin"  # never reached: nothing is started
TOKEN = "123456:test-token"


def deployment(
    settings: Settings, *, workers: int, webhook: bool, sqlite: bool = False
) -> Settings:
    telegram = TelegramSettings(
        token=SecretStr(TOKEN),
        webhook_url="https://tremplin.example.org/webhooks/telegram/webhook" if webhook else None,
        webhook_secret=SecretStr("the-webhook-secret") if webhook else None,
    )
    return settings.model_copy(
        update={
            "workers": workers,
            "telegram": telegram,
            "database_url": f"sqlite+aiosqlite:///{settings.runtime_dir / 'x.db'}"
            if sqlite
            else PG,
        }
    )


def test_several_workers_cannot_all_poll_telegram(settings: Settings) -> None:
    with pytest.raises(TelegramConfigError, match="BOT_TELEGRAM__WEBHOOK_URL"):
        make_app(deployment(settings, workers=2, webhook=False))


def test_several_workers_take_telegram_updates_through_the_webhook(settings: Settings) -> None:
    app = make_app(deployment(settings, workers=3, webhook=True))
    assert not app.state.telegram.polling
    alone = make_app(deployment(settings, workers=1, webhook=False))  # one worker may poll
    assert alone.state.telegram.polling


def test_several_workers_need_postgresql(settings: Settings) -> None:
    with pytest.raises(DeploymentError, match="PostgreSQL"):
        make_app(deployment(settings, workers=2, webhook=True, sqlite=True))
