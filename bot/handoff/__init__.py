"""Orientation: the schemes catalogue, local relays and matching a resident to them."""
