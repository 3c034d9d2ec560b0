"""Persistence: ORM models, the session factory, repositories and migrations."""
