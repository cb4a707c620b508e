/*! Samsvar agent console: the queue and the agent's own cases. MIT licence.
 * Ordered by urgency, then by waiting time (oldest first), like the server orders them.
 * Keyboard: Tab reaches each list once; the arrow keys, Home and End move within it
 * (a roving tabindex); Enter or Space opens the case. */

import { h } from "./dom.js";
import { languageName } from "./texts.js";
import { clock, isoDuration, secondsSince, spoken } from "./time.js";

export const URGENCIES = ["urgent", "high", "normal", "low"];
const PREVIEW_CHARS = 90;

/** The first words of a question, cut at a word boundary. */
export function preview(text) {
  const clean = String(text || "").replace(/\s+/g, " ").trim();
  if (clean.length <= PREVIEW_CHARS) return clean;
  const cut = clean.slice(0, PREVIEW_CHARS);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 40 ? cut.lastIndexOf(" ") : PREVIEW_CHARS).trimEnd()} …`;
}

export function byUrgencyThenAge(a, b) {
  const rank = URGENCIES.indexOf(a.urgency) - URGENCIES.indexOf(b.urgency);
  return rank || Date.parse(a.waiting_since) - Date.parse(b.waiting_since) || a.number.localeCompare(b.number);
}

export class QueueView {
  /** @param {{t: Function, lang: string, lists: {queue: HTMLElement, mine: HTMLElement}, empty: {queue: HTMLElement, mine: HTMLElement}, count: HTMLElement, onOpen: Function, teamName: Function}} options */
  constructor({ t, lang, lists, empty, count, onOpen, teamName }) {
    Object.assign(this, { t, lang, lists, empty, count, onOpen, teamName });
    this.items = new Map(); // case id -> summary
    this.current = null;
    this.me = null;
    for (const list of Object.values(lists)) list.addEventListener("keydown", (e) => this.onKey(e, list));
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  setLanguage(t, lang) {
    this.t = t;
    this.lang = lang;
    this.render();
  }

  /** Replace everything with the server's lists (after sign-in and after each reconnect). */
  reset(summaries, me) {
    this.me = me;
    this.items = new Map(summaries.map((s) => [s.id, s]));
    this.render();
  }

  /** Add or update one case; one that belongs in neither list (resolved, someone else's) leaves. */
  upsert(summary) {
    const known = this.items.has(summary.id);
    if (this.listOf(summary)) this.items.set(summary.id, summary);
    else if (!this.items.delete(summary.id)) return;
    this.render(known ? null : summary.id);
  }

  remove(id) {
    if (this.items.delete(id)) this.render();
  }

  select(id) {
    this.current = id;
    for (const button of this.buttons()) button.setAttribute("aria-current", String(button.dataset.id === id));
  }

  /** Which list a case belongs in: waiting for anyone, mine, or neither (someone else's). */
  listOf(item) {
    if (item.status === "resolved") return null;
    if (item.agent && this.me && item.agent.id === this.me.id) return "mine";
    if (!item.agent && (item.status === "queued" || item.status === "reopened")) return "queue";
    return null;
  }

  render(freshId = null) {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
    const sorted = [...this.items.values()].sort(byUrgencyThenAge);
    for (const [name, list] of Object.entries(this.lists)) {
      const items = sorted.filter((item) => this.listOf(item) === name);
      list.replaceChildren(...items.map((item) => h("li", {}, this.button(item, item.id === freshId))));
      this.empty[name].hidden = items.length > 0;
      this.rove(list, focused);
      if (name === "queue") this.count.textContent = `(${this.t("queueCount", { count: items.length })})`;
    }
    const again = focused && this.buttons().find((b) => b.dataset.id === focused);
    if (again) again.focus();
  }

  button(item, fresh) {
    const seconds = secondsSince(item.waiting_since);
    const urgency = this.t(item.urgency);
    const lang = item.language ? languageName(item.language, this.lang) : "";
    return h(
      "button",
      {
        type: "button",
        class: `case-item${fresh ? " fresh" : ""}`,
        dataset: { id: item.id },
        "aria-current": String(item.id === this.current),
        onclick: () => this.onOpen(item.id),
      },
      h("span", { class: `urgency urgency-${item.urgency}` }, h("span", { class: "vh" }, `${this.t("urgency")}: `), urgency),
      h("span", { class: "num" }, item.number),
      h("span", { class: "wait" }, h("span", { class: "vh" }, `${this.t("waited")}: `),
        h("time", { datetime: isoDuration(seconds), dataset: { since: item.waiting_since }, "aria-label": spoken(seconds, this.lang) }, clock(seconds))),
      h("span", { class: "preview", lang: item.language || null }, preview(item.question)),
      h("span", { class: "meta" }, [this.teamName(item.team), lang].filter(Boolean).join(" · ")),
    );
  }

  /** The waiting times tick once a second. */
  tick() {
    for (const time of document.querySelectorAll(".case-item time[data-since]")) {
      const seconds = secondsSince(time.dataset.since);
      const text = clock(seconds);
      if (time.textContent === text) continue;
      time.textContent = text;
      time.setAttribute("datetime", isoDuration(seconds));
      time.setAttribute("aria-label", spoken(seconds, this.lang));
    }
  }

  buttons(list) {
    return [...(list || document).querySelectorAll(".case-item")].filter((b) => !list || list.contains(b));
  }

  /** One button per list is in the tab order: the focused one, else the open case, else the first. */
  rove(list, focusedId) {
    const buttons = this.buttons(list);
    const active = buttons.find((b) => b.dataset.id === focusedId) || buttons.find((b) => b.dataset.id === this.current) || buttons[0];
    for (const b of buttons) b.tabIndex = b === active ? 0 : -1;
  }

  onKey(event, list) {
    const buttons = this.buttons(list);
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const next = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    for (const b of buttons) b.tabIndex = b === target ? 0 : -1;
    target.focus();
  }
}
