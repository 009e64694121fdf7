"""Entry point for ``python -m bot``."""

from bot.cli import run

if __name__ == "__main__":
    run()
