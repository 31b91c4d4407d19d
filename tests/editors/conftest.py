"""Shared fixtures for the editor tests: the real nib binary and its model cache."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def nib_home() -> pathlib.Path:
    """Where nib keeps its models, resolved the way nib does it."""
    if os.environ.get("NIB_HOME"):
        return pathlib.Path(os.environ["NIB_HOME"])
    if os.environ.get("XDG_CACHE_HOME"):
        return pathlib.Path(os.environ["XDG_CACHE_HOME"]) / "nib"
    return pathlib.Path.home() / ".cache" / "nib"


@pytest.fixture(scope="session")
def nib_bin() -> str:
    path = pathlib.Path(os.environ.get("NIB_BIN", REPO / "target" / "release" / "nib"))
    if not path.is_file():
        pytest.fail(
            f"nib binary not found at {path}: build it with `cargo build --release` "
            "or point NIB_BIN at it"
        )
    return str(path)


@pytest.fixture(scope="session")
def nib_env(nib_bin) -> dict:
    """Environment for nib with the model cache pinned, so a test may change HOME freely.

    Fails the session at once, with nib's own advice, when the model is not there.
    """
    env = {"NIB_HOME": str(nib_home())}
    check = subprocess.run(
        [nib_bin, "doctor"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check.returncode != 0:
        pytest.fail(
            "nib is not ready (run `nib model pull` to fetch the model):\n"
            + check.stdout
            + check.stderr[-2000:]
        )
    return env
