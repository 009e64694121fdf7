"""Personal data: pseudonyms, consent rules, erasure."""
