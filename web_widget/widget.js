/*! Samsvar chat widget. MIT licence. Plain JavaScript, no build step: this file is what runs.
 * Embed: <script src="https://HOST/widget.js" defer></script>. Attributes: docs/widget.md. */
(() => {
"use strict";
const TAG = "samsvar-chat";
if (!window.customElements || customElements.get(TAG)) return;

const SCRIPT = document.currentScript;
const LANGS = ["nb", "nn", "sv", "da", "fi", "en"];
const ALIASES = { no: "nb", nob: "nb", nor: "nb", nno: "nn", swe: "sv", dan: "da", fin: "fi", eng: "en" };
const MAX_CHARS = 2000;
const OUTBOX_TTL_MS = 24 * 3600 * 1000; // older unsent messages are not resent
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15000;
const PING_MS = 25000;
const PONG_WAIT_MS = 10000;
const NOTICE_DELAY_MS = 1200; // shorter blips show no notice
const TYPING_MAX_MS = 20000;

// UI text, one line per language in KEYS order (tested). {n} is filled in.
const KEYS = `open shut close title log input send typing reconnecting helped yes no
thanks human fallback more you agent sending failed unread dismiss bubble choices
case place wait opens helping solved mail mailed rate rated stars`.split(/\s+/);
const T = {
nb: `Åpne chat
Lukk chat
Lukk
Kundeservice
Meldinger
Skriv en melding
Send
skriver
Kobler til på nytt …
Hjalp dette?
Ja
Nei
Takk for tilbakemeldingen!
Snakk med et menneske
Svaret finnes ikke på ditt språk ennå.
Les mer
Du
Kundebehandler
Sender …
Ikke sendt
Uleste meldinger
Skjul
Ny melding
Forslag
Sak
Du er nummer {n} i køen
Ventetid ca. {n} min
Vi svarer fra {n}
{n} hjelper deg
Saken er løst
E-post for svar (valgfritt)
Vi svarer på e-post
Hvordan var hjelpen?
Takk for vurderingen!
{n} av 5`,
nn: `Opne chat
Lukk chat
Lukk
Kundeservice
Meldingar
Skriv ei melding
Send
skriv
Koplar til på nytt …
Hjelpte dette?
Ja
Nei
Takk for tilbakemeldinga!
Snakk med eit menneske
Svaret finst ikkje på språket ditt enno.
Les meir
Du
Kundebehandlar
Sender …
Ikkje sendt
Ulesne meldingar
Skjul
Ny melding
Forslag
Sak
Du er nummer {n} i køen
Ventetid om lag {n} min
Vi svarer frå {n}
{n} hjelper deg
Saka er løyst
E-post for svar (valfritt)
Vi svarer på e-post
Korleis var hjelpa?
Takk for vurderinga!
{n} av 5`,
sv: `Öppna chatten
Stäng chatten
Stäng
Kundservice
Meddelanden
Skriv ett meddelande
Skicka
skriver
Återansluter …
Hjälpte det här?
Ja
Nej
Tack för din återkoppling!
Prata med en person
Svaret finns inte på ditt språk än.
Läs mer
Du
Kundtjänst
Skickar …
Inte skickat
Olästa meddelanden
Dölj
Nytt meddelande
Förslag
Ärende
Du är nummer {n} i kön
Väntetid cirka {n} min
Vi svarar från {n}
{n} hjälper dig
Ärendet är löst
E-post för svar (valfritt)
Vi svarar via e-post
Hur var hjälpen?
Tack för ditt betyg!
{n} av 5`,
da: `Åbn chat
Luk chat
Luk
Kundeservice
Beskeder
Skriv en besked
Send
skriver
Genopretter forbindelsen …
Hjalp det?
Ja
Nej
Tak for din feedback!
Tal med et menneske
Svaret findes ikke på dit sprog endnu.
Læs mere
Dig
Medarbejder
Sender …
Ikke sendt
Ulæste beskeder
Skjul
Ny besked
Forslag
Sag
Du er nummer {n} i køen
Ventetid ca. {n} min.
Vi svarer fra {n}
{n} hjælper dig
Sagen er løst
E-mail til svar (valgfrit)
Vi svarer på e-mail
Hvordan var hjælpen?
Tak for din vurdering!
{n} af 5`,
fi: `Avaa chat
Sulje chat
Sulje
Asiakaspalvelu
Viestit
Kirjoita viesti
Lähetä
kirjoittaa
Yhdistetään uudelleen …
Auttoiko tämä?
Kyllä
Ei
Kiitos palautteesta!
Puhu ihmisen kanssa
Vastausta ei vielä ole kielelläsi.
Lue lisää
Sinä
Asiakaspalvelija
Lähetetään …
Ei lähetetty
Lukemattomia viestejä
Piilota
Uusi viesti
Ehdotukset
Tapaus
Olet jonossa sijalla {n}
Odotusaika noin {n} min
Seuraava aukiolo: {n}
{n} auttaa sinua
Tapaus on ratkaistu
Sähköposti vastausta varten (vapaaehtoinen)
Vastaamme sähköpostitse
Millaista apua sait?
Kiitos arviostasi!
{n}/5`,
en: `Open chat
Close chat
Close
Customer service
Messages
Write a message
Send
is typing
Reconnecting …
Did this help?
Yes
No
Thanks for your feedback!
Talk to a person
This answer is not in your language yet.
Read more
You
Agent
Sending …
Not sent
Unread messages
Dismiss
New message
Suggestions
Case
You are number {n} in the queue
About {n} min wait
We answer from {n}
{n} is helping you
The case is resolved
E-mail for the reply (optional)
We will reply by e-mail
How was the help?
Thanks for your rating!
{n} of 5`,
};

/** The UI language of a BCP 47 tag ("nb-NO", "no", "sv_SE"), or null. */
function normLang(tag) {
  if (!tag) return null;
  const primary = String(tag).trim().toLowerCase().split(/[-_]/)[0];
  const lang = ALIASES[primary] || primary;
  return LANGS.includes(lang) ? lang : null;
}

/** The attribute's language, else <html lang>, the browser's, bokmål. */
function pickLang(explicit) {
  const tags = [explicit, document.documentElement.lang, ...(navigator.languages || [navigator.language])];
  for (const tag of tags) {
    const lang = normLang(tag);
    if (lang) return lang;
  }
  return "nb";
}

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  return [...b].map((x, i) => (x + 256).toString(16).slice(1) + ([3, 5, 7, 9].includes(i) ? "-" : "")).join("");
}

/** The server: data-server, else this script's folder. */
function serverBase(value) {
  const src = value || (SCRIPT && SCRIPT.src ? new URL(".", SCRIPT.src).href : location.origin);
  return new URL(src, location.href).href.replace(/\/+$/, "");
}

function unhashed(url) {
  return String(url).split("#")[0];
}

function safeUrl(value) {
  try {
    const url = new URL(value, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** localStorage, or memory where storage is blocked. */
class Store {
  constructor(key) {
    this.key = key;
    this.memory = null;
  }
  read() {
    if (!this.memory) {
      try {
        return JSON.parse(localStorage.getItem(this.key) || "{}") || {};
      } catch {
        this.memory = {};
      }
    }
    return this.memory;
  }
  update(change) {
    const state = this.read(); // afresh: another tab may have written
    change(state);
    if (!this.memory) {
      try {
        localStorage.setItem(this.key, JSON.stringify(state));
      } catch {
        this.memory = state;
      }
    }
    return state;
  }
}

/** A WebSocket that reconnects with backoff, jitter and a heartbeat. */
class Socket {
  constructor(url, on) {
    this.url = url;
    this.on = on;
    this.ws = null;
    this.tries = 0;
    this.retryTimer = 0;
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
      this.beat();
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
    ws.onclose = () => this.lost(ws);
    ws.onerror = () => {}; // a close event follows
  }
  /** Drop a closed or silent socket; retry later. */
  lost(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.quiet();
    try {
      ws.close();
    } catch {
      /* already closed */
    }
    this.on.close();
    this.retry();
  }
  retry() {
    if (this.stopped) return;
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.tries);
    this.tries = Math.min(this.tries + 1, 16);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
  /** Reconnect now (online, tab visible), not after the backoff. */
  hurry() {
    if (!this.ws && !this.stopped) this.open();
  }
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
  welcomed() {
    this.tries = 0;
  }
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    this.quiet();
    if (ws) ws.close();
  }
  beat() {
    this.quiet();
    const ws = this.ws;
    this.pingTimer = setInterval(() => {
      if (this.pongTimer || !this.send({ type: "ping" })) return;
      this.pongTimer = setTimeout(() => this.lost(ws), PONG_WAIT_MS);
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

// History API navigations (single-page sites): tell every widget.
for (const name of ["pushState", "replaceState"]) {
  const original = history[name];
  history[name] = function (...args) {
    const result = original.apply(this, args);
    window.dispatchEvent(new Event("samsvar:navigate"));
    return result;
  };
}

const CSS = `
:host{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px}
.root{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#17202a;letter-spacing:normal;word-spacing:normal;text-transform:none;text-align:left;text-indent:0;text-shadow:none;font-style:normal;font-variant:normal;font-weight:400;visibility:visible;cursor:auto;direction:ltr;
--accent:var(--samsvar-accent,#0b5a66);--on-accent:var(--samsvar-on-accent,#fff);--focus:var(--samsvar-focus,#1d4ed8)}
:host([data-position=left]){right:auto;left:20px}
*{box-sizing:border-box}[hidden]{display:none!important}
.vh{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,textarea,input{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.launcher{position:relative;display:grid;place-items:center;width:60px;height:60px;margin-left:auto;border:0;border-radius:50%;background:var(--accent);color:var(--on-accent);box-shadow:0 4px 14px rgba(0,0,0,.25)}
:host([data-position=left]) .launcher{margin-left:0}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b3261e;color:#fff;font-size:13px;font-weight:700;line-height:22px;text-align:center}
.panel{display:flex;flex-direction:column;width:370px;height:min(580px,calc(100vh - 110px));margin-bottom:14px;border-radius:14px;background:#fff;box-shadow:0 10px 40px rgba(0,0,0,.28);overflow:hidden}
header{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:var(--accent);color:var(--on-accent)}
header h2{flex:1;margin:0;font-size:17px;font-weight:650}
.close{width:36px;height:36px;border:0;border-radius:8px;background:transparent;color:inherit;font-size:24px;line-height:1}
.close:hover{background:rgba(255,255,255,.15)}
header :focus-visible{outline-color:#fff}
.notice{margin:0;padding:0 16px;background:#fff4d6;color:#4d3800;font-size:13.5px}
.notice:not(:empty){padding:6px 16px}
.log{flex:1;overflow-y:auto;padding:14px 14px 6px;display:flex;flex-direction:column;gap:10px;background:#fff}
.msg{max-width:86%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.bot,.agent{align-self:flex-start;background:#eef2f4;border-bottom-left-radius:4px}
.agent{background:#e8f0fb}
.visitor{align-self:flex-end;background:var(--accent);color:var(--on-accent);border-bottom-right-radius:4px}
.system{align-self:center;max-width:100%;background:none;color:#4a5563;font-size:13.5px;text-align:center}
.state{display:block;margin-top:2px;font-size:12.5px}
.failed{background:#fde7e7;color:#6e1010}
.who{display:block;margin-bottom:2px;color:#4a5563;font-size:12.5px;font-weight:600}
.note{margin:6px 0 0;color:#4a5563;font-size:13px;font-style:italic}
.links{margin:6px 0 0;padding:0;list-style:none;font-size:13.5px}
.links li{overflow-wrap:normal}.links a{color:#0a4c8c;text-decoration:underline;overflow-wrap:anywhere}
.acts{display:flex;flex-direction:column;gap:8px;margin-top:8px;white-space:normal}
.row{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.stale .acts{display:none}
.chip{padding:6px 12px;border:1.5px solid var(--accent);border-radius:16px;background:#fff;color:var(--accent);font-size:14px;text-align:left}
.chip:hover{background:#e3eff1}
.ask{margin:0 4px 0 0;color:#4a5563;font-size:13.5px}
.typing{min-height:0;padding:0 16px;color:#4a5563;font-size:13px}
.typing:not(:empty){padding:2px 16px 6px}
.dots span{display:inline-block;width:7px;height:7px;margin-right:3px;border-radius:50%;background:#5b6470;animation:b 1.2s infinite ease-in-out}
.dots span:nth-child(2){animation-delay:.15s}.dots span:nth-child(3){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid #d5dbe0}
textarea,input{flex:1;min-height:40px;max-height:120px;padding:9px 10px;border:1.5px solid #6b7480;border-radius:10px;resize:none;background:#fff}
.case{flex-direction:column;align-items:stretch;gap:4px;font-size:13.5px}.case.row{flex-direction:row}
textarea::placeholder{color:#5b6470}
.send{height:40px;padding:0 14px;border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);font-weight:600}
.bubble{position:relative;width:290px;margin:0 0 12px auto;padding:12px 38px 12px 14px;border-radius:14px;background:#fff;color:#17202a;box-shadow:0 6px 24px rgba(0,0,0,.22);cursor:pointer}
:host([data-position=left]) .bubble{margin-left:0}
.bubble p{margin:0}.bubble .row{margin-top:8px}
.bubble .close{position:absolute;top:4px;right:4px;width:30px;height:30px;font-size:20px;color:#4a5563}
.bubble .close:hover{background:#eef2f4}
@media (max-width:480px){:host([data-open]){inset:0}.panel{position:fixed;inset:0;width:auto;height:auto;margin:0;border-radius:0}}
@media (prefers-reduced-motion:reduce){.dots span{animation:none}}
`;

const SVG = "http://www.w3.org/2000/svg"; // a name, never fetched

/** The launcher's icon, no innerHTML (Trusted Types). */
function icon() {
  const svg = document.createElementNS(SVG, "svg");
  const path = document.createElementNS(SVG, "path");
  for (const [key, value] of [["viewBox", "0 0 24 24"], ["aria-hidden", "true"], ["focusable", "false"]]) svg.setAttribute(key, value);
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  svg.append(path);
  return svg;
}

let sheet = null;
/** A constructed stylesheet: a strict CSP needs no 'unsafe-inline'. */
function adoptStyles(root) {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  root.adoptedStyleSheets = [sheet];
}

class SamsvarChat extends HTMLElement {
  connectedCallback() {
    if (!this.shadowRoot) this.setup();
    this.listen(true);
    const state = this.store.read();
    // data-proactive="off": no connection or storage until the chat opens.
    if (this.cfg.proactive !== "off" || this.isOpen || state.conversation_id || (state.outbox || []).length) this.sock.start();
  }

  disconnectedCallback() {
    this.listen(false);
    this.sock.stop();
  }

  /** Configuration: element attributes win over the script tag's data-*. */
  readConfig() {
    const data = (SCRIPT && SCRIPT.dataset) || {};
    const get = (name) => this.dataset[name] ?? data[name] ?? null;
    const open = get("open");
    return {
      server: serverBase(get("server")),
      lang: get("lang"),
      title: get("title"),
      open: open !== null && open !== "false",
      position: get("position") === "left" ? "left" : "right",
      proactive: ["open", "off"].includes(get("proactive")) ? get("proactive") : "bubble",
      id: get("customerId"), // signed by the site (docs/widget.md)
      hmac: get("customerHmac"),
    };
  }

  setup() {
    this.cfg = this.readConfig();
    this.useLang(pickLang(this.cfg.lang));
    this.store = new Store(`samsvar:${this.cfg.server}`);
    this.byId = new Map(); // message id -> node
    this.pending = new Map(); // client_id -> node awaiting its ack
    this.seqs = new Set();
    this.lastSeq = 0; // every seq up to this one has been seen
    this.ready = false; // welcomed on the current socket
    this.unread = 0;
    this.timers = [];
    this.timerIds = [];
    this.newPage(document.referrer);
    this.setAttribute("data-position", this.cfg.position);
    const ws = this.cfg.server.replace(/^http/, "ws") + "/api/v1/widget/ws";
    this.sock = new Socket(ws, {
      open: () => this.hello(),
      frame: (f) => this.onFrame(f),
      close: () => this.onClose(),
    });
    this.build();
    this.restoreOutbox();
    const state = this.store.read();
    this.setOpen(state.open ?? this.cfg.open, false);
  }

  useLang(lang) {
    const texts = T[(this.lang = lang)].split("\n");
    this.t = Object.fromEntries(KEYS.map((key, i) => [key, texts[i]]));
    this.name = this.cfg.title || this.t.title;
  }

  /** The UI in the conversation's language, built anew. */
  relang(lang) {
    if (!(lang = normLang(lang)) || lang === this.lang) return;
    const { logEl, input, isOpen, shadowRoot } = this, focus = shadowRoot.activeElement === input;
    this.useLang(lang);
    this.build();
    this.logEl.append(...logEl.children);
    this.input.value = input.value;
    this.setOpen(isOpen, false);
    this.setStatus(this.status, this.case);
    if (focus) this.input.focus();
  }

  build() {
    if (!this.shadowRoot) adoptStyles(this.attachShadow({ mode: "open" }));
    const t = this.t;
    this.logEl = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.log, tabindex: "0" });
    this.typingEl = h("div", { class: "typing", role: "status", "aria-live": "polite" });
    this.noticeEl = h("p", { class: "notice", role: "status" });
    this.statusEl = h("p", { class: "notice", role: "status" });
    this.mail = h("input", { id: "samsvar-mail", type: "email", required: true, autocomplete: "email", maxlength: "254" });
    this.mailForm = h("form", { class: "case", hidden: true, onsubmit: (e) => (e.preventDefault(), this.sendMail()) },
      h("label", { for: "samsvar-mail" }, t.mail), h("span", { class: "row" }, this.mail, h("button", { class: "send", type: "submit" }, t.send)));
    this.rateBox = h("div", { class: "case row", role: "group", "aria-label": t.rate, hidden: true }, h("p", { class: "ask", "aria-hidden": "true" }, t.rate),
      ...[1, 2, 3, 4, 5].map((n) => this.chip(String(n), () => this.rate(n), null, t.stars.replace("{n}", n))));
    this.caseErr = h("p", { class: "notice", role: "alert" });
    this.input = h("textarea", { id: "samsvar-input", rows: "1", maxlength: String(MAX_CHARS), placeholder: t.input, enterkeyhint: "send" });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => (this.grow(), this.typing(true)));
    const form = h(
      "form",
      { onsubmit: (e) => (e.preventDefault(), this.submit()) },
      h("label", { for: "samsvar-input", class: "vh" }, t.input),
      this.input,
      h("button", { class: "send", type: "submit" }, t.send),
    );
    this.panel = h(
      "section",
      { class: "panel", id: "samsvar-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "samsvar-title", hidden: true },
      h("header", {}, h("h2", { id: "samsvar-title" }, this.name), h("button", { class: "close", type: "button", "aria-label": t.close, onclick: () => this.setOpen(false, true) }, "×")),
      this.noticeEl,
      this.statusEl,
      this.logEl,
      this.typingEl,
      this.mailForm,
      this.rateBox,
      this.caseErr,
      form,
    );
    this.bubbleText = h("p", {});
    this.bubbleChoices = h("div", { class: "row", role: "group", "aria-label": t.choices });
    this.bubble = h(
      "div",
      { class: "bubble", role: "region", "aria-label": t.bubble, hidden: true, onclick: () => this.setOpen(true, true) },
      this.bubbleText,
      this.bubbleChoices,
      h("button", { class: "close", type: "button", "aria-label": t.dismiss, onclick: (e) => (e.stopPropagation(), this.hideBubble()) }, "×"),
    );
    this.badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
    this.launcher = h("button", { class: "launcher", type: "button", "aria-controls": "samsvar-panel", onclick: () => this.setOpen(!this.isOpen, true) });
    this.launcher.append(icon(), this.badge);
    this.announcer = h("div", { class: "vh", role: "status" });
    if (this.rootEl) this.rootEl.remove();
    this.shadowRoot.append((this.rootEl = h("div", { class: "root", lang: this.lang, onkeydown: (e) => this.onKey(e) }, this.bubble, this.panel, this.launcher, this.announcer)));
  }

  listen(on) {
    const method = on ? "addEventListener" : "removeEventListener";
    this.onNavigate ||= () => this.navigated();
    this.onOnline ||= () => this.sock.hurry();
    this.onVisible ||= () => document.visibilityState === "visible" && this.sock.hurry();
    window[method]("samsvar:navigate", this.onNavigate);
    window[method]("popstate", this.onNavigate);
    window[method]("online", this.onOnline);
    document[method]("visibilitychange", this.onVisible);
  }

  // the panel

  get isOpen() {
    return !this.panel.hidden;
  }

  setOpen(open, byVisitor) {
    this.panel.hidden = !open;
    this.toggleAttribute("data-open", open);
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      this.unread = 0;
      this.hideBubble();
      this.sock.start();
      this.scrollDown();
    }
    this.store.update((s) => {
      s.open = open;
      if (byVisitor && !open) s.closed = true;
    });
    this.updateLauncher();
    if (!byVisitor) return;
    (open ? this.input : this.launcher).focus();
  }

  onKey(event) {
    if (event.key !== "Escape" || event.isComposing) return;
    if (this.isOpen) this.setOpen(false, true);
    else if (!this.bubble.hidden) this.hideBubble();
    else return;
    event.stopPropagation();
  }

  updateLauncher() {
    const label = this.isOpen ? this.t.shut : this.t.open;
    this.launcher.setAttribute("aria-label", this.unread ? `${label}. ${this.t.unread}: ${this.unread}` : label);
    this.badge.textContent = String(this.unread);
    this.badge.hidden = !this.unread;
  }

  /** A preview: its start, up to 3 quick replies. */
  showBubble(message) {
    const text = message.text || "";
    this.bubbleText.textContent = text.length > 160 ? `${text.slice(0, 157).trimEnd()} …` : text;
    const choices = (message.choices || []).filter((c) => c && c.answer_id).slice(0, 3);
    this.bubbleChoices.replaceChildren(...choices.map((c) => this.chip(c.label || c.answer_id, () => (this.setOpen(true, true), this.choose(c)), message.lang)));
    this.bubble.hidden = false;
  }

  chip(label, onclick, lang, name) {
    return h("button", { class: "chip", type: "button", lang: normLang(lang) || null, "aria-label": name, onclick: (e) => (e.stopPropagation(), onclick()) }, label);
  }

  hideBubble() {
    this.bubble.hidden = true;
  }

  grow() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 3, 120)}px`;
  }

  scrollDown() {
    this.logEl.scrollTop = this.logEl.scrollHeight;
  }

  setNotice(text) {
    if (this.noticeEl.textContent !== text) this.noticeEl.textContent = text;
    this.toggleAttribute("data-reconnecting", Boolean(text));
  }

  /** Status and case: the case line, e-mail field, rating. */
  setStatus(status, c) {
    this.status = status;
    this.case = c;
    if (c) this.relang(c.lang);
    const t = this.t;
    const fill = (text, n) => text.replace("{n}", n);
    let text = "";
    if (c && c.number) {
      const waiting = ["queued", "reopened"].includes(c.state);
      const opens = waiting && !c.open_now && c.opens_at && new Date(c.opens_at).toLocaleString(this.lang, { timeZone: c.timezone || undefined, weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
      const wait = waiting && !opens && c.expected_wait_seconds;
      text = [`${t.case} ${c.number}`, opens ? fill(t.opens, opens) : waiting && c.place && fill(t.place, c.place),
        wait && fill(t.wait, Math.ceil(wait / 60)), waiting && c.email_given && t.mailed,
        c.state === "resolved" ? (c.rating ? t.rated : t.solved) : !waiting && c.agent_name && fill(t.helping, c.agent_name)].filter(Boolean).join(" · ");
    }
    if (this.statusEl.textContent !== text) this.statusEl.textContent = text;
    this.mailForm.hidden = !(c && c.ask_email && !c.email_given);
    this.rateBox.hidden = !(c && c.ask_rating);
  }

  sendMail() {
    if (this.mail.checkValidity() && this.sock.send({ type: "email", email: this.mail.value.trim() })) this.caseErr.textContent = "";
  }

  rate(score) {
    if (this.sock.send({ type: "rate", score })) this.rateBox.hidden = true;
    this.input.focus();
  }

  /** Visitor typing: "on" at most every 3 s, "off" after 4 s idle. */
  typing(on) {
    clearTimeout(this.typingOff);
    if (this.status !== "with_agent" || !this.ready) return;
    if (on) this.typingOff = setTimeout(() => this.typing(false), 4000);
    if (on ? Date.now() - this.typedAt < 3000 : !this.typedAt) return;
    this.typedAt = on ? Date.now() : 0;
    this.sock.send({ type: "typing", on });
  }

  setTyping(on, who) {
    clearTimeout(this.typingTimer);
    this.typingEl.replaceChildren();
    if (!on) return;
    this.typingEl.append(h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")), h("span", { class: "vh" }, `${who || this.name} ${this.t.typing} …`));
    this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_MAX_MS);
  }

  // the page the visitor is on

  newPage(referrer) {
    this.href = location.href;
    this.referrer = referrer;
    this.pageStart = Date.now();
    this.fired = new Set();
  }

  page() {
    const page = {
      url: location.href,
      title: document.title,
      referrer: this.referrer,
      lang: normLang(this.cfg.lang) || normLang(document.documentElement.lang),
      seconds_on_page: Math.round((Date.now() - this.pageStart) / 1000),
    };
    for (const key of Object.keys(page)) if (page[key] === null || page[key] === "") delete page[key];
    return page;
  }

  navigated() {
    if (unhashed(location.href) === unhashed(this.href)) return;
    this.newPage(this.href);
    this.schedule();
    this.report();
  }

  /** Send the page (or the welcome will). */
  report() {
    if (this.ready && this.sock.send({ type: "page", page: this.page() })) this.reported = location.href;
  }

  /** Report the page again when the server's timers end. */
  schedule() {
    this.timerIds.forEach(clearTimeout);
    this.timerIds = [];
    const elapsed = Date.now() - this.pageStart;
    for (const seconds of this.timers) {
      if (typeof seconds !== "number" || seconds < 0 || this.fired.has(seconds)) continue;
      const wait = seconds * 1000 - elapsed;
      if (wait <= 0) {
        this.fired.add(seconds); // the last hello/page carried it
        continue;
      }
      this.timerIds.push(setTimeout(() => (this.fired.add(seconds), this.report()), wait));
    }
  }

  // the protocol (docs/api.md)

  hello() {
    const state = this.store.read();
    this.reported = location.href;
    this.sock.send({
      type: "hello",
      visitor_id: state.visitor_id || null,
      conversation_id: state.conversation_id || null,
      last_seq: state.conversation_id ? this.lastSeq : 0,
      page: this.page(),
      lang: normLang(navigator.language) || undefined,
      ...(this.cfg.id && { customer_id: this.cfg.id, customer_hmac: this.cfg.hmac }),
    });
  }

  onFrame(frame) {
    const handlers = {
      welcome: () => this.onWelcome(frame),
      ack: () => this.onAck(frame),
      message: () => this.addMessage(frame.message, true),
      conversation: () => this.onConversation(frame),
      delta: () => this.onDelta(frame),
      retract: () => this.dropDraft(),
      typing: () => this.setTyping(Boolean(frame.on), frame.agent_name),
      status: () => this.setStatus(frame.status, frame.case),
      error: () => this.onError(frame),
      timers: () => ((this.timers = frame.timers || []), this.schedule()),
    };
    (handlers[frame.type] || (() => {}))();
  }

  onWelcome(frame) {
    const state = this.store.read();
    if (state.conversation_id && frame.conversation_id !== state.conversation_id) this.forget();
    this.store.update((s) => {
      s.visitor_id = frame.visitor_id;
      s.conversation_id = frame.conversation_id;
    });
    this.resets = 0;
    this.ready = true;
    this.sock.welcomed();
    clearTimeout(this.noticeTimer);
    this.setNotice("");
    this.setStatus(frame.status, frame.case);
    this.dropDraft(); // the server resends the text so far
    this.logEl.setAttribute("aria-busy", "true");
    for (const message of frame.messages || []) this.addMessage(message, false);
    this.logEl.removeAttribute("aria-busy");
    this.timers = Array.isArray(frame.timers) ? frame.timers : [];
    this.schedule();
    this.flush();
    this.scrollDown();
    // A navigation between hello and welcome is not reported yet.
    if (unhashed(this.reported) !== unhashed(location.href)) this.report();
  }

  /** A conversation started, or a resend found it. */
  onConversation(frame) {
    this.store.update((s) => (s.conversation_id = frame.conversation_id));
    this.setStatus(frame.status);
    for (const message of frame.messages || []) this.addMessage(message, false);
  }

  /** A checked part of a reply (read out once final). */
  onDelta(frame) {
    if (!this.draft) this.logEl.insertBefore((this.draft = h("div", { class: "msg bot", "aria-hidden": "true" })), this.logEl.querySelector(".pending"));
    this.draft.append(frame.text || "");
    this.scrollDown();
  }

  dropDraft() {
    if (this.draft) this.draft.remove();
    this.draft = null;
  }

  onClose() {
    this.ready = false;
    this.setTyping(false);
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.ready || this.setNotice(this.t.reconnecting), NOTICE_DELAY_MS);
  }

  onAck(frame) {
    this.dropFromOutbox(frame.client_id);
    const node = this.pending.get(frame.client_id);
    if (!node) return;
    this.pending.delete(frame.client_id);
    this.confirm(node, frame.message_id, frame.seq);
  }

  onError(frame) {
    if (frame.client_id) {
      this.onSendError(frame);
      return;
    }
    const drop = (s) => (s.conversation_id = null);
    const fix = { unknown_visitor: (s) => (s.visitor_id = drop(s)), unknown_conversation: drop, forbidden: drop }[frame.code];
    if (frame.code === "hello_required") this.hello();
    if (["bad_email", "no_case", "not_resolved", "already_rated"].includes(frame.code)) this.caseErr.textContent = frame.error || "";
    if (!fix || this.ready) return;
    if ((this.resets = (this.resets || 0) + 1) > 2) return; // the backoff retries
    this.store.update(fix);
    this.forget();
    this.hello();
  }

  onSendError(frame) {
    const node = this.pending.get(frame.client_id);
    if (frame.code === "rate_limited") {
      const item = (this.store.read().outbox || []).find((i) => i.client_id === frame.client_id);
      const wait = Math.max(1, Number(frame.retry_after) || 1) * 1000;
      if (item) setTimeout(() => this.ready && this.sendItem(item), wait + Math.random() * 500);
      return;
    }
    this.dropFromOutbox(frame.client_id);
    if (!node) return;
    this.pending.delete(frame.client_id);
    node.classList.remove("pending");
    node.classList.add("failed");
    node.querySelector(".state").textContent = this.t.failed;
    node.title = frame.error || "";
  }

  /** Forget a conversation the server no longer offers. */
  forget() {
    for (const node of this.byId.values()) node.remove();
    this.byId.clear();
    this.seqs.clear();
    this.lastSeq = 0;
    this.store.update((s) => (s.feedback = {}));
  }

  // the outbox: a message stays stored until its ack

  restoreOutbox() {
    const now = Date.now();
    const state = this.store.update((s) => (s.outbox = (s.outbox || []).filter((item) => item && item.client_id && now - (item.at || 0) < OUTBOX_TTL_MS)));
    for (const item of state.outbox) this.addPending(item);
  }

  enqueue(item) {
    this.store.update((s) => (s.outbox ||= []).push(item));
    this.addPending(item);
    this.refreshActions();
    this.scrollDown();
    if (this.ready) this.sendItem(item);
    else this.sock.start();
  }

  /** After a welcome: resend, in order, all unacknowledged (any tab's). */
  flush() {
    for (const item of this.store.read().outbox || []) {
      if (!this.pending.has(item.client_id)) this.addPending(item);
      this.sendItem(item);
    }
    const feedback = this.store.read().feedback || {};
    for (const [id, entry] of Object.entries(feedback)) {
      if (entry && !entry.sent && this.sock.send({ type: "feedback", message_id: id, helpful: entry.helpful })) entry.sent = true;
    }
    this.store.update((s) => (s.feedback = feedback));
  }

  sendItem(item) {
    const frame = { type: item.type, client_id: item.client_id };
    if (item.type === "message") frame.text = item.text;
    if (item.type === "choice") frame.answer_id = item.answer_id;
    if (item.page) frame.page = item.page;
    this.sock.send(frame);
  }

  dropFromOutbox(clientId) {
    this.store.update((s) => (s.outbox = (s.outbox || []).filter((i) => i.client_id !== clientId)));
  }

  submit() {
    const text = this.input.value.trim(); // maxlength keeps it in the limit
    if (!text) return;
    this.input.value = "";
    this.grow();
    this.typing(false);
    this.say(text);
  }

  say(text) {
    this.enqueue({ client_id: uuid(), type: "message", text, page: this.page(), at: Date.now() });
  }

  choose(choice) {
    this.enqueue({ client_id: uuid(), type: "choice", answer_id: choice.answer_id, label: choice.label, at: Date.now() });
    this.input.focus();
  }

  /** "talk to a person" or "skip": quick replies without text. */
  askHuman(type = "human", label = this.t.human) {
    this.enqueue({ client_id: uuid(), type, label, at: Date.now() });
    this.input.focus();
  }

  giveFeedback(message, helpful, box) {
    const entry = { helpful, sent: false };
    entry.sent = this.ready && this.sock.send({ type: "feedback", message_id: message.id, helpful });
    this.store.update((s) => ((s.feedback ||= {})[message.id] = entry));
    box.replaceChildren(h("p", { class: "ask" }, this.t.thanks));
    this.input.focus();
  }

  // the message list

  addMessage(message, live) {
    if (message && message.reply_to) this.dropDraft(); // replaced by the final message
    if (!message || !message.id || this.byId.has(message.id) || this.seqs.has(message.seq)) return;
    const node = message.client_id && this.pending.get(message.client_id);
    if (node) {
      this.pending.delete(message.client_id);
      this.dropFromOutbox(message.client_id);
      this.confirm(node, message.id, message.seq);
      return;
    }
    // The conversation's language (not an offer's, nor a fallback's)
    if (!message.proactive && !message.note && !message.fallback) this.relang(message.lang);
    this.place(this.render(message), message.id, message.seq);
    if (message.role === "bot" || message.role === "agent") this.setTyping(false);
    if (live && message.role !== "visitor") this.notify(message);
  }

  notify(message) {
    if (this.isOpen) {
      this.scrollDown();
      return;
    }
    this.unread += 1;
    this.updateLauncher();
    if (message.role === "system") return;
    this.announce(`${this.name}: ${message.text || ""}`);
    if (this.cfg.proactive === "open" && !this.store.read().closed) this.setOpen(true, false);
    else this.showBubble(message);
  }

  announce(text) {
    this.announcer.textContent = "";
    setTimeout(() => (this.announcer.textContent = text), 50);
  }

  addPending(item) {
    const node = h("div", { class: "msg visitor pending", "data-client-id": item.client_id },
      h("span", { class: "vh" }, `${this.t.you}: `),
      item.type === "message" ? item.text : item.label || "",
      h("span", { class: "state" }, this.t.sending));
    this.pending.set(item.client_id, node);
    this.logEl.append(node);
  }

  confirm(node, id, seq) {
    node.classList.remove("pending");
    const state = node.querySelector(".state");
    if (state) state.remove();
    node.removeAttribute("data-client-id");
    this.place(node, id, seq);
  }

  /** Insert in seq order, before messages awaiting their ack. */
  place(node, id, seq) {
    node.dataset.id = id;
    if (typeof seq === "number") {
      node.dataset.seq = String(seq);
      this.seqs.add(seq);
      while (this.seqs.has(this.lastSeq + 1)) this.lastSeq += 1;
    }
    this.byId.set(id, node);
    const after = [...this.logEl.children].find((n) => n !== node && (n.classList.contains("pending") || Number(n.dataset.seq) > seq));
    if (node.nextSibling !== after || node.parentNode !== this.logEl) this.logEl.insertBefore(node, after || null);
    this.refreshActions();
  }

  /** Quick replies of older turns are hidden. */
  refreshActions() {
    const nodes = [...this.logEl.children];
    let last = -1;
    nodes.forEach((n, i) => n.classList.contains("visitor") && (last = i));
    nodes.forEach((n, i) => n.classList.toggle("stale", i < last));
  }

  render(m) {
    const role = ["visitor", "bot", "agent", "system"].includes(m.role) ? m.role : "system";
    const who = { visitor: this.t.you, bot: this.name, agent: m.agent_name || this.t.agent, system: "" }[role];
    const node = h("div", { class: `msg ${role}`, lang: normLang(m.lang) || null });
    if (role === "agent") node.append(h("span", { class: "who" }, who));
    else if (who) node.append(h("span", { class: "vh" }, `${who}: `));
    node.append(m.text || "");
    if (m.note || m.fallback) node.append(h("p", { class: "note", lang: this.lang }, m.note || this.t.fallback));
    const links = (m.links || []).map(safeUrl).filter(Boolean);
    if (links.length) {
      node.append(h("ul", { class: "links", lang: this.lang, "aria-label": this.t.more },
        ...links.map((u) => h("li", {}, `${this.t.more}: `, h("a", { href: u.href, target: "_blank", rel: "noopener noreferrer" }, `${u.host}${u.pathname.replace(/\/$/, "")}`)))));
    }
    const acts = this.actions(m);
    if (acts.childNodes.length) node.append(acts);
    return node;
  }

  actions(m) {
    const acts = h("div", { class: "acts", lang: this.lang });
    const c = m.collect || {}, chips = [...(m.choices || []).filter((x) => x && x.answer_id).map((x) => this.chip(x.label || x.answer_id, () => this.choose(x), m.lang)),
      ...(c.options || []).map((o) => this.chip(o, () => this.say(o), m.lang))];
    if (chips.length) acts.append(h("div", { class: "row", role: "group", "aria-label": this.t.choices }, ...chips));
    if (m.ask_feedback) {
      const given = (this.store.read().feedback || {})[m.id];
      const box = h("div", { class: "row", role: "group", "aria-label": this.t.helped });
      if (given) box.append(h("p", { class: "ask" }, this.t.thanks));
      else {
        box.append(h("p", { class: "ask", "aria-hidden": "true" }, this.t.helped),
          this.chip(this.t.yes, () => this.giveFeedback(m, true, box)),
          this.chip(this.t.no, () => this.giveFeedback(m, false, box)));
      }
      acts.append(box);
    }
    if (c.skip_label) acts.append(h("div", { class: "row" }, this.chip(c.skip_label, () => this.askHuman("skip", c.skip_label), m.lang)));
    if (m.offer_human && (this.status || "bot") === "bot") {
      acts.append(h("div", { class: "row" }, this.chip(this.t.human, () => this.askHuman())));
    }
    return acts;
  }
}

customElements.define(TAG, SamsvarChat);

function insert() {
  if (!document.querySelector(TAG)) document.body.append(document.createElement(TAG));
}
if (document.body) insert();
else document.addEventListener("DOMContentLoaded", insert, { once: true });
})();
