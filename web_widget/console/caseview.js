/*! Samsvar agent console: one case — its head, transcript, reply box and notes. MIT licence. */

import { announce, byId, h, safeUrl } from "./dom.js";
import { languageName } from "./texts.js";
import { timeOfDay, when } from "./time.js";
import { renderContext } from "./context.js";

const TYPING_MAX_MS = 8000;

export class CaseView {
  /** @param {{t: Function, lang: string, api: object, explain: Function, onChanged: Function, teamName: Function}} options */
  constructor({ t, lang, api, explain, onChanged, teamName }) {
    Object.assign(this, { t, lang, api, explain, onChanged, teamName });
    this.me = null;
    this.data = null; // the open case: {case, transcript, earlier} as GET /cases/{id} answers
    this.byId = new Map(); // message id -> node
    this.drafts = new Map(); // case id -> unsent reply text (kept across cases and a new sign-in)
    this.el = {
      none: byId("case-none"),
      view: byId("case-view"),
      side: byId("side"),
      heading: byId("case-heading"),
      facts: byId("case-facts"),
      claim: byId("claim"),
      transfer: byId("transfer"),
      resolve: byId("resolve"),
      message: byId("case-message"),
      error: byId("case-error"),
      transcript: byId("transcript"),
      typing: byId("typing"),
      replyForm: byId("reply-form"),
      reply: byId("reply"),
      send: byId("reply-send"),
      hint: byId("reply-hint"),
      context: byId("context"),
      notes: byId("notes"),
      noteForm: byId("note-form"),
      note: byId("note"),
      announcer: byId("announcer"),
    };
    this.el.claim.addEventListener("click", () => this.act("claim", (c) => this.t("claimed", { number: c.number })));
    this.el.resolve.addEventListener("click", () => this.act("resolve", (c) => this.t("resolvedDone", { number: c.number })));
    this.el.replyForm.addEventListener("submit", (e) => (e.preventDefault(), this.sendReply()));
    this.el.reply.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) (e.preventDefault(), this.sendReply());
    });
    this.el.noteForm.addEventListener("submit", (e) => (e.preventDefault(), this.addNote()));
  }

  setLanguage(t, lang) {
    this.t = t;
    this.lang = lang;
    if (this.data) this.show(this.data, { keepReply: true });
  }

  get id() {
    return this.data ? this.data.case.id : null;
  }

  get case() {
    return this.data ? this.data.case : null;
  }

  /** Can this agent write to the visitor? Only the assigned agent of an open case. */
  get mine() {
    const c = this.case;
    return Boolean(c && this.me && c.agent && c.agent.id === this.me.id && c.status !== "resolved");
  }

  /** Show no case: the empty state, or why the case went away. */
  close(why = "") {
    this.keepDraft();
    this.data = null;
    this.byId.clear();
    this.el.view.hidden = true;
    this.el.side.hidden = true;
    this.el.none.hidden = false;
    this.el.none.textContent = why || this.t("noCase");
  }

  /** Show a case (freshly loaded, or updated by an event). */
  show(data, { keepReply = false, focus = false } = {}) {
    const switched = !this.data || this.id !== data.case.id;
    if (switched) this.keepDraft();
    this.data = data;
    this.el.none.hidden = true;
    this.el.view.hidden = false;
    this.el.side.hidden = false;
    this.el.heading.textContent = this.t("caseHeading", { number: data.case.number });
    this.renderFacts();
    this.renderActions();
    renderContext(this.el.context, data, this.t, this.lang);
    this.renderNotes();
    if (switched) {
      this.byId.clear();
      this.el.transcript.replaceChildren();
      this.setError("");
      this.el.message.textContent = "";
      this.el.typing.textContent = "";
      if (!keepReply) this.el.reply.value = this.drafts.get(data.case.id) || "";
    }
    this.el.transcript.setAttribute("aria-busy", "true");
    for (const message of data.transcript || []) this.addMessage(message);
    this.el.transcript.removeAttribute("aria-busy");
    this.scrollDown();
    if (focus) this.el.heading.focus();
  }

  /** The case changed (a claim, a transfer, an event): the transcript stays as it is. */
  update(c) {
    if (!this.data || this.id !== c.id) return;
    this.data.case = { ...this.data.case, ...c };
    this.renderFacts();
    this.renderActions();
    renderContext(this.el.context, this.data, this.t, this.lang);
    this.renderNotes();
  }

  keepDraft() {
    if (!this.data) return;
    if (this.el.reply.value.trim()) this.drafts.set(this.id, this.el.reply.value);
    else this.drafts.delete(this.id);
  }

  renderFacts() {
    const d = this.case;
    const fact = (label, value) => h("span", {}, `${label}: `, h("b", {}, value));
    const who = d.agent ? (this.me && d.agent.id === this.me.id ? this.t("assignedToYou") : this.t("assignedTo", { name: d.agent.display_name })) : this.t("unassigned");
    this.el.facts.replaceChildren(
      h("span", { class: `urgency urgency-${d.urgency}` }, h("span", { class: "vh" }, `${this.t("urgency")}: `), this.t(d.urgency)),
      fact(this.t("caseStatus"), this.t(d.status)),
      fact(this.t("team"), this.teamName(d.team) || "–"),
      d.language ? fact(this.t("lang"), languageName(d.language, this.lang)) : null,
      h("span", {}, who),
    );
  }

  renderActions() {
    const d = this.case;
    const open = d.status !== "resolved";
    this.el.claim.hidden = !open || this.mine;
    this.el.claim.disabled = Boolean(d.agent);
    this.el.transfer.disabled = !open;
    this.el.resolve.disabled = !open || !(this.mine || (this.me && this.me.admin));
    const canWrite = this.mine;
    this.el.reply.disabled = !canWrite;
    this.el.send.disabled = !canWrite;
    this.el.hint.textContent = canWrite ? "" : open ? this.t("claimFirst") : this.t("resolved");
  }

  renderNotes() {
    const notes = this.case.notes || [];
    this.el.notes.replaceChildren(
      ...(notes.length
        ? notes.map((n) => h("li", {}, h("span", { class: "who" }, `${(n.agent && n.agent.display_name) || this.t("agent")} · ${when(n.created_at, this.lang)}`), n.text))
        : [h("li", { class: "empty-note" }, this.t("noNotes"))]),
    );
  }

  // ----- the transcript -----------------------------------------------------------------------

  /** Add a message unless it is shown already (events and responses may both bring it). */
  addMessage(message) {
    if (!message || !message.id) return null;
    if (this.byId.has(message.id)) return this.byId.get(message.id);
    const pending = message.client_id && this.el.transcript.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
    const node = this.render(message);
    if (pending) pending.replaceWith(node);
    else this.place(node, message.seq);
    this.byId.set(message.id, node);
    if (message.role === "visitor") this.el.typing.textContent = "";
    return node;
  }

  place(node, seq) {
    const after = [...this.el.transcript.children].find((n) => n.classList.contains("pending") || Number(n.dataset.seq) > seq);
    this.el.transcript.insertBefore(node, after || null);
  }

  render(m) {
    const who = {
      visitor: this.t("visitor"),
      bot: this.t("bot"),
      agent: m.agent_name || this.t("agent"),
      system: this.t("system"),
    }[m.role] || this.t("system");
    const node = h("div", { class: `msg ${m.role}`, dataset: { id: m.id, seq: String(m.seq ?? "") } },
      h("span", { class: "who" }, who),
      h("span", { lang: m.lang || null }, m.text || ""));
    const links = (m.links || []).map(safeUrl).filter(Boolean);
    if (links.length) node.append(h("ul", { class: "links" }, ...links.map((u) => h("li", {}, h("a", { href: u.href, target: "_blank", rel: "noopener noreferrer" }, `${u.host}${u.pathname}`)))));
    if (m.created_at) node.append(h("time", { datetime: m.created_at }, timeOfDay(m.created_at, this.lang)));
    return node;
  }

  scrollDown() {
    this.el.transcript.scrollTop = this.el.transcript.scrollHeight;
  }

  /** A visitor message arrived live for this case. */
  onMessage(message) {
    const node = this.addMessage(message);
    if (node) this.scrollDown();
  }

  onTyping(on) {
    clearTimeout(this.typingTimer);
    this.el.typing.textContent = on ? this.t("visitorTyping") : "";
    if (on) this.typingTimer = setTimeout(() => (this.el.typing.textContent = ""), TYPING_MAX_MS);
  }

  // ----- actions ------------------------------------------------------------------------------

  setError(text) {
    this.el.error.textContent = text;
    this.el.error.hidden = !text;
  }

  async act(action, done) {
    const id = this.id;
    this.setError("");
    try {
      const { case: c } = await this.api.post(`cases/${encodeURIComponent(id)}/${action}`);
      this.onChanged(c);
      if (this.id !== id) return;
      this.update(c);
      announce(this.el.message, done(c));
      if (action === "claim") this.el.reply.focus();
    } catch (error) {
      this.setError(this.explain(error));
    }
  }

  async sendReply() {
    const text = this.el.reply.value.trim();
    if (!text || !this.mine) return;
    const clientId = crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
    const pending = h("div", { class: "msg agent pending", dataset: { clientId } }, h("span", { class: "who" }, this.me.display_name), text);
    this.el.transcript.append(pending);
    this.scrollDown();
    this.el.reply.value = "";
    try {
      const { message } = await this.api.post(`cases/${encodeURIComponent(this.id)}/messages`, { client_id: clientId, text });
      if (!this.byId.has(message.id)) {
        const node = this.render(message);
        pending.replaceWith(node);
        this.byId.set(message.id, node);
      } else pending.remove();
    } catch (error) {
      pending.classList.replace("pending", "failed");
      pending.append(h("span", { class: "who" }, this.t("notSent", { error: this.explain(error) })));
      if (!this.el.reply.value) this.el.reply.value = text;
    }
    this.el.reply.focus();
  }

  async addNote() {
    const text = this.el.note.value.trim();
    if (!text) return;
    try {
      const { note } = await this.api.post(`cases/${encodeURIComponent(this.id)}/notes`, { text });
      this.el.note.value = "";
      this.onNote(note);
    } catch (error) {
      this.setError(this.explain(error));
    }
  }

  onNote(note) {
    const c = this.case;
    if (!c || (c.notes || []).some((n) => n.id === note.id)) return;
    (c.notes ||= []).push(note);
    this.renderNotes();
  }

  /** Put a curated answer's text into the reply box at the cursor, ready to edit and send. */
  insert(text) {
    const box = this.el.reply;
    if (box.disabled) return false;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const glue = before && !/\s$/.test(before) ? "\n\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    const caret = (before + glue + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    return true;
  }
}
