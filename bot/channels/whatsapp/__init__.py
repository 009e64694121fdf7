"""The WhatsApp Cloud API channel: signed webhooks, the Graph API, the 24-hour window."""
