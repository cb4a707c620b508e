/*! Samsvar agent console: telling the agent about a new case. MIT licence.
 * Three channels, so that no new case goes unnoticed:
 *  1. a polite ARIA live region (always: screen readers hear it),
 *  2. a system notification (Notification API, once the agent has allowed it), else a visible
 *     alert on the page that stays until dismissed or the case is opened,
 *  3. a short chime made with the Web Audio API (no audio file, nothing downloaded).
 * Browsers allow sound only after the agent has interacted with the page: `unlock()` runs on the
 * first click or key press (and on sign-in). */

import { announce, h } from "./dom.js";

const SOUND_KEY = "samsvar-console:sound";

export class Alerts {
  /** @param {{t: Function, region: HTMLElement, tray: HTMLElement, onOpen: Function}} options */
  constructor({ t, region, tray, onOpen }) {
    this.t = t;
    this.region = region;
    this.tray = tray;
    this.onOpen = onOpen;
    this.audio = null;
    this.shown = new Map(); // case id -> Notification or in-page alert
    const unlock = () => this.unlock();
    document.addEventListener("pointerdown", unlock, { capture: true });
    document.addEventListener("keydown", unlock, { capture: true });
  }

  get soundOn() {
    try {
      return localStorage.getItem(SOUND_KEY) !== "off";
    } catch {
      return true;
    }
  }

  set soundOn(on) {
    try {
      localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    } catch {
      /* storage blocked: the choice lasts for this page */
    }
  }

  /** "granted", "denied", "default" (not asked yet) or "unsupported". */
  get permission() {
    return "Notification" in window ? Notification.permission : "unsupported";
  }

  /** Ask for permission to notify (must run in a click handler). */
  async enable() {
    this.unlock();
    if (this.permission !== "default") return this.permission;
    try {
      return await Notification.requestPermission();
    } catch {
      return this.permission;
    }
  }

  /** Create or resume the audio context inside a user gesture, so later chimes may play. */
  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      this.audio ||= new Context();
      if (this.audio.state === "suspended") this.audio.resume().catch(() => {});
    } catch {
      this.audio = null;
    }
  }

  /** Two short sine tones, rising (about 0.4 s, quiet). */
  chime() {
    if (!this.soundOn || !this.audio || this.audio.state !== "running") return false;
    const ctx = this.audio;
    const start = ctx.currentTime + 0.01;
    [660, 880].forEach((frequency, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const at = start + i * 0.16;
      osc.type = "sine";
      osc.frequency.setValueAtTime(frequency, at);
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.24);
    });
    return true;
  }

  /** A new (or reopened) case reached this agent's queue. */
  newCase(item, urgencyText) {
    const [alert, said] = item.reopened ? ["reopenedCaseAlert", "reopenedCaseAnnounce"] : ["newCaseAlert", "newCaseAnnounce"];
    const title = this.t(alert, { number: item.number });
    const question = item.preview || "";
    announce(this.region, this.t(said, { number: item.number, urgency: urgencyText, question }));
    this.chime();
    if (this.shown.has(item.id)) return;
    if (this.permission === "granted" && this.notify(item, title, `${urgencyText} · ${item.team || ""}\n${question}`)) return;
    this.inPage(item, title, urgencyText, question);
  }

  notify(item, title, body) {
    try {
      const note = new Notification(title, { body, tag: `samsvar-case-${item.id}`, lang: document.documentElement.lang });
      note.onclick = () => {
        window.focus();
        this.onOpen(item.id);
        note.close();
      };
      this.shown.set(item.id, note);
      return true;
    } catch {
      return false; // e.g. a browser that only notifies from a service worker
    }
  }

  inPage(item, title, urgencyText, question) {
    const box = h(
      "div",
      { class: `alert urgency-${item.urgency}`, role: "group", "aria-label": title },
      h("button", { type: "button", class: "alert-open", onclick: () => this.onOpen(item.id) },
        h("strong", {}, title), h("span", {}, ` · ${urgencyText}`), question ? h("span", { class: "alert-q" }, question) : null),
      h("button", { type: "button", class: "alert-x", "aria-label": this.t("dismiss"), onclick: () => this.clear(item.id) }, "×"),
    );
    this.tray.append(box);
    this.shown.set(item.id, box);
  }

  /** The case was opened, claimed by someone or left the queue: its alert has done its job. */
  clear(id) {
    const shown = this.shown.get(id);
    if (!shown) return;
    this.shown.delete(id);
    if (typeof shown.close === "function") shown.close();
    else shown.remove();
  }

  clearAll() {
    for (const id of [...this.shown.keys()]) this.clear(id);
  }
}
