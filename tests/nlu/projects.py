"""A tiny Rasa-format NLU project for tests that train models (fast to train)."""

from __future__ import annotations

from pathlib import Path

TINY = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - bonjour
    - salut
    - coucou
    - bonsoir
- intent: stop
  examples: |
    - stop
    - arrête
    - ne m'écris plus
    - laisse moi
- intent: ask_funding
  examples: |
    - il me faut de l'argent
    - un prêt pour mon [snack](sector)
    - des aides financières
    - combien je peux emprunter
- synonym: restauration
  examples: |
    - snack
    - food truck
- lookup: sector
  examples: |
    - snack
    - food truck
"""


def tiny_project(root: Path) -> Path:
    """Write the tiny project under ``root`` (``root/data/nlu.yml``) and return ``root``."""
    (root / "data").mkdir(parents=True)
    (root / "data" / "nlu.yml").write_text(TINY, encoding="utf-8")
    return root
