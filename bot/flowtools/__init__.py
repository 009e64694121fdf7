"""Coordinators' tools for flow scripts: check, test, draw and hot-reload them."""
