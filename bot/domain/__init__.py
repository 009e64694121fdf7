"""Neutral values and protocols shared by every layer (stdlib only)."""
