"""What the widget costs a page: size, load time, time to ready and connected, memory, reply time.

    python -m benchmarks.run_widget [--runs 15] [--url URL] [--out docs/benchmarks/widget.json]

Without `--url`, it starts `samsvar serve` on a free port over the configured data directory
(default `var/`, so the first run indexes the demo base). Each run is a new visitor (a new
browser context) in headless Debian Chromium on the demo's home page. The baseline is the same
page in the same run with `widget.js` blocked. Figures are medians and 95th percentiles over
the runs:

* `load_event_ms`: navigation start to the end of the load event, with and without the widget.
* `fetch_ms`: the request for `widget.js` (a new visitor has nothing cached), from the start of
  the request to its last byte.
* `ready_ms`: navigation start until `<samsvar-chat>` is defined and its launcher is built (a
  deferred script runs once the HTML is parsed and the page's stylesheet has loaded).
* `connected_ms`: navigation start until the first WebSocket frame (`welcome`) arrives.
* `heap_kb`, `dom_nodes`: JS heap used after a forced GC, and DOM nodes (shadow DOM included).
* `script_ms`, `style_layout_ms`: Chromium's time spent running JavaScript, and recalculating
  style plus layout, from navigation until 300 ms after the widget connected.

The baseline blocks `widget.js` inside the browser (`Network.setBlockedURLs`), so it pays no
request-interception cost that the widget run does not.
* `reply_ms`: the visitor presses Enter until the bot's answer is in the log (measured by the
  driver, so it includes Playwright's round trips and the server's bot turn).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info, write_json

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "web_widget" / "widget.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
QUESTIONS = [
    "Kortet mitt blir avvist i kassen",
    "Hvor lang leveringstid har dere?",
    "Hvordan returnerer jeg en vare?",
    "Hvor er pakken min?",
    "Kan jeg betale med Klarna?",
]

# Timestamps in the page's own clock, recorded by the page, not by our widget code.
PROBE = """
window.__bench = {};
customElements.whenDefined('samsvar-chat').then(() => {
  window.__bench.ready = performance.now();
});
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', () => {
      window.__bench.connected ??= performance.now();
    }, {once: true});
  }
};
"""


def _sizes() -> dict[str, int]:
    raw = WIDGET.read_bytes()
    return {"bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, compresslevel=9))}


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    from tests.server import samsvar_serve

    samsvar = str(Path(sys.executable).with_name("samsvar"))
    env = {key: value for key, value in os.environ.items()}
    env.setdefault("CHAT_DATA_DIR", str(ROOT / "var"))
    env["CHAT_RATE_LIMIT_MESSAGES"] = "10000"
    for limit in ("NEW_VISITORS", "HELLOS", "TYPING"):  # every visitor comes from loopback
        env[f"CHAT_RATE_LIMIT_{limit}"] = "1000000"
    with tempfile.TemporaryDirectory() as cwd, samsvar_serve(samsvar, env, Path(cwd)) as served:
        yield served.url


def _watch(page: Any) -> Any:
    """A CDP session counting Chromium's metrics from before the navigation."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    return cdp


def _metrics(cdp: Any) -> dict[str, float]:
    """JS heap after a GC, DOM nodes, and script and style/layout time since `_watch`."""
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1024
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap_kb": heap,
        "dom_nodes": metrics["Nodes"],
        "script_ms": metrics["ScriptDuration"] * 1000,
        "style_layout_ms": (metrics["RecalcStyleDuration"] + metrics["LayoutDuration"]) * 1000,
    }


def _load_event(page: Any) -> float:
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    return float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))


def _baseline(browser: Any, url: str) -> dict[str, float]:
    context = browser.new_context()
    page = context.new_page()
    cdp = _watch(page)
    cdp.send("Network.enable")  # blocked inside the browser: no request interception
    cdp.send("Network.setBlockedURLs", {"urls": ["*/widget.js"]})
    page.goto(url + "/")
    load = _load_event(page)
    page.wait_for_timeout(300)
    figures = {"load_event_ms": load} | _metrics(cdp)
    context.close()
    return figures


def _with_widget(browser: Any, url: str, question: str) -> dict[str, float]:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.add_init_script(PROBE)
    cdp = _watch(page)
    page.goto(url + "/")
    load = _load_event(page)
    page.wait_for_function("window.__bench.ready && window.__bench.connected")
    marks = page.evaluate(
        "() => ({...window.__bench, fetch: performance.getEntriesByName("
        "location.origin + '/widget.js')[0].duration})"
    )
    page.wait_for_timeout(300)
    measured = _metrics(cdp)
    chat = page.locator("samsvar-chat")
    chat.get_by_role("button", name="Åpne chat").click()
    box = chat.get_by_role("textbox", name="Skriv en melding")
    box.fill(question)
    replies = chat.locator(".msg.bot")  # a benchmark may know the markup; tests use roles
    before = replies.count()
    started = time.perf_counter()
    box.press("Enter")
    expect(replies).to_have_count(before + 1, timeout=30_000)
    reply = (time.perf_counter() - started) * 1000
    context.close()
    return {
        "load_event_ms": load,
        "fetch_ms": marks["fetch"],
        "ready_ms": marks["ready"],
        "connected_ms": marks["connected"],
        **measured,
        "reply_ms": reply,
    }


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def run(runs: int, url: str | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    baseline: list[dict[str, float]] = []
    widget: list[dict[str, float]] = []
    with _server(url) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        version = browser.version
        _with_widget(browser, base, QUESTIONS[0])  # warm the server and the browser's caches
        for index in range(runs):
            baseline.append(_baseline(browser, base))
            widget.append(_with_widget(browser, base, QUESTIONS[index % len(QUESTIONS)]))
        browser.close()
    figures = {
        "baseline": {k: _summary([r[k] for r in baseline]) for k in baseline[0]},
        "widget": {k: _summary([r[k] for r in widget]) for k in widget[0]},
    }
    return {
        "machine": machine_info() | {"chromium": version},
        "runs": runs,
        "size": _sizes(),
        "figures": figures,
    }


def _print(report: dict[str, Any]) -> None:
    size = report["size"]
    print(f"widget.js: {size['bytes']:,} bytes, {size['gzip_bytes']:,} gzipped")
    print(f"{'figure':<16}{'baseline p50':>14}{'widget p50':>12}{'widget p95':>12}")
    figures = report["figures"]
    for key, values in figures["widget"].items():
        base = figures["baseline"].get(key, {}).get("median")
        shown = "" if base is None else f"{base:,.1f}"
        print(f"{key:<16}{shown:>14}{values['median']:>12,.1f}{values['p95']:>12,.1f}")
    machine = report["machine"]
    print(
        f"{report['runs']} runs, {machine['cpu']}, {machine['cores']} cores, {machine['chromium']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--url", help="a running Samsvar server (default: start one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "widget.json")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package")
    report = run(args.runs, args.url)
    _print(report)
    write_json(args.out, report)


if __name__ == "__main__":
    main()
