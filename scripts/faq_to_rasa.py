"""Write the questions of flows/faq.yml as Rasa NLU training data (used by scripts/rasa.sh).

Each entry's examples become intent ``faq_<id>`` (or the entry's ``intent``). Runs with the
Rasa environment's Python: PyYAML only.
"""

from __future__ import annotations

import sys

import yaml


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    lines = ['version: "3.1"', "nlu:"]
    for entry in data.get("faq") or []:
        examples = entry.get("examples") or []
        if not examples:
            continue
        lines.append(f"- intent: {entry.get('intent') or 'faq_' + entry['id']}")
        lines.append("  examples: |")
        lines.extend(f"    - {' '.join(str(e).split())}" for e in examples)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
