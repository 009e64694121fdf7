"""The conversation engine: flow scripts, the pure runner and the turn dispatcher."""
