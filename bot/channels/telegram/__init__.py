"""The Telegram channel (python-telegram-bot): residents and relays, polling or webhook."""
