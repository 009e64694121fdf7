"""The real Rasa 3.6: trained on nlu/ (fewer epochs), served, and used through the rasa backend.

Slow (a few minutes; the first run also installs Rasa), so it only runs with ``-m rasa``
(``.ci/run`` has a step for it). Skipped, with the reason, where Python 3.10 is missing.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app.settings import PROJECT
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.evaluation import evaluate
from bot.nlu.rasa import RasaNLU
from bot.nlu.trainingdata import load_nlu_data

pytestmark = pytest.mark.rasa

SCRIPT = PROJECT / "scripts" / "rasa.sh"
EPOCHS = 40  # instead of 100: enough for these checks, much quicker to train


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _reduced_config(folder: Path) -> Path:
    text = (PROJECT / "nlu" / "config.yml").read_text(encoding="utf-8")
    # Fewer epochs, and a fixed seed so that the figure below is the same from run to run.
    reduced, count = re.subn(
        r"(?m)^(\s+)epochs:\s*\d+", rf"\1epochs: {EPOCHS}\n\1random_seed: 1", text
    )
    assert count == 1, "nlu/config.yml should set DIETClassifier's epochs once"
    path = folder / "config.yml"
    path.write_text(reduced, encoding="utf-8")
    return path


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the model is loaded; fail (with the log) if the server process dies."""
    while server.poll() is None:
        try:
            status = httpx.get(f"{url}/status", timeout=5)
            if status.status_code == 200 and status.json().get("model_file"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the Rasa server stopped:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    found = subprocess.run(["bash", str(SCRIPT), "python"], capture_output=True, check=False)
    if found.returncode != 0:
        pytest.skip("Python 3.10 is not installed here, and Rasa 3.6 needs it")
    folder = tmp_path_factory.mktemp("rasa")
    env = {
        **os.environ,
        "RASA_CACHE_DIRECTORY": str(folder / "cache"),  # really train, no cached components
        "RASA_PORT": str(_free_port()),
    }
    trained = subprocess.run(
        ["bash", str(SCRIPT), "train", str(_reduced_config(folder)), str(folder / "models")],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    model = trained.stdout.strip().splitlines()[-1]
    assert model.endswith(".tar.gz") and Path(model).exists()
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", str(SCRIPT), "serve", model],
            env=env,
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole below
        )
    url = f"http://127.0.0.1:{env['RASA_PORT']}"
    try:
        _wait_until_ready(url, server, log)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


async def test_the_real_rasa_server_parses_through_the_rasa_backend(
    rasa_url: str, embedded_nlu: EmbeddedNLU
) -> None:
    nlu = RasaNLU(
        rasa_url,
        timeout=30,  # the first parses of a fresh model are slow
        normalize=embedded_nlu.extractor.canonical,
        fallback=embedded_nlu,
    )
    expected = {
        "STOP": "stop",
        "arrêtez de m'écrire": "stop",
        "supprimez mes données": "delete_data",
        "je veux parler à un conseiller": "ask_human",
        "bonjour": "greet",
        "merci beaucoup": "thanks",
    }
    for text, intent in expected.items():
        understood = await nlu.request(text)  # request(): no fallback may hide a failure
        assert understood.intent == intent, text
    understood = await nlu.request("jveux ouvrir un snack a Vaulx 69120")
    assert understood.entity("sector") == "restauration"
    assert understood.entity("postal_code") == "69120"
    # Held-out figures of this quickly trained model, for the CI log. Not a target: with the
    # FAQ's ~30 intents beside the contract's 13, DIET trained this briefly lands near 0.5
    # (the embedded backend is the one measured against targets); the floor only catches a
    # model that learnt nothing (chance is under 0.1).
    synonyms = load_nlu_data(PROJECT / "nlu" / "data").synonyms
    figures = {}
    for lang, name in (("fr", "heldout.yml"), ("en", "heldout_en.yml"), ("ar", "heldout_ar.yml")):
        held_out = load_nlu_data(PROJECT / "tests" / "nlu_data" / name)
        figures[lang] = await evaluate(nlu.request, held_out, synonyms)
        print(
            f"\nRasa DIET ({EPOCHS} epochs) held-out macro-F1 ({lang}) "
            f"{figures[lang].macro_f1:.3f}, accuracy {figures[lang].accuracy:.3f}"
        )
    assert figures["fr"].macro_f1 > 0.4
    await nlu.aclose()
