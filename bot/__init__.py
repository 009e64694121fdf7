"""Tremplin: a messaging bot that orients would-be entrepreneurs to local support."""

__version__ = "0.1.0"
