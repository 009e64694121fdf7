"""Rank the schemes for a profile: eligibility, rules, guarantees; every choice explained."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.handoff.catalogue import Catalogue, Guarantee, Rule, Scheme
from bot.handoff.profile import SPECIFIC, Profile, in_territory, met_wants, unmet

# A condition that makes a rule specific to the person outweighs any number of needs met.
SPECIFIC_POINTS = 100
WANT_POINTS = 10


@dataclass(frozen=True, slots=True)
class Pick:
    """A scheme that could be suggested, with what chose it."""

    scheme: Scheme
    order: int  # its place in the file (ties keep the file's order)
    rule: Rule | None  # the best rule that holds (None: taken by a guarantee only)
    score: int
    specific: tuple[str, ...] = ()  # the conditions that made it specific to the person
    guarantee: Guarantee | None = None  # the guarantee that put or kept it in the list

    @property
    def caveat(self) -> str:
        """The warning shown with it: the rule's own, else the scheme's."""
        if self.rule is not None and self.rule.caveat is not None:
            return self.rule.caveat
        return self.scheme.caveat

    @property
    def chosen_by(self) -> str:
        """The id of the rule (or guarantee) that chose it."""
        if self.rule is not None:
            return self.rule.id
        return self.guarantee.id if self.guarantee else ""


@dataclass
class Orientation:
    """The schemes shown (best first) and, for explanations, everything else."""

    shown: list[Pick] = field(default_factory=list)
    others: list[Pick] = field(default_factory=list)  # a rule holds, but not shown
    quiet: list[Pick] = field(default_factory=list)  # for this person, but no rule holds
    not_for: list[tuple[Scheme, str]] = field(default_factory=list)  # condition not met
    unmet: list[Guarantee] = field(default_factory=list)  # guarantees nothing could meet

    @property
    def ids(self) -> list[str]:
        return [p.scheme.id for p in self.shown]


def _specific(scheme: Scheme, rule: Rule, profile: Profile) -> tuple[str, ...]:
    written = set(scheme.for_.written()) | set(rule.when.written())
    found = [c for c in SPECIFIC if c in written]
    if "territory" in found:
        # A national territory written out is not specific.
        places = [w.territory for w in (scheme.for_, rule.when) if w.territory is not None]
        if not any(in_territory(t, profile) > 0 for t in places):
            found.remove("territory")
    return tuple(found)


def _best_rule(scheme: Scheme, order: int, profile: Profile) -> Pick | None:
    best: Pick | None = None
    for rule in scheme.rules:
        if unmet(rule.when, profile) is not None:
            continue
        specific = _specific(scheme, rule, profile)
        wants = met_wants(rule.when, profile)
        score = SPECIFIC_POINTS * len(specific) + WANT_POINTS * wants + rule.priority
        if best is None or score > best.score:
            best = Pick(scheme, order, rule, score, specific)
    return best


def _sorted(picks: Sequence[Pick]) -> list[Pick]:
    return sorted(picks, key=lambda p: (-p.score, p.order))


def _has_kind(pick: Pick, guarantee: Guarantee) -> bool:
    return not guarantee.kinds or bool(set(pick.scheme.kinds) & set(guarantee.kinds))


def orient(catalogue: Catalogue, profile: Profile, limit: int | None = None) -> Orientation:
    """The schemes for ``profile``, at most ``limit`` (the file's display limit by default).

    Schemes whose ``for`` the person does not meet are left out. Among the others, those
    with a rule that holds are ranked: conditions specific to the person (sector, place,
    situation, age, maturity) first, then how many of their needs the rule names, then
    the rule's priority, then the file's order. Guarantees come last: when one holds and
    the list lacks what it asks (someone to talk to, a way to money, at least 2
    suggestions), the best scheme that fits takes the place of the weakest one.
    """
    limit = limit or catalogue.display.limit
    result = Orientation()
    fired: list[Pick] = []
    for order, scheme in enumerate(catalogue.schemes):
        missing = unmet(scheme.for_, profile)
        if missing is not None:
            result.not_for.append((scheme, missing))
            continue
        pick = _best_rule(scheme, order, profile)
        if pick is None:
            result.quiet.append(Pick(scheme, order, None, 0))
        else:
            fired.append(pick)
    ranked = _sorted(fired)
    shown = ranked[:limit]
    locked = {shown[0].scheme.id} if shown else set()
    for guarantee in catalogue.guarantees:
        if unmet(guarantee.when, profile) is not None:
            continue
        having = [p for p in shown if _has_kind(p, guarantee)]
        locked |= {p.scheme.id for p in having[: guarantee.count]}
        while len(having) < guarantee.count:
            ids = {p.scheme.id for p in shown}
            pool = [p for p in ranked if p.scheme.id not in ids] + result.quiet
            pool.sort(key=lambda p: not set(p.scheme.kinds) & set(guarantee.prefer))
            candidate = next((p for p in pool if _has_kind(p, guarantee)), None)
            if candidate is None:
                result.unmet.append(guarantee)
                break
            if len(shown) >= limit:
                weakest = [p for p in _sorted(shown) if p.scheme.id not in locked]
                if not weakest:
                    result.unmet.append(guarantee)
                    break
                shown.remove(weakest[-1])
            chosen = Pick(
                candidate.scheme,
                candidate.order,
                candidate.rule,
                candidate.score,
                candidate.specific,
                guarantee,
            )
            shown.append(chosen)
            having.append(chosen)
            locked.add(chosen.scheme.id)
    result.shown = _sorted(shown)
    ids = set(result.ids)
    result.others = [p for p in ranked if p.scheme.id not in ids]
    result.quiet = [p for p in result.quiet if p.scheme.id not in ids]
    return result
