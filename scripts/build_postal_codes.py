"""Build data/postal_codes.csv from the npm package codes-postaux."""

# Rebuild (also in data/README.md, section "Postal codes"):
#
#   npm install --prefix /tmp/cp codes-postaux@4.1.2
#   python scripts/build_postal_codes.py \
#       /tmp/cp/node_modules/codes-postaux/codes-postaux.json data/postal_codes.csv
#
# Add --check to compare the existing CSV with what would be written, without
# writing anything (exit status 1 when they differ).
#
# The input is the package's compact file codes-postaux.json: a JSON list of
# objects with codePostal, codeCommune (INSEE code), nomCommune (written form,
# e.g. "Vaulx-en-Velin") and libelleAcheminement (upper case, no accents).
# The commune column uses nomCommune; libelleAcheminement is only a fallback
# for a row without nomCommune, and the script reports how many rows needed it.

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

HEADER = ("postal_code", "insee", "commune")
POSTAL_CODE_RE = re.compile(r"\d{5}")
INSEE_RE = re.compile(r"(\d{2}|2A|2B)\d{3}")

Row = tuple[str, str, str]


def _fold(name: str) -> str:
    """Return name without accents and case-folded, for a natural sort order."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def load_rows(source: Path) -> tuple[list[Row], int]:
    """Read the package's JSON and return sorted unique rows and the fallback count."""
    entries = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise TypeError(f"{source}: expected a JSON list")
    rows: set[Row] = set()
    fallbacks = 0
    for index, entry in enumerate(entries):
        postal_code = str(entry.get("codePostal", "")).strip()
        insee = str(entry.get("codeCommune", "")).strip()
        name = str(entry.get("nomCommune") or "").strip()
        if not name:
            name = str(entry.get("libelleAcheminement") or "").strip()
            fallbacks += 1
        if not POSTAL_CODE_RE.fullmatch(postal_code):
            raise ValueError(f"{source}: entry {index}: bad postal code {postal_code!r}")
        if not INSEE_RE.fullmatch(insee):
            raise ValueError(f"{source}: entry {index}: bad INSEE code {insee!r}")
        if not name:
            raise ValueError(f"{source}: entry {index}: no commune name")
        rows.add((postal_code, insee, name))
    ordered = sorted(rows, key=lambda r: (r[0], _fold(r[2]), r[2], r[1]))
    return ordered, fallbacks


def render(rows: list[Row]) -> str:
    """Return the CSV text (header included, LF line endings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="codes-postaux.json in the package")
    parser.add_argument("output", type=Path, help="CSV to write")
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare the existing output, write nothing",
    )
    args = parser.parse_args(argv)

    rows, fallbacks = load_rows(args.source)
    text = render(rows)
    if fallbacks:
        print(f"note: {fallbacks} rows lack nomCommune, used libelleAcheminement")

    if args.check:
        current = None
        if args.output.exists():
            current = args.output.read_text(encoding="utf-8")
        if current != text:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(rows)} rows)")
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {len(rows)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
