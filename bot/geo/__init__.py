"""Places: the bundled postal-code table and commune look-ups."""
