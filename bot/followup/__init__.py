"""Follow-ups: the bot checks in with residents after a hand-off and reminds relays."""
