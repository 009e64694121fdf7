"""Signed tokens and the outbound address policy: stdlib only, for every layer above."""
