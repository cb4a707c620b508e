/*! Samsvar agent console. MIT licence. Plain JavaScript modules, no build step: this is what runs.
 * Served by `samsvar serve` at /console/. Talks only to the agent API of the same server
 * (docs/agent-api.md). What each part does for agents: docs/console.md. */

import { Alerts } from "./alerts.js";
import { AnswerSearch } from "./answers.js";
import { AgentSocket, Api, ApiError, serverRoot } from "./api.js";
import { CaseView } from "./caseview.js";
import { CustomerPanel } from "./customer.js";
import { announce, byId, h } from "./dom.js";
import { QueueView } from "./queue.js";
import { RegisterDialog } from "./register.js";
import { LANGS, languageName, pickLang, translator } from "./texts.js";
import { syncClock } from "./time.js";
import { TransferDialog } from "./transfer.js";

const LANG_KEY = "samsvar-console:lang";
const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
const SIGNED_OUT_CODES = { sign_in_expired: "expired", sign_in_invalid: "expired" };
const ERROR_TEXTS = {
  wrong_password: "badCredentials",
  totp_required: "codeNeeded",
  totp_invalid: "badCode",
  forbidden: "forbidden",
  already_claimed: "alreadyClaimed",
  not_assigned: "notAssigned",
  case_resolved: "caseResolved",
  agent_unavailable: "agentUnavailable",
  network: "serverDown",
};

function savedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

class Console {
  constructor() {
    this.lang = pickLang(savedLang());
    this.t = translator(this.lang);
    this.me = null;
    this.teams = new Map(); // team id -> name (from GET /teams)
    this.api = new Api({ root: serverRoot(), onSignedOut: (code) => this.signedOut(code) });
    this.socket = new AgentSocket(this.api.wsUrl, {
      open: () => {},
      frame: (frame) => this.onFrame(frame),
      close: (code) => this.onSocketClose(code),
    });
    this.el = {
      signin: byId("signin"),
      form: byId("signin-form"),
      name: byId("signin-name"),
      password: byId("signin-password"),
      code: byId("signin-code"),
      submit: byId("signin-submit"),
      signinError: byId("signin-error"),
      signinMessage: byId("signin-message"),
      desk: byId("desk"),
      status: byId("agent-status"),
      who: byId("who"),
      connection: byId("connection"),
      alertsButton: byId("alerts-enable"),
      alertsState: byId("alerts-state"),
      sound: byId("sound"),
      announcer: byId("announcer"),
    };
    const explain = (error) => this.explain(error);
    const teamName = (id) => this.teams.get(id) || id;
    this.alerts = new Alerts({ t: this.t, region: this.el.announcer, tray: byId("alert-tray"), onOpen: (id) => this.open(id, true) });
    this.queue = new QueueView({
      t: this.t,
      lang: this.lang,
      lists: { queue: byId("queue"), mine: byId("mine") },
      empty: { queue: byId("queue-empty"), mine: byId("mine-empty") },
      count: byId("queue-count"),
      onOpen: (id) => this.open(id, true),
      teamName,
    });
    this.caseView = new CaseView({ t: this.t, lang: this.lang, api: this.api, explain, teamName, onChanged: (c) => this.queue.upsert(c) });
    this.answers = new AnswerSearch({ t: this.t, lang: this.lang, api: this.api, explain, insert: (text) => this.caseView.insert(text) });
    this.transfer = new TransferDialog({ t: this.t, api: this.api, explain, onDone: (c) => this.transferred(c) });
    byId("transfer").addEventListener("click", () => this.caseView.case && this.transfer.open(this.caseView.case, this.me));
    this.customer = new CustomerPanel({ t: this.t, lang: this.lang, api: this.api });
    this.register = new RegisterDialog({ t: this.t, lang: this.lang, api: this.api, explain, announcer: this.el.announcer, sees: (c) => this.sees(c), onOpen: (id) => this.open(id, true) });
    this.wire();
  }

  wire() {
    this.el.form.addEventListener("submit", (e) => (e.preventDefault(), this.signIn()));
    byId("signout").addEventListener("click", () => this.signOut());
    this.el.status.addEventListener("change", () => this.setStatus(this.el.status.value));
    this.el.alertsButton.addEventListener("click", async () => (await this.alerts.enable(), this.showAlertState()));
    this.el.sound.addEventListener("change", () => {
      this.alerts.soundOn = this.el.sound.checked;
      if (this.el.sound.checked) this.alerts.chime();
    });
    for (const select of document.querySelectorAll(".lang-select")) select.addEventListener("change", () => this.setLanguage(select.value));
    window.addEventListener("hashchange", () => this.fromHash());
    window.addEventListener("online", () => this.socket.hurry());
    const reply = byId("reply");
    reply.addEventListener("input", () => this.typing(true));
    byId("reply-form").addEventListener("submit", () => this.typing(false));
  }

  // ----- language ---------------------------------------------------------------------------

  applyTexts() {
    document.documentElement.lang = this.lang;
    document.title = this.me ? `${this.t("appTitle")} · ${this.me.display_name}` : this.t("appTitle");
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = this.t(el.dataset.t);
    for (const select of document.querySelectorAll(".lang-select")) {
      select.replaceChildren(...LANGS.map((code) => h("option", { value: code, lang: code, selected: code === this.lang }, languageName(code, code))));
    }
    this.el.status.replaceChildren(...["online", "away", "offline"].map((s) => h("option", { value: s, selected: this.me && this.me.status === s }, this.t(s))));
    byId("side").setAttribute("aria-label", this.t("contextHeading"));
    this.showWho();
    this.showAlertState();
  }

  setLanguage(lang) {
    this.lang = lang;
    this.t = translator(lang);
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      /* storage blocked */
    }
    this.alerts.t = this.t;
    this.transfer.t = this.t;
    this.applyTexts();
    this.queue.setLanguage(this.t, lang);
    this.caseView.setLanguage(this.t, lang);
    this.answers.setLanguage(this.t, lang);
    this.customer.setLanguage(this.t, lang);
    this.register.setLanguage(this.t, lang);
  }

  explain(error) {
    if (!(error instanceof ApiError)) return this.t("error", { error: String(error) });
    if (error.code === "rate_limited") return this.t("tooManyTries", { seconds: Math.ceil(error.retryAfter || 60) });
    const key = ERROR_TEXTS[error.code];
    if (key === "alreadyClaimed") return `${this.t(key)} (${error.message})`;
    return key ? this.t(key) : error.message;
  }

  // ----- signing in and out -------------------------------------------------------------------

  async start() {
    this.applyTexts();
    try {
      const { agent } = await this.api.get("me");
      this.signedIn(agent);
    } catch (error) {
      this.showSignIn(error instanceof ApiError ? SIGNED_OUT_CODES[error.code] : null);
      if (error instanceof ApiError && error.code === "network") this.signinError(this.explain(error));
    }
  }

  showSignIn(messageKey) {
    this.el.desk.hidden = true;
    this.el.signin.hidden = false;
    this.el.signinMessage.textContent = messageKey ? this.t(messageKey) : "";
    this.signinError("");
    this.el.submit.disabled = false;
    this.el.submit.textContent = this.t("signIn");
    this.el.password.value = "";
    this.showCode(false);
    (this.el.name.value ? this.el.password : this.el.name).focus();
  }

  signinError(text) {
    this.el.signinError.textContent = text;
    this.el.signinError.hidden = !text;
    if (text) this.el.signinMessage.textContent = "";
  }

  async signIn() {
    const name = this.el.name.value.trim();
    const password = this.el.password.value;
    this.alerts.unlock(); // a user gesture: later chimes may play
    if (!name || !password) {
      this.signinError(this.t("missingFields"));
      (name ? this.el.password : this.el.name).focus();
      return;
    }
    this.el.submit.disabled = true;
    this.el.submit.textContent = this.t("signingIn");
    try {
      const code = this.el.code.value.replace(/\s/g, "");
      const { agent } = await this.api.post("sign-in", code ? { name, password, code } : { name, password });
      this.el.password.value = this.el.code.value = "";
      this.showCode(false);
      this.signedIn(agent);
    } catch (error) {
      this.el.submit.disabled = false;
      this.el.submit.textContent = this.t("signIn");
      this.signinError(this.explain(error));
      const asked = error instanceof ApiError && ["totp_required", "totp_invalid"].includes(error.code);
      if (asked) this.showCode(true);
      const field = asked ? this.el.code : this.el.password;
      field.select();
      field.focus();
    }
  }

  /** The agent is enrolled in the second factor: ask for the code too (the password stays). */
  showCode(on) {
    this.el.code.hidden = !on;
    this.el.code.labels[0].hidden = !on;
    this.el.code.required = on;
    if (!on) this.el.code.value = "";
  }

  async signedIn(agent) {
    this.me = agent;
    this.caseView.me = agent;
    this.queue.me = agent;
    this.el.signin.hidden = true;
    this.el.desk.hidden = false;
    this.el.sound.checked = this.alerts.soundOn;
    this.applyTexts();
    this.socket.start();
    if (agent.status === "offline") await this.setStatus("online");
    await Promise.all([this.loadTeams(), this.reload()]);
    if (!this.fromHash()) byId("queue-heading").scrollIntoView({ block: "nearest" });
  }

  /** The session ended (expired, signed out elsewhere): back to the sign-in form, with why. */
  signedOut(code) {
    if (!this.me) return;
    this.me = null;
    this.socket.stop();
    this.alerts.clearAll();
    this.caseView.close();
    this.queue.reset([], null);
    this.showSignIn(SIGNED_OUT_CODES[code] || "expired");
  }

  async signOut() {
    this.socket.stop();
    try {
      await this.api.post("sign-out");
    } catch {
      /* the cookie is cleared or already invalid: signed out either way */
    }
    this.me = null;
    this.alerts.clearAll();
    this.caseView.close();
    this.queue.reset([], null);
    history.replaceState(null, "", location.pathname + location.search);
    this.showSignIn("signedOut");
  }

  showWho() {
    if (!this.me) return;
    const role = this.me.admin ? ` (${this.t("admin")})` : "";
    this.el.who.textContent = `${this.t("signedInAs", { name: this.me.display_name })}${role}`;
    byId("insights-link").hidden = !this.me.admin; // the dashboard is for admins
  }

  async setStatus(status) {
    try {
      const { agent } = await this.api.post("me/status", { status });
      this.me = { ...this.me, ...agent };
      this.caseView.me = this.me;
      this.el.status.value = this.me.status;
    } catch (error) {
      this.el.status.value = this.me ? this.me.status : "offline";
      announce(this.el.announcer, this.explain(error));
    }
  }

  showAlertState() {
    const permission = this.alerts.permission;
    this.el.alertsButton.hidden = permission !== "default";
    this.el.alertsState.textContent = permission === "granted" ? this.t("alertsOn") : permission === "default" ? "" : this.t("alertsDenied");
  }

  // ----- the queue and the open case ----------------------------------------------------------

  async loadTeams() {
    try {
      const { teams } = await this.api.get("teams");
      this.teams = new Map(teams.map((team) => [team.id, team.name || team.id]));
    } catch {
      /* the ids stand in for the names */
    }
  }

  /** May this agent still see the case (their team, theirs, or an admin)? */
  sees(c) {
    return Boolean(this.me && (this.me.admin || (this.me.teams || []).includes(c.team) || (c.agent && c.agent.id === this.me.id)));
  }

  /** Load both lists afresh (after sign-in and after a reconnect, so nothing missed stays missing). */
  async reload() {
    try {
      const [waiting, mine] = await Promise.all([
        this.api.get("queue?status=queued,reopened&limit=200"),
        this.api.get("queue?status=assigned,waiting_on_visitor&agent=me&limit=200"),
      ]);
      syncClock(waiting.now);
      this.queue.reset([...waiting.cases, ...mine.cases], this.me);
      if (this.caseView.id) this.refreshCase(this.caseView.id);
    } catch (error) {
      if (this.me) announce(this.el.announcer, this.explain(error));
    }
  }

  fromHash() {
    const id = new URLSearchParams(location.hash.slice(1)).get("case");
    if (!id || !this.me || id === this.caseView.id) return Boolean(id);
    this.open(id, false);
    return true;
  }

  async open(id, focus) {
    this.alerts.clear(id);
    this.queue.select(id);
    if (location.hash !== `#case=${encodeURIComponent(id)}`) history.replaceState(null, "", `#case=${encodeURIComponent(id)}`);
    try {
      const view = await this.api.get(`cases/${encodeURIComponent(id)}`);
      this.caseView.show(view, { focus });
      this.answers.forCase(view.case);
      this.customer.forCase(view.case);
    } catch (error) {
      this.caseView.close();
      announce(this.el.announcer, this.explain(error));
      byId("case-none").textContent = this.explain(error);
    }
  }

  async refreshCase(id) {
    try {
      const view = await this.api.get(`cases/${encodeURIComponent(id)}`);
      if (this.caseView.id === id) this.caseView.show(view, { keepReply: true });
    } catch (error) {
      // Gone from this agent's view (transferred away): say so. Otherwise the next event retries.
      if (this.caseView.id === id && error instanceof ApiError && error.status === 403) this.caseView.close(this.explain(error));
    }
  }

  transferred(c) {
    const text = this.t("transferred", { number: c.number, to: c.agent ? c.agent.display_name : this.teams.get(c.team) || c.team });
    if (this.sees(c)) {
      this.queue.upsert(c);
      this.caseView.update(c);
      announce(byId("case-message"), text);
    } else {
      this.queue.remove(c.id);
      this.caseView.close(text);
      history.replaceState(null, "", location.pathname + location.search);
      announce(this.el.announcer, text);
    }
  }

  typing(on) {
    const id = this.caseView.id;
    if (!id || !this.caseView.mine) return;
    clearTimeout(this.typingIdle);
    if (on) {
      this.typingIdle = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
      if (Date.now() - (this.typingSent || 0) < TYPING_EVERY_MS) return;
      this.typingSent = Date.now();
    } else {
      if (!this.typingSent) return;
      this.typingSent = 0;
    }
    this.socket.send({ type: "typing", case_id: id, on });
  }

  // ----- the agent WebSocket ------------------------------------------------------------------

  onSocketClose(code) {
    if (code === 4401) {
      this.socket.stop();
      this.api.get("me").catch(() => {}); // the 401 it answers says why, and signs out
      return;
    }
    clearTimeout(this.lostTimer);
    this.lostTimer = setTimeout(() => this.me && (this.el.connection.textContent = this.t("reconnecting")), 1500);
  }

  onFrame(frame) {
    const handlers = {
      welcome: () => this.onWelcome(frame),
      case_created: () => this.onCase(frame.case, "created"),
      case_updated: () => this.onCase(frame.case, frame.change),
      case_removed: () => this.onRemoved(frame.case_id),
      message: () => this.onMessage(frame),
      note: () => this.caseView.id === frame.case_id && this.caseView.onNote(frame.note),
      typing: () => this.caseView.id === frame.case_id && this.caseView.onTyping(Boolean(frame.on)),
      agent_status: () => this.onAgentStatus(frame.agent),
      resync: () => this.reload(), // the server may have missed events (it lost Redis a while)
      error: () => frame.code in SIGNED_OUT_CODES && this.signedOut(frame.code),
    };
    (handlers[frame.type] || (() => {}))();
  }

  onWelcome(frame) {
    clearTimeout(this.lostTimer);
    const again = Boolean(this.el.connection.textContent) || this.welcomed;
    this.welcomed = true;
    this.el.connection.textContent = "";
    syncClock(frame.now);
    if (frame.agent) this.onAgentStatus(frame.agent);
    if (again) this.reload(); // events may have been missed while disconnected
  }

  onCase(c, change) {
    if (!c) return;
    this.queue.upsert(c);
    if (this.caseView.id === c.id) {
      this.caseView.update(c);
      if (["assigned", "claimed", "transferred", "resolved", "rated", "summary", "email", "urgency", "reopened"].includes(change)) this.refreshCase(c.id);
    }
    const waiting = c.status === "queued" || c.status === "reopened";
    const mine = Boolean(c.agent && this.me && c.agent.id === this.me.id);
    const fresh = change === "created" || change === "reopened";
    const toMe = mine && (fresh || change === "assigned" || change === "transferred");
    if ((fresh && waiting) || toMe) this.alerts.newCase(c, this.t(c.urgency));
    else if (!waiting && !mine) this.alerts.clear(c.id);
  }

  onRemoved(id) {
    this.queue.remove(id);
    this.alerts.clear(id);
    if (this.caseView.id === id && !this.transfer.dialog.open) this.refreshCase(id);
  }

  onMessage(frame) {
    const message = frame.message;
    if (this.caseView.id === frame.case_id) {
      this.caseView.onMessage(message);
      return;
    }
    const item = this.queue.items.get(frame.case_id);
    const mine = item && item.agent && this.me && item.agent.id === this.me.id;
    if (mine && message && message.role === "visitor") announce(this.el.announcer, this.t("visitorSaid", { number: item.number, text: message.text }));
  }

  onAgentStatus(agent) {
    if (!agent) return;
    this.transfer.onAgent(agent);
    if (!this.me || agent.id !== this.me.id) return;
    this.me = { ...this.me, ...agent };
    this.caseView.me = this.me;
    this.el.status.value = this.me.status;
  }
}

const app = new Console();
app.start();
