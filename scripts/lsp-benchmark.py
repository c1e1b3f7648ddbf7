#!/usr/bin/env python3
"""Latency of `drlint lsp` from a change to its diagnostics, on namespaces of the real corpus.

Drives the release binary over stdio as an editor does: initialize (workspace folder = the
namespace), didOpen of the namespace's rds.tf (or first .tf file), then N didChange
notifications that alternate a value, each timed from the moment it is written to the moment the
publishDiagnostics for that file arrives. Run once with the server's default debounce and once
with none (the check alone). Nothing is written to disk: the edits live in the buffer.

    cargo build --release -p drlint-cli
    python3 scripts/lsp-benchmark.py [NAMESPACE_FOLDER ...]

Default folders: laa-landing-page-dev (12 Terraform files, a typical namespace: the corpus's
median is 7, its 90th percentile 13) and hmpps-probation-integration-services-prod (52, the
largest).
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIVE = os.path.join(
    ROOT, "..", "shared", "corpus", "cloud-platform-environments", "namespaces",
    "live.cloud-platform.service.justice.gov.uk",
)
DEFAULT = [
    os.path.join(LIVE, "laa-landing-page-dev"),
    os.path.join(LIVE, "hmpps-probation-integration-services-prod"),
]
BINARY = os.path.join(ROOT, "target", "release", "drlint")
CHANGES = 40


class Server:
    def __init__(self, root, debounce_ms):
        self.proc = subprocess.Popen(
            [BINARY, "lsp"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "DRLINT_NO_HISTORY": "1"},
        )
        self.next_id = 0
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": "file://" + root, "capabilities": {},
            "initializationOptions": None if debounce_ms is None else {"debounceMs": debounce_ms},
        })
        self.notify("initialized", {})

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the server stopped")
            line = line.strip()
            if not line:
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.next_id and "method" not in m:
                return m.get("result")

    def diagnostics_of(self, uri):
        while True:
            m = self.read()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=10)


def variants(text):
    """Two versions of the file that differ in one value, as typing would change it."""
    for old, new in [("= true", "= false"), ("= false", "= true"), ('"35"', '"3"')]:
        if old in text:
            return text, text.replace(old, new, 1)
    return text, text + "\n# edited\n"


def measure(root, debounce_ms):
    resources = os.path.join(root, "resources")
    tf = sorted(f for f in os.listdir(resources) if f.endswith(".tf"))
    name = "rds.tf" if "rds.tf" in tf else tf[0]
    path = os.path.join(resources, name)
    uri = "file://" + path
    text = open(path, encoding="utf-8").read()
    server = Server(root, debounce_ms)
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "terraform", "version": 1, "text": text}})
    first = server.diagnostics_of(uri)
    a, b = variants(text)
    latencies = []
    for i in range(CHANGES):
        started = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": i + 2},
            "contentChanges": [{"text": b if i % 2 == 0 else a}]})
        server.diagnostics_of(uri)
        latencies.append((time.perf_counter() - started) * 1000)
    server.stop()
    latencies.sort()
    return name, len(tf), len(first), latencies


def main():
    if not os.path.exists(BINARY):
        raise SystemExit("build it first: cargo build --release -p drlint-cli")
    folders = [os.path.abspath(f) for f in sys.argv[1:]] or [os.path.abspath(f) for f in DEFAULT]
    for root in folders:
        for debounce, label in [(None, "default debounce (20 ms)"), (0, "no debounce")]:
            name, files, diagnostics, ms = measure(root, debounce)
            p90 = ms[int(len(ms) * 0.9) - 1]
            print(
                f"{os.path.basename(root)}: {files} .tf files, {diagnostics} diagnostics in {name}; "
                f"{label}: median {statistics.median(ms):.1f} ms, p90 {p90:.1f} ms, "
                f"max {ms[-1]:.1f} ms over {len(ms)} changes"
            )


if __name__ == "__main__":
    main()
