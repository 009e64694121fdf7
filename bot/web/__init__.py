"""The ASGI application: every channel's webhook, the health check, relays' case pages."""
