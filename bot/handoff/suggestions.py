"""What a resident reads of the schemes chosen: one short block per scheme, phone-sized."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.bidi import embed
from bot.handoff.catalogue import Display
from bot.handoff.orientation import Pick


def _fill(template: str, **values: str) -> str:
    text = template
    for name, value in values.items():  # in an Arabic line, names and links isolated
        text = text.replace(f"{{{name}}}", embed(template, value))
    return text


def site(link: str) -> str:
    """A link as people read it (and phones make it a link): ``www.bge.asso.fr``."""
    return link.removeprefix("https://").removeprefix("http://").rstrip("/")


def render_block(display: Display, pick: Pick, number: int) -> str:
    """One scheme: its name, what it does for you, the warning, how to reach it."""
    scheme = pick.scheme
    lines = [_fill(display.title, number=str(number), name=scheme.name), scheme.offer]
    if pick.caveat:
        lines.append(_fill(display.caveat, caveat=pick.caveat))
    if scheme.reach:
        lines.append(_fill(display.reach, reach=scheme.reach, site=site(scheme.link)))
    return "\n".join(lines)


def render_suggestions(display: Display, picks: Sequence[Pick]) -> str:
    """Every block, a blank line between two."""
    return "\n\n".join(render_block(display, pick, i) for i, pick in enumerate(picks, 1))
