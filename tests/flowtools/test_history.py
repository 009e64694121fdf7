"""The flows' history read from git, and what coordinators read when it cannot be."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.flowtools.history import NO_GIT, NOT_TRACKED, commit_diff, flow_history


def test_a_folder_outside_git_says_so_in_french(tmp_path: Path) -> None:
    (tmp_path / "main.yml").write_text("flow: main\n", "utf-8")
    assert flow_history(tmp_path).reason == NOT_TRACKED
    assert commit_diff(tmp_path, "a" * 40) is None


def test_without_git_installed_the_history_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    history = flow_history(tmp_path)
    assert history.changes == () and history.reason == NO_GIT


def test_only_a_commit_hash_reaches_git(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for wanted in ("--output=/tmp/x", "HEAD", "a b", "../etc", "-p", "ABCDEF1", ""):
        assert commit_diff(tmp_path, wanted) is None, wanted


def test_the_log_lists_commits_touching_the_folder_only(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main.yml").write_text("flow: main\n", "utf-8")
    (tmp_path / "other.txt").write_text("x", "utf-8")
    me = ["-c", "user.name=Awa", "-c", "user.email=awa@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "flows"], cwd=tmp_path, check=True)
    subprocess.run(["git", *me, "commit", "-q", "-m", "Le script"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "other.txt"], cwd=tmp_path, check=True)
    subprocess.run(["git", *me, "commit", "-q", "-m", "Autre chose"], cwd=tmp_path, check=True)
    history = flow_history(flows)
    assert history.reason is None
    [change] = history.changes
    assert (change.author, change.message) == ("Awa", "Le script")
    assert change.files == ("flows/main.yml",)
    patch = commit_diff(flows, change.commit)
    assert patch is not None and "+flow: main" in patch
