"""Reading what residents type: numbers, yes and no, "je sais pas", phone numbers, phrases."""
