"""`nib serve --stdio` driven the way real editors drive it.

Each client starts nib with the capabilities that editor sends (recorded by pytest-lsp
for VS Code and Neovim; written out from Helix's source for Helix), opens a document,
types into it with incremental didChange, and asks the request that editor asks:
inline completion for VS Code and Neovim 0.12, completion items for Helix.
"""

import copy
import json
import os
import queue
import subprocess
import threading
from importlib import resources

import pytest

WAIT_S = 60

# Text before the cursor holds a 2-byte "é" and a 3-byte, 1-UTF-16-unit "☕", so byte,
# UTF-16 and UTF-32 columns all differ on the line being typed.
OPENED = 'greeting = "héllo"\nprint("café ☕", gree'
LINE = 1


def recorded(name: str) -> dict:
    """InitializeParams fields recorded from a real client by pytest-lsp."""
    path = resources.files("pytest_lsp") / "clients" / name
    return json.loads(path.read_text())


def neovim_012() -> dict:
    """Neovim 0.11.0's recorded capabilities plus what 0.12 adds for inline completion.

    pytest-lsp has no 0.12 recording; 0.12's vim.lsp.inline_completion asks
    textDocument/inlineCompletion and announces textDocument.inlineCompletion.
    """
    params = copy.deepcopy(recorded("neovim_v0.11.0.json"))
    params["clientInfo"]["version"] = "0.12 (0.11.0 recording + inlineCompletion)"
    params["capabilities"]["textDocument"]["inlineCompletion"] = {"dynamicRegistration": False}
    return params


def helix() -> dict:
    """What helix-lsp's Client::initialize sends, cut to the parts a completion server reads.

    From helix-editor/helix, helix-lsp/src/client.rs (commit 079a789e, July 2026): position
    encodings utf-8, utf-32, utf-16 in that order; completion items with snippets (the
    default editor.lsp.snippets = true), insert/replace edits, resolve of documentation,
    detail and additionalTextEdits; no completion context support; work done progress;
    no inline completion.
    """
    return {
        "clientInfo": {"name": "helix", "version": "25.07.1"},
        "capabilities": {
            "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
            "textDocument": {
                "completion": {
                    "completionItem": {
                        "snippetSupport": True,
                        "resolveSupport": {
                            "properties": ["documentation", "detail", "additionalTextEdits"]
                        },
                        "insertReplaceSupport": True,
                        "deprecatedSupport": True,
                        "tagSupport": {"valueSet": [1]},
                    },
                    "completionItemKind": {},
                },
                "hover": {"contentFormat": ["markdown"]},
                "publishDiagnostics": {"versionSupport": True, "tagSupport": {"valueSet": [1, 2]}},
            },
            "window": {
                "showMessage": {"messageActionItem": {"additionalPropertiesSupport": True}},
                "workDoneProgress": True,
                "showDocument": {"support": True},
            },
            "workspace": {"configuration": True, "workspaceFolders": True, "applyEdit": True},
        },
    }


def column(text: str, encoding: str) -> int:
    """Length of `text` in the units of an LSP position encoding."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


class Client:
    """A minimal LSP client over the stdio of a child process (JSON-RPC with headers)."""

    def __init__(self, argv: list, env: dict):
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        self.next_id = 0
        self.messages: queue.Queue = queue.Queue()
        self.notifications: list = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def _send(self, message: dict):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    def _next(self, timeout: float) -> dict:
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"nib sent nothing for {timeout} s")
        if message is None:
            pytest.fail(f"nib exited (status {self.proc.wait()})")
        if "method" in message and "id" in message:
            # A request from nib (window/workDoneProgress/create): accept it.
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    def request(self, method: str, params, timeout: float = WAIT_S) -> dict:
        """Sends a request; returns its whole response (`result` or `error`)."""
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        while True:
            message = self._next(timeout)
            if message.get("id") == ident and "method" not in message:
                return message

    def wait_notification(self, match, what: str, timeout: float = WAIT_S) -> dict:
        seen = 0
        while True:
            for message in self.notifications[seen:]:
                if match(message):
                    return message
            seen = len(self.notifications)
            try:
                self._next(timeout)
            except pytest.fail.Exception:
                pytest.fail(f"no {what} from nib within {timeout} s; got {self.notifications}")

    def close(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


EDITORS = {
    # pytest-lsp's VS Code recording predates positionEncodings and inline completion;
    # the inline request is what vscode-languageclient 10 (editors/vscode) sends.
    "vscode-1.65.2": {
        "params": lambda: recorded("visual_studio_code_v1.65.2.json"),
        "encoding": "utf-16",  # offers no positionEncodings, so UTF-16
        "asks": "textDocument/inlineCompletion",
    },
    "neovim-0.11.0": {
        "params": lambda: recorded("neovim_v0.11.0.json"),
        "encoding": "utf-8",  # offers utf-8, utf-16, utf-32
        "asks": "textDocument/completion",  # 0.11 has no inline completion of its own
    },
    "neovim-0.12": {
        "params": neovim_012,
        "encoding": "utf-8",
        "asks": "textDocument/inlineCompletion",
    },
    "helix": {
        "params": helix,
        "encoding": "utf-8",
        "asks": "textDocument/completion",
    },
}


@pytest.fixture(params=list(EDITORS))
def session(request, nib_bin, nib_env):
    """nib initialized by one editor, with the model loaded and a Python file open."""
    editor = EDITORS[request.param]
    client = Client([nib_bin, "serve", "--stdio"], nib_env)
    try:
        params = editor["params"]()
        init = client.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": None, "workspaceFolders": None, **params},
        )
        client.notify("initialized", {})
        client.wait_notification(
            lambda m: m["method"] == "window/logMessage"
            and m["params"]["message"].startswith("nib: model ready"),
            "'model ready' log message",
        )
        uri = "file:///project/greet.py"
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": OPENED}},
        )
        yield client, editor, init, uri
    finally:
        client.close()


def type_text(client, uri, version, line_text, text, encoding):
    """One incremental didChange inserting `text` at the end of `line_text` (line LINE)."""
    at = {"line": LINE, "character": column(line_text, encoding)}
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": text}],
        },
    )
    return line_text + text


def test_initialize_negotiates_the_editors_position_encoding(session):
    _, editor, init, _ = session
    capabilities = init["result"]["capabilities"]
    assert capabilities["positionEncoding"] == editor["encoding"]
    assert capabilities["textDocumentSync"]["change"] == 2, "incremental sync"
    assert capabilities["inlineCompletionProvider"]
    # Completion items only for clients without inline completion: asking both would run
    # the model twice for one keystroke.
    announced = editor["params"]()["capabilities"].get("textDocument", {})
    inline_client = "inlineCompletion" in announced
    assert ("completionProvider" in capabilities) != inline_client, capabilities
    assert init["result"]["serverInfo"]["name"] == "nib"


def test_the_editors_request_after_typing_answers_in_its_units(session):
    client, editor, _, uri = session
    encoding = editor["encoding"]
    line = OPENED.split("\n")[LINE]
    line = type_text(client, uri, 2, line, "t", encoding)  # ... greet
    cursor = {"line": LINE, "character": column(line, encoding)}
    position = {"textDocument": {"uri": uri}, "position": cursor}

    if editor["asks"] == "textDocument/inlineCompletion":
        answer = client.request(
            "textDocument/inlineCompletion", {**position, "context": {"triggerKind": 2}}
        )
        items = answer["result"]["items"]
        assert items, answer
        item = items[0]
        assert item["insertText"].startswith("ing"), item
        assert item["range"]["start"] == cursor, "the range starts at the cursor, in its units"
        assert item["range"]["end"]["line"] == LINE
        assert item["range"]["end"]["character"] >= cursor["character"]
        return

    word_start = {"line": LINE, "character": column(line[: -len("greet")], encoding)}
    for version, typed in [(3, None), (4, "i")]:
        if typed:
            # Typing on: isIncomplete makes the editor ask again rather than filter.
            line = type_text(client, uri, version, line, typed, encoding)
            cursor = {"line": LINE, "character": column(line, encoding)}
            position["position"] = cursor
        word = line[line.rindex(" ") + 1 :]
        answer = client.request(
            "textDocument/completion", {**position, "context": {"triggerKind": 1}}
        )
        result = answer["result"]
        assert result["isIncomplete"] is True
        assert len(result["items"]) == 1, result
        item = result["items"][0]
        edit = item["textEdit"]
        assert edit["range"]["start"] == word_start, "the edit covers the typed word"
        assert edit["range"]["end"]["line"] == LINE
        assert edit["range"]["end"]["character"] >= cursor["character"]
        assert edit["newText"].startswith(word) and len(edit["newText"]) > len(word)
        assert item["filterText"].startswith(word), "filtering by the typed word keeps it"
        assert item["label"].rstrip("…") == edit["newText"].split("\n")[0].strip()[:60]
        assert item["sortText"] == "0"
        assert item["kind"] == 1, "Text"
        assert item.get("insertTextFormat", 1) == 1, "plain text, not a snippet"
