"""The ASGI application that hosts every channel's webhook and the health check."""
