"""editors/helix/languages.toml in a real Helix, typed into through tmux.

Helix is not on a package registry this project uses, so this runs only where a Helix
binary is given (HX_BIN, or `hx` on PATH) and tmux is installed; elsewhere it is skipped.
"""

import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

from conftest import REPO

WAIT_S = 30
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def helix_binary():
    return os.environ.get("HX_BIN") or shutil.which("hx")


pytestmark = pytest.mark.skipif(
    not helix_binary() or not shutil.which("tmux"),
    reason="needs Helix (HX_BIN or hx on PATH) and tmux",
)


def wait_for(check, what, detail=lambda: ""):
    deadline = time.monotonic() + WAIT_S
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT_S} s waiting for {what}\n{detail()}")
        time.sleep(0.1)


@pytest.fixture
def helix(tmp_path, nib_bin, nib_env):
    home = tmp_path / "home"
    config = home / ".config" / "helix"
    config.mkdir(parents=True)
    shutil.copy(REPO / "editors" / "helix" / "languages.toml", config / "languages.toml")
    project = tmp_path / "project"
    project.mkdir()
    env = {
        **os.environ,
        **nib_env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PATH": f"{pathlib.Path(nib_bin).parent}{os.pathsep}{os.environ['PATH']}",
        "LANG": "C.UTF-8",
    }
    socket = f"nib-test-{os.getpid()}"

    def tmux(*args):
        return subprocess.run(
            ["tmux", "-L", socket, *args], env=env, capture_output=True, text=True, timeout=10
        )

    class Helix:
        log = home / ".cache" / "helix" / "helix.log"

        def health(self, language):
            out = subprocess.run(
                [helix_binary(), "--health", language],
                env=env,
                cwd=project,
                capture_output=True,
                text=True,
                timeout=30,
            )
            return ANSI.sub("", out.stdout + out.stderr)

        def open(self, name, text):
            (project / name).write_text(text)
            command = f"cd {project} && exec {helix_binary()} -v {name}"
            started = tmux("new-session", "-d", "-s", "hx", "-x", "100", "-y", "20", command)
            assert started.returncode == 0, started.stderr

        def keys(self, *keys, literal=False):
            tmux("send-keys", "-t", "hx", *(["-l"] if literal else []), *keys)

        def screen(self):
            return tmux("capture-pane", "-p", "-t", "hx").stdout

        def log_text(self):
            return self.log.read_text() if self.log.exists() else ""

    try:
        yield Helix()
    finally:
        tmux("kill-server")


def test_helix_shows_and_inserts_nibs_completion_item(helix):
    health = helix.health("python")
    assert re.search(r"✓ nib: .*nib", health), health

    helix.open("greet.py", 'greeting = "héllo"\n')
    wait_for(lambda: "nib: model ready" in helix.log_text(), "nib's model", helix.log_text)

    helix.keys("o")
    helix.keys('print("café ☕", greet', literal=True)
    # The menu shows nib's item: its label, kind "text", and nib's detail.
    wait_for(
        lambda: re.search(r"greeting\)?\s+text", helix.screen()),
        "nib's item in Helix's completion menu",
        lambda: helix.screen() + helix.log_text()[-3000:],
    )
    assert '"detail":"nib suggestion"' in helix.log_text()
    assert '"positionEncoding":"utf-8"' in helix.log_text()

    helix.keys("Tab")
    time.sleep(0.3)
    helix.keys("Enter")
    wait_for(
        lambda: 'print("café ☕", greeting)' in helix.screen(),
        "Tab, Enter to insert the item",
        helix.screen,
    )
    helix.keys("Escape")
    helix.keys(":q!", "Enter")
