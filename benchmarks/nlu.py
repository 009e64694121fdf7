"""NLU benchmark: start-up, parse latency, memory and held-out quality of each backend.

Each backend is measured in a fresh child process, side by side in one run:

- ``embedded (train)``: empty model cache, so the start trains (in a child process, as
  the bot does); ``embedded (load)``: the cache is warm, the usual start;
- ``keywords``: the old exact-phrase matcher, as a floor;
- ``rasa``: when ``scripts/rasa.sh`` has a venv and a model for the current ``nlu/``,
  the real Rasa 3.6 server is started on a free port, timed until its model is loaded,
  and called over HTTP through the ``rasa`` backend (``--train-rasa`` trains it first).

Latency is measured over the held-out and training sentences, one at a time. Memory is
the resident size the backend adds to a process that already imported the bot's domain
(for Rasa: the whole server). Figures, never assertions.

    python benchmarks/nlu.py
    python benchmarks/nlu.py --rounds 5 --train-rasa
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "rasa.sh"
HELD_OUT = ROOT / "tests" / "nlu_data" / "heldout.yml"


def _rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (a server and its helpers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += _rss_mb(stat.parent.name)
        except (OSError, ValueError, IndexError):
            continue
    return total


def _texts() -> list[str]:
    from bot.nlu.trainingdata import load_nlu_data

    held = load_nlu_data(HELD_OUT).examples
    train = load_nlu_data(ROOT / "nlu" / "data").examples
    return [e.text for e in held] + [e.text for e in train]


async def _measure(parse: Any, rounds: int) -> dict[str, float]:
    """Latency percentiles and held-out figures of one backend's ``parse``."""
    from bot.nlu.evaluation import evaluate
    from bot.nlu.trainingdata import load_nlu_data

    texts = _texts()
    for text in texts[:20]:  # warm-up
        await parse(text)
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            await parse(text)
            timings.append(time.perf_counter() - started)
    timings.sort()
    synonyms = load_nlu_data(ROOT / "nlu" / "data").synonyms
    report = await evaluate(parse, load_nlu_data(HELD_OUT), synonyms)
    return {
        "p50_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[int(len(timings) * 0.99) - 1] * 1000,
        "parses": len(timings),
        "macro_f1": report.macro_f1,
        "accuracy": report.accuracy,
        "entity_f1": report.entity_micro.f1,
    }


def child(backend: str, rounds: int) -> dict[str, Any]:
    """Runs in a fresh process: build one in-process backend, measure it."""
    import bot.domain.understanding  # noqa: F401  (the bot has imported its domain already)

    base = _rss_mb()
    started = time.perf_counter()
    if backend == "keywords":
        from bot.nlu.keywords import KeywordNLU

        nlu: Any = KeywordNLU()
    else:
        from bot.nlu.embedded import make_embedded_nlu

        cache = Path(os.environ["NLU_BENCH_CACHE"])
        nlu = make_embedded_nlu(ROOT / "nlu", cache)
    startup = time.perf_counter() - started
    figures = asyncio.run(_measure(nlu.parse, rounds))
    return {**figures, "startup_s": startup, "memory_mb": _rss_mb() - base}


def _run_child(backend: str, rounds: int, cache: Path) -> dict[str, Any]:
    env = {**os.environ, "NLU_BENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", backend, "--rounds", str(rounds)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _rasa_model(train: bool) -> tuple[str | None, str]:
    """The cached Rasa model (trained first when asked), or why there is none."""
    if subprocess.run(["bash", str(SCRIPT), "python"], capture_output=True).returncode:
        return None, "no Python 3.10 on this machine"
    found = subprocess.run(["bash", str(SCRIPT), "model"], capture_output=True, text=True)
    if found.returncode == 0:
        return found.stdout.strip(), ""
    if not train:
        return None, "no venv or model yet (scripts/rasa.sh train, or --train-rasa)"
    print("training the Rasa model (minutes)...", file=sys.stderr)
    trained = subprocess.run(
        ["bash", str(SCRIPT), "train"], capture_output=True, text=True, check=True
    )
    return trained.stdout.strip().splitlines()[-1], ""


def _rasa(model: str, rounds: int) -> dict[str, Any]:
    """Start the real Rasa server with ``model``, time its start, measure it, stop it."""
    import httpx

    from bot.nlu.entities import EntityExtractor
    from bot.nlu.rasa import RasaNLU
    from bot.nlu.trainingdata import load_nlu_data

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"rasa-bench-{port}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", str(SCRIPT), "serve", model],
            env={**os.environ, "RASA_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the Rasa server stopped; see {log}")
            try:
                status = httpx.get(f"{url}/status", timeout=5)
                if status.status_code == 200 and status.json().get("model_file"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        startup = time.perf_counter() - started
        extractor = EntityExtractor(load_nlu_data(ROOT / "nlu" / "data"))
        nlu = RasaNLU(url, timeout=30, normalize=extractor.canonical)

        async def measure() -> dict[str, float]:
            try:
                return await _measure(nlu.request, rounds)
            finally:
                await nlu.aclose()

        figures = asyncio.run(measure())
        return {**figures, "startup_s": startup, "memory_mb": _group_rss_mb(server.pid)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


ROWS = [
    ("start-up (s)", "startup_s", "{:.2f}"),
    ("parse p50 (ms)", "p50_ms", "{:.3f}"),
    ("parse p99 (ms)", "p99_ms", "{:.3f}"),
    ("added memory (MB)", "memory_mb", "{:.0f}"),
    ("held-out macro-F1", "macro_f1", "{:.3f}"),
    ("held-out accuracy", "accuracy", "{:.3f}"),
    ("held-out entity F1", "entity_f1", "{:.3f}"),
    ("parses timed", "parses", "{:.0f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the sentences")
    parser.add_argument("--train-rasa", action="store_true", help="train Rasa if needed")
    parser.add_argument("--no-rasa", action="store_true", help="skip the Rasa server")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds)))
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as cache:
        results["embedded (train)"] = _run_child("embedded", args.rounds, Path(cache))
        results["embedded (load)"] = _run_child("embedded", args.rounds, Path(cache))
    results["keywords"] = _run_child("keywords", args.rounds, Path(tempfile.gettempdir()))
    notes = []
    if not args.no_rasa:
        model, why = _rasa_model(args.train_rasa)
        if model:
            results["rasa 3.6 (DIET)"] = _rasa(model, max(1, args.rounds // 3))
        else:
            notes.append(f"rasa: not measured ({why})")
    width = max(len(name) for name in results) + 2
    print(f"{'':<20}" + "".join(f"{name:>{width}}" for name in results))
    for label, key, fmt in ROWS:
        cells = "".join(f"{fmt.format(r[key]):>{width}}" for r in results.values())
        print(f"{label:<20}{cells}")
    for note in notes:
        print(note)
    print(f"({os.cpu_count()} CPUs; each backend in its own process, one parse at a time)")


if __name__ == "__main__":
    main()
