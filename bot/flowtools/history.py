"""Who changed the flows, when: `git log` and `git show` on the flows folder, if git is there."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bot.web.flowdesk import Change, History

log = logging.getLogger(__name__)

COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
TIMEOUT = 10.0  # seconds: a page must not hang on a slow disk or a huge repository
MAX_DIFF = 200_000  # characters of one commit's patch shown on a page
NO_GIT = (
    "L'historique n'est pas disponible : le programme git n'est pas installé sur le "
    "serveur. Les empreintes et dates des fichiers ci-dessous disent quand même quelle "
    "version est en place."
)
NOT_TRACKED = (
    "L'historique n'est pas disponible : le dossier des scripts n'est pas suivi par git "
    "sur ce serveur (pas de dépôt git). Les empreintes et dates des fichiers ci-dessous "
    "disent quand même quelle version est en place."
)
FAILED = "L'historique n'a pas pu être lu ({why}). Les empreintes et dates restent justes."
_RECORD, _FIELD = "\x1e", "\x1f"


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | str:
    """Run git with fixed arguments in ``folder``; the French reason when it cannot."""
    git = shutil.which("git")
    if git is None:
        return NO_GIT
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    try:
        return subprocess.run(  # fixed arguments, no shell
            [git, "-C", str(folder), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return FAILED.format(why="git a mis trop de temps à répondre")
    except OSError as exc:
        log.warning("git could not run: %s", exc)
        return FAILED.format(why="git n'a pas pu être lancé")


def _refusal(done: subprocess.CompletedProcess[str]) -> str:
    error = done.stderr.strip()
    if "not a git repository" in error:
        return NOT_TRACKED
    if "dubious ownership" in error:
        return FAILED.format(why="le dépôt appartient à un autre utilisateur du serveur")
    if "does not have any commits" in error:
        return NOT_TRACKED
    return FAILED.format(why=(error.splitlines() or ["erreur inconnue"])[-1][:200])


def flow_history(folder: Path, limit: int = 50) -> History:
    """The last ``limit`` commits touching ``folder``, newest first."""
    done = _git(
        folder,
        "log",
        f"--max-count={limit}",
        "--no-color",
        f"--format={_RECORD}%H{_FIELD}%an{_FIELD}%aI{_FIELD}%s",
        "--name-only",
        "--",
        ".",
    )
    if isinstance(done, str):
        return History((), done)
    if done.returncode != 0:
        return History((), _refusal(done))
    changes = []
    for record in done.stdout.split(_RECORD)[1:]:
        head, _newline, rest = record.partition("\n")
        parts = head.split(_FIELD)
        if len(parts) != 4:
            continue
        commit, author, when, message = parts
        try:
            at = datetime.fromisoformat(when).astimezone(UTC)
        except ValueError:
            continue
        files = tuple(line.strip() for line in rest.splitlines() if line.strip())
        changes.append(Change(commit, author, at, message, files))
    return History(tuple(changes))


def commit_diff(folder: Path, commit: str) -> str | None:
    """What one commit changed in ``folder`` (its patch), or ``None`` if unknown here."""
    if not COMMIT.match(commit):
        return None
    done = _git(folder, "show", "--no-color", "--no-ext-diff", "--format=fuller", commit, "--", ".")
    if isinstance(done, str) or done.returncode != 0:
        return None
    text = done.stdout
    if len(text) > MAX_DIFF:
        text = text[:MAX_DIFF] + "\n… (la suite est trop longue pour être montrée ici)\n"
    return text
