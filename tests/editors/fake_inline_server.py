"""A stand-in for nib that answers every inline completion with a fixed item.

Lets test_neovim.py check the plugin's handling of answers the small model rarely
gives on cue (several lines, text that replaces closing brackets) and of UTF-16
positions. The answer comes from initializationOptions:
`{"answer": "<insertText>", "replace": <UTF-16 units after the cursor it replaces>}`;
with `"record": "<path>"`, each notification the plugin sends is appended there as a
line of JSON.
"""

import json
import sys


def read():
    headers = {}
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        line = line.decode("ascii").strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return json.loads(sys.stdin.buffer.read(int(headers["content-length"])))


def send(message):
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def main():
    options = {}
    while True:
        message = read()
        if message is None or message.get("method") == "exit":
            return
        method, ident = message.get("method"), message.get("id")
        if ident is None and options.get("record"):
            with open(options["record"], "a") as record:
                record.write(json.dumps(message) + "\n")
        if method == "initialize":
            options = message["params"].get("initializationOptions") or {}
            capabilities = {
                "positionEncoding": "utf-16",
                "textDocumentSync": 2,
                "inlineCompletionProvider": True,
            }
            send({"id": ident, "result": {"capabilities": capabilities}})
        elif method == "initialized":
            params = {"type": 3, "message": "nib: model ready in 0 ms"}
            send({"method": "window/logMessage", "params": params})
        elif method == "textDocument/inlineCompletion":
            at = message["params"]["position"]
            end = {"line": at["line"], "character": at["character"] + options.get("replace", 0)}
            item = {"insertText": options["answer"], "range": {"start": at, "end": end}}
            send({"id": ident, "result": {"items": [item]}})
        elif ident is not None:
            send({"id": ident, "result": None})


if __name__ == "__main__":
    main()
