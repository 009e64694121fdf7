"""Understanding residents' free text: NLU backends behind one interface."""
