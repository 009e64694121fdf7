"""Persistence: SQLAlchemy models, migrations and the queries a turn needs."""
