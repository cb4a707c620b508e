/*! Samsvar agent console: the agent API over HTTP and its WebSocket (docs/agent-api.md). MIT licence.
 * The session is an HTTP-only cookie the server sets at sign-in: this code never sees it. */

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15000;
const PING_MS = 25000;
const PONG_WAIT_MS = 10000;

/** An error the server answered ({ok: false, error, code}), or a network failure (code "network"). */
export class ApiError extends Error {
  constructor(message, { status = 0, code = "network", retryAfter = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** The server's root: the folder above /console/, so a path prefix behind a proxy is kept. */
export function serverRoot() {
  return new URL("../", import.meta.url).href;
}

export class Api {
  /** @param {{root: string, onSignedOut: (code: string) => void}} options */
  constructor({ root, onSignedOut }) {
    this.base = new URL("api/v1/agent/", root).href;
    this.wsUrl = this.base.replace(/^http/, "ws") + "ws";
    this.onSignedOut = onSignedOut;
  }

  async request(method, path, body) {
    let response;
    try {
      response = await fetch(new URL(path, this.base), {
        method,
        credentials: "same-origin",
        headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (exc) {
      throw new ApiError(String(exc && exc.message ? exc.message : exc));
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.ok && data && data.ok !== false) return data;
    const error = new ApiError((data && data.error) || `HTTP ${response.status}`, {
      status: response.status,
      code: (data && data.code) || `http_${response.status}`,
      retryAfter: (data && data.retry_after) || Number(response.headers.get("Retry-After")) || null,
    });
    if (response.status === 401 && path !== "sign-in") this.onSignedOut(error.code);
    throw error;
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body = {}) {
    return this.request("POST", path, body);
  }
}

/** The agent WebSocket: reconnects with backoff and jitter, and pings to find a dead connection. */
export class AgentSocket {
  /** @param {string} url @param {{open: Function, frame: Function, close: Function}} on */
  constructor(url, on) {
    this.url = url;
    this.on = on;
    this.ws = null;
    this.tries = 0;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  open() {
    if (this.ws || this.stopped) return;
    clearTimeout(this.retryTimer);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.tries = 0;
      this.beat(ws);
      this.on.open();
    };
    ws.onmessage = (event) => {
      this.alive();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === "string") this.on.frame(frame);
    };
    ws.onclose = (event) => this.lost(ws, event.code);
    ws.onerror = () => {}; // a close event follows
  }

  lost(ws, code) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.quiet();
    try {
      ws.close();
    } catch {
      /* already closed */
    }
    this.on.close(code);
    this.retry();
  }

  retry() {
    if (this.stopped) return;
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.tries);
    this.tries = Math.min(this.tries + 1, 16);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  hurry() {
    if (!this.ws && !this.stopped) this.open();
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    this.quiet();
    if (ws) ws.close(1000);
  }

  beat(ws) {
    this.quiet();
    this.pingTimer = setInterval(() => {
      if (this.pongTimer || !this.send({ type: "ping" })) return;
      this.pongTimer = setTimeout(() => this.lost(ws, 4000), PONG_WAIT_MS);
    }, PING_MS);
  }

  alive() {
    clearTimeout(this.pongTimer);
    this.pongTimer = 0;
  }

  quiet() {
    clearInterval(this.pingTimer);
    this.alive();
  }
}
