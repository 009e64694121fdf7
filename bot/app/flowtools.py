"""The coordinators' flow commands wired to a real bot: check, test, graph, hot reload."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.app.bot import Bot
from bot.app.build import make_data_watcher, start_bot
from bot.app.settings import Settings
from bot.domain.messages import Inbound, Outbound
from bot.engine.loader import load_flows
from bot.engine.yamlfiles import FlowError
from bot.flowtools.check import check_flows
from bot.flowtools.findings import summary
from bot.flowtools.mermaid import render_image, render_markdown, render_mermaid
from bot.flowtools.playback import Outcome, play
from bot.flowtools.reload import FlowWatcher
from bot.flowtools.scenarios import LoadedScenario, load_scenarios
from bot.flowtools.translations import data_texts, stamp, status
from bot.flowtools.understand import CORPUS, load_corpus, render_report, same_place, score
from bot.store.leads import export_leads

Write = Callable[[str], None]
GRAPHS = "graphs"
NO_RENDERER = (
    "Pas de dessin en image : l'outil « mmdc » (mermaid-cli) n'est pas installé. "
    "Ouvre les fichiers .md sur GitHub, GitLab ou dans VS Code, ou colle un fichier .mmd "
    "sur https://mermaid.live. Pour avoir les images : npm install -g @mermaid-js/mermaid-cli"
)


class BotProbe:
    """A running bot seen by a coordinator's test: its turns, conversations and leads."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def handle(self, inbound: Inbound) -> Sequence[Outbound]:
        """One turn through the real dispatcher."""
        return await self.bot.handle(inbound)

    async def conversation(self, channel: str, user_ref: str) -> Mapping[str, Any] | None:
        """The stored state of this person's conversation, if one is kept."""
        subject = self.bot.dispatcher.pseudonyms.subject(channel, user_ref)
        stored = await self.bot.store.transact(subject, channel, lambda tx: tx.load())
        return stored.state if stored is not None else None

    async def leads(self, channel: str, user_ref: str) -> list[dict[str, Any]]:
        """This person's leads, as exported."""
        rows = await export_leads(self.bot.engine, self.bot.cipher, actor="flows-test")
        return [r for r in rows if r["channel"] == channel and r["user_ref"] == user_ref]


def _refused(exc: FlowError, write: Write) -> int:
    """Say what is wrong with the files read; the command fails."""
    for problem in exc.problems:
        write(f"ERREUR     {problem}")
    return 1


def run_translations(
    folder: Path, write: Write, stamp_lang: str | None = None, data_dir: Path | None = None
) -> int:
    """``bot flows translations``: per language, the texts missing or stale (the flows'
    and the schemes' of ``data_dir``); ``--stamp``."""
    try:
        flows = load_flows(folder)
    except FlowError as exc:
        return _refused(exc, write)
    extra = data_texts(data_dir or folder.parent / "data")
    if stamp_lang is not None:
        translation = flows.translations.get(stamp_lang)
        if translation is None:
            write(f"pas de fichier flows/langues/{stamp_lang}.yml")
            return 1
        changed = stamp(flows, folder, translation, extra)
        write(f"{changed} texte(s) marqué(s) à jour en « {stamp_lang} ».")
        return 0
    for lang, translation in flows.translations.items():
        state = status(flows, translation, extra)
        write(f"{lang} : {len(state.missing)} à traduire, {len(state.stale)} à revoir")
        for key in state.missing:
            write(f"  à traduire : {key}")
        for key in state.stale:
            write(f"  à revoir   : {key}")
    return 0


def run_check(folder: Path, write: Write, data_dir: Path | None = None) -> int:
    """``bot flows check``: every finding, then a summary; 1 when there are errors."""
    result = check_flows(folder, data_dir)
    for finding in result.findings:
        write(str(finding))
    flows = len(result.flows.flows) if result.flows else 0
    write(summary(result.findings, flows))
    return 0 if result.ok else 1


async def play_all(bot: Bot, scenarios: Sequence[LoadedScenario]) -> list[Outcome]:
    """Each test as its own person on ``bot``."""
    probe = BotProbe(bot)
    return [await play(probe, s, f"flows-test-{i}") for i, s in enumerate(scenarios)]


async def run_tests(settings: Settings, write: Write, name: str | None = None) -> int:
    """``bot flows test``: the tests of ``flows/tests/`` on a throwaway SQLite database."""
    try:
        scenarios = load_scenarios(settings.flows_dir)
    except FlowError as exc:
        return _refused(exc, write)
    scenarios = [s for s in scenarios if name is None or name.lower() in s.name.lower()]
    if not scenarios:
        write("Aucun test à lancer (les tests sont dans flows/tests/*.yml).")
        return 1
    with tempfile.TemporaryDirectory(prefix="tremplin-tests-") as tmp:
        nlu = settings.nlu
        if nlu.backend == "rasa":  # tests never call a server: the same answers, offline
            nlu = nlu.model_copy(update={"backend": "embedded"})
        isolated = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{Path(tmp) / 'tests.db'}",
                "runtime_dir": Path(tmp) / "runtime",
                "nlu": nlu.model_copy(update={"cache_dir": nlu.cache_dir or _nlu_cache(settings)}),
                "flows_reload_seconds": 0,
                # Nothing leaves the machine: no e-mail, webhook or message to a relay.
                "handoff": settings.handoff.__class__(),
                "telegram": settings.telegram.__class__(),
                "whatsapp": settings.whatsapp.__class__(),
            }
        )
        try:
            bot = await start_bot(isolated)
        except FlowError as exc:
            for problem in exc.problems:
                write(f"ERREUR     {problem}")
            write("Les scripts ont des erreurs : corrige-les d'abord (./run.sh flows check).")
            return 1
        try:
            outcomes = await play_all(bot, scenarios)
        finally:
            await bot.close()
    for outcome in outcomes:
        write(outcome.report())
    passed = sum(o.ok for o in outcomes)
    plural = "s" if passed > 1 else ""
    write(f"{passed} test{plural} réussi{plural} sur {len(outcomes)}.")
    return 0 if passed == len(outcomes) else 1


def _nlu_cache(settings: Settings) -> Path:
    # The trained model is keyed by its data: reuse the bot's own cache.
    return settings.runtime_dir / "nlu"


def run_graph(folder: Path, out: Path, names: Sequence[str], write: Write) -> int:
    """``bot flows graph``: a .mmd and a .md per flow, and an .svg when mmdc is installed."""
    try:
        flows = load_flows(folder)
    except FlowError as exc:
        return _refused(exc, write)
    unknown = [n for n in names if n not in flows.flows]
    if unknown:
        write(f"Script inconnu : {', '.join(unknown)}. Scripts : {', '.join(sorted(flows.flows))}.")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    mmdc = shutil.which("mmdc")
    failed = False
    for flow_id in names or sorted(flows.flows):
        item = flows.flows[flow_id]
        mermaid = render_mermaid(item, flows)
        source = out / f"{flow_id}.mmd"
        source.write_text(mermaid, encoding="utf-8")
        (out / f"{flow_id}.md").write_text(render_markdown(item, mermaid), encoding="utf-8")
        made = [source.name, f"{flow_id}.md"]
        if mmdc is not None:
            trouble = render_image(mmdc, source, out / f"{flow_id}.svg")
            if trouble is None:
                made.append(f"{flow_id}.svg")
            else:
                failed = True
                write(f"{flow_id} : {trouble}")
        write(f"{flow_id} : {', '.join(made)} dans {out}")
    if mmdc is None:
        write(NO_RENDERER)
    return 1 if failed else 0


def watched(bot: Bot, settings: Settings, tell: Write) -> Bot:
    """``bot``, taking in edited flows and data before each turn (for ``bot chat``, where
    the terminal blocks the event loop between messages)."""
    if settings.flows_reload_seconds <= 0:
        return bot
    flows = FlowWatcher(settings.flows_dir, bot.dispatcher, tell=tell)
    data = make_data_watcher(settings, bot, tell=tell)

    async def look() -> None:
        await flows.poll()
        await data.poll()

    return dataclasses.replace(bot, before_turn=look)


async def run_understand(
    settings: Settings, write: Write, path: Path | None = None, *, errors: bool = False
) -> int:
    """``bot flows understand``: the typed-answer corpus scored on the real runner and NLU."""
    from bot.app.build import make_place_finder, make_runner
    from bot.app.understanding import make_nlu

    corpus_path = path or settings.flows_dir / CORPUS
    try:
        corpus = load_corpus(corpus_path)
    except FlowError as exc:
        return _refused(exc, write)
    runner = make_runner(settings)
    nlu = make_nlu(settings)
    same = same_place(make_place_finder(settings.data_dir))
    report = await score(runner, corpus, nlu.parse, same)
    for line in render_report(report, errors=errors):
        write(line)
    return 0
