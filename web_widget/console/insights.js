/*! Samsvar dashboard: the figures, charts and gaps for agents with the admin role. MIT licence.
 * Plain JavaScript modules, no build step. Talks only to /api/v1/agent/insights* (docs/insights.md). */

import { Api, ApiError, serverRoot } from "./api.js";
import { barList, columnChart, shareBar } from "./charts.js";
import { byId, h } from "./dom.js";
import { INSIGHTS_TEXTS } from "./insights-texts.js";
import { LANGS, languageName, pickLang } from "./texts.js";

const LANG_KEY = "samsvar-console:lang"; // shared with the console

function translator(lang) {
  const table = INSIGHTS_TEXTS[lang] || INSIGHTS_TEXTS.nb;
  return (key, values) => {
    const text = table[key] ?? INSIGHTS_TEXTS.en[key] ?? key;
    return values ? text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? "")) : text;
  };
}

function iso(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function addDays(date, days) {
  const copy = new Date(date);
  copy.setDate(copy.getDate() + days);
  return copy;
}

/** [from, to] of a preset, as dates in the browser's time zone (the server's days are the base's). */
export function presetRange(preset, today = new Date()) {
  if (preset === "last30") return [addDays(today, -29), today];
  if (preset === "lastWeek") {
    const monday = addDays(today, -((today.getDay() + 6) % 7) - 7);
    return [monday, addDays(monday, 6)];
  }
  if (preset === "lastMonth") {
    const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    return [first, new Date(today.getFullYear(), today.getMonth(), 0)];
  }
  return [addDays(today, -6), today];
}

class Dashboard {
  constructor() {
    let saved = null;
    try {
      saved = localStorage.getItem(LANG_KEY);
    } catch {
      /* storage blocked */
    }
    this.lang = pickLang(saved);
    this.t = translator(this.lang);
    this.api = new Api({ root: serverRoot(), onSignedOut: () => this.fail("notSignedIn") });
    this.report = null;
    this.gaps = null;
    this.el = Object.fromEntries(
      ["lang", "preset", "from", "to", "status", "error", "figures", "tiles", "gaps", "gaps-status"].map((id) => [id, byId(id)]),
    );
  }

  start() {
    this.applyTexts();
    this.el.lang.addEventListener("change", () => this.setLanguage(this.el.lang.value));
    this.el.preset.addEventListener("change", () => this.fillPreset());
    for (const input of [this.el.from, this.el.to]) input.addEventListener("input", () => (this.el.preset.value = "custom"));
    byId("period-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    this.fillPreset();
    this.load();
  }

  applyTexts() {
    document.documentElement.lang = this.lang;
    document.title = `${this.t("title")} · Samsvar`;
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = this.t(el.dataset.t);
    this.el.lang.replaceChildren(...LANGS.map((code) => h("option", { value: code, lang: code, selected: code === this.lang }, languageName(code, code))));
  }

  setLanguage(lang) {
    this.lang = lang;
    this.t = translator(lang);
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      /* storage blocked */
    }
    this.applyTexts();
    if (this.report) {
      this.render();
      this.el.status.textContent = this.t("loaded", { from: this.report.period.from, to: this.report.period.to });
    }
    if (this.gaps) this.renderGaps();
  }

  fillPreset() {
    if (this.el.preset.value === "custom") return;
    const [from, to] = presetRange(this.el.preset.value);
    this.el.from.value = iso(from);
    this.el.to.value = iso(to);
  }

  number(value) {
    return value === null || value === undefined ? "–" : new Intl.NumberFormat(this.lang).format(value);
  }

  percent(value) {
    return value === null || value === undefined ? "–" : new Intl.NumberFormat(this.lang, { style: "percent", maximumFractionDigits: 1 }).format(value);
  }

  duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const unit = seconds < 120 ? ["second", seconds] : seconds < 7200 ? ["minute", seconds / 60] : seconds < 172800 ? ["hour", seconds / 3600] : ["day", seconds / 86400];
    return new Intl.NumberFormat(this.lang, { style: "unit", unit: unit[0], unitDisplay: "short", maximumFractionDigits: 1 }).format(unit[1]);
  }

  query() {
    return `from=${encodeURIComponent(this.el.from.value)}&to=${encodeURIComponent(this.el.to.value)}`;
  }

  fail(key, error) {
    this.el.status.textContent = "";
    this.el.error.hidden = false;
    this.el.error.textContent = this.t(key, { error: error ? error.message : "" });
  }

  async load() {
    this.el.error.hidden = true;
    this.el.status.textContent = this.t("loading");
    const query = this.query();
    try {
      const data = await this.api.get(`insights?${query}`);
      this.report = data.report;
    } catch (error) {
      this.report = null;
      this.el.figures.hidden = true;
      if (error instanceof ApiError && error.status === 401) return this.fail("notSignedIn");
      if (error instanceof ApiError && error.status === 403) return this.fail("adminOnly");
      return this.fail("failed", error);
    }
    this.render();
    this.el.status.textContent = this.t("loaded", { from: this.report.period.from, to: this.report.period.to });
    this.loadGaps(query);
  }

  async loadGaps(query) {
    this.gaps = null;
    this.el.gaps.replaceChildren();
    this.el["gaps-status"].textContent = this.t("gapsLoading");
    try {
      const data = await this.api.get(`insights/gaps?${query}`);
      if (query !== this.query()) return; // a newer period was asked for meanwhile
      this.gaps = data.gaps;
      this.renderGaps();
    } catch (error) {
      this.el["gaps-status"].textContent = this.t("gapsFailed", { error: error.message });
    }
  }

  tile(label, value, before) {
    return h("li", { class: "tile" }, h("span", { class: "label" }, label), h("span", { class: "value" }, value), before ? h("span", { class: "before" }, this.t("previous", { value: before })) : null);
  }

  render() {
    const r = this.report;
    const p = r.previous || {};
    const ho = r.handoffs;
    this.el.figures.hidden = false;
    this.el.tiles.replaceChildren(
      this.tile(this.t("inquiries"), this.number(r.inquiries), p.inquiries !== undefined ? this.number(p.inquiries) : null),
      this.tile(this.t("conversations"), this.number(r.conversations), p.conversations !== undefined ? this.number(p.conversations) : null),
      this.tile(this.t("selfService"), this.percent(r.self_service_rate), p.self_service_rate !== undefined ? this.percent(p.self_service_rate) : null),
      this.tile(this.t("handoffRate"), this.percent(r.rates.handoff)),
      this.tile(this.t("abstainRate"), this.percent(r.rates.abstain)),
      this.tile(this.t("clarifyRate"), this.percent(r.rates.clarify)),
      this.tile(this.t("helpful"), this.t("helpfulValue", { yes: this.number(r.helpful.yes), no: this.number(r.helpful.no) })),
      this.tile(this.t("firstReply"), this.duration(ho.first_reply_p50_s), p.handoffs ? this.duration(p.handoffs.first_reply_p50_s) : null),
      this.tile(this.t("resolution"), this.duration(ho.resolution_p50_s)),
      this.tile(this.t("csat"), ho.csat_mean === null ? "–" : new Intl.NumberFormat(this.lang, { maximumFractionDigits: 2 }).format(ho.csat_mean)),
      this.tile(this.t("reopened"), this.percent(ho.reopen_rate)),
      this.tile(this.t("returning"), this.t("returningValue", { returning: this.number(r.visitors.returning), count: this.number(r.visitors.count) })),
    );
    this.renderCharts(r);
    this.renderLists(r);
  }

  renderCharts(r) {
    const days = r.by_day.map((d) => ({ label: d.date, shortLabel: d.date.slice(8), value: d.inquiries }));
    const top = days.reduce((best, d) => (d.value > best.value ? d : best), days[0] || { label: "–", value: 0 });
    byId("by-day").replaceChildren(
      columnChart(days, {
        title: this.t("byDay"),
        describe: () => this.t("byDayDesc", { days: days.length, total: this.number(r.inquiries), top: top.label, most: this.number(top.value) }),
        labelEvery: Math.ceil(days.length / 16),
        format: (v) => this.number(v),
      }),
    );
    const hours = r.by_hour.map((value, hour) => ({ label: `${hour}:00`, shortLabel: String(hour), value }));
    const busiest = hours.reduce((best, x, i) => (x.value > hours[best].value ? i : best), 0);
    byId("by-hour").replaceChildren(
      columnChart(hours, { title: this.t("byHour"), describe: () => this.t("byHourDesc", { hour: busiest, most: this.number(hours[busiest].value) }), labelEvery: 3, format: (v) => this.number(v) }),
    );
    const parts = [
      { kind: "answer", label: this.t("answered"), value: r.answered },
      { kind: "clarify", label: this.t("clarified"), value: r.clarified },
      { kind: "abstain", label: this.t("abstained"), value: r.abstained },
      { kind: "handoff", label: this.t("handedOff"), value: r.handed_off },
    ];
    const values = Object.fromEntries(parts.map((x) => [x.kind, this.number(x.value)]));
    byId("decisions").replaceChildren(
      shareBar(parts, { title: this.t("decisions"), describe: () => this.t("decisionsDesc", values) }),
      h("ul", { class: "legend" }, ...parts.map((x) => h("li", {}, h("span", { class: `swatch part-${x.kind}`, "aria-hidden": "true" }), `${x.label}: ${this.number(x.value)}`))),
    );
    this.listChart("answers", "topAnswers", r.by_answer.slice(0, 10).map((a) => ({ label: a.title || a.answer_id, value: a.count })));
    this.listChart("languages", "languages", Object.entries(r.by_language).map(([code, value]) => ({ label: languageName(code, this.lang), value })));
  }

  listChart(id, titleKey, rows) {
    const target = byId(id);
    if (!rows.length) return target.replaceChildren(h("p", { class: "muted" }, this.t("none")));
    const items = rows.map((row) => `${row.label} ${this.number(row.value)}`).join(", ");
    target.replaceChildren(barList(rows, { title: this.t(titleKey), describe: () => this.t("listDesc", { items }), format: (v) => this.number(v) }));
  }

  renderLists(r) {
    const questions = r.top_questions.map((q) => h("li", {}, `${q.question} `, h("span", { class: "muted" }, `(${this.number(q.count)}, ${q.answer_id || this.t("notAnswered")})`)));
    byId("questions").replaceChildren(...(questions.length ? questions : [h("li", { class: "muted" }, this.t("none"))]));
    const review = r.review_due.map((a) => h("li", {}, `${a.title} `, h("span", { class: "muted" }, `(${a.review_by}${a.owner ? `, ${a.owner}` : ""})`)));
    byId("review").replaceChildren(...(review.length ? review : [h("li", { class: "muted" }, this.t("none"))]));
  }

  renderGaps() {
    this.el["gaps-status"].textContent = this.gaps.length ? "" : this.t("gapsNone");
    this.el.gaps.replaceChildren(...this.gaps.map((gap, index) => this.gapItem(gap, index)));
  }

  gapItem(gap, index) {
    const headingId = `gap-${index}`;
    const message = h("p", { class: "banner", role: "status", "aria-live": "polite", tabindex: "-1" });
    const forms = h("div", {});
    const item = h(
      "li",
      { class: "gap", "aria-labelledby": headingId },
      h("h3", { id: headingId }, `${gap.examples[0]} · ${this.t(gap.size === 1 ? "gapSizeOne" : "gapSize", { size: this.number(gap.size) })}`),
      h("ul", { class: "examples plain" }, ...gap.examples.slice(1).map((e) => h("li", {}, e))),
      h("p", { class: "muted small" }, `${this.t("gapLanguages", { langs: gap.languages.map((c) => languageName(c, this.lang)).join(", ") })} · ${this.t("gapNearest", { ids: gap.nearest.join(", ") || "–" })}`),
      h(
        "div",
        { class: "gap-actions" },
        h("button", { type: "button", "aria-describedby": headingId, onclick: () => this.showForm(forms, this.assignForm(gap, index, message)) }, this.t("assign")),
        h("button", { type: "button", "aria-describedby": headingId, onclick: () => this.showForm(forms, this.draftForm(gap, index, message)) }, this.t("draft")),
      ),
      forms,
      message,
    );
    return item;
  }

  showForm(holder, form) {
    holder.replaceChildren(form);
    form.querySelector("input, select").focus();
  }

  assignForm(gap, index, message) {
    const id = `assign-${index}`;
    const list = `${id}-list`;
    const input = h("input", { id, list, required: true, value: gap.nearest[0] || "", autocomplete: "off", spellcheck: "false" });
    const ids = new Set([...gap.nearest, ...(this.report ? this.report.by_answer.map((a) => a.answer_id) : [])]);
    const form = h(
      "form",
      {},
      h("label", { for: id }, this.t("assignTo")),
      input,
      h("datalist", { id: list }, ...[...ids].map((value) => h("option", { value }))),
      h("button", { type: "submit", class: "primary" }, this.t("assignDo")),
      h("button", { type: "button", onclick: () => form.remove() }, this.t("cancel")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await this.act(message, form, () => this.api.post("insights/gaps/assign", { questions: gap.questions.map((q) => q.text), answer_id: input.value.trim() }), (data) => this.t("assigned", { count: data.assigned.filter((a) => a.added).length, id: input.value.trim() }));
    });
    return form;
  }

  draftForm(gap, index, message) {
    const idInput = h("input", { id: `draft-id-${index}`, autocomplete: "off", spellcheck: "false", pattern: "[a-z0-9]+(-[a-z0-9]+)*" });
    const titleInput = h("input", { id: `draft-title-${index}`, autocomplete: "off" });
    const form = h(
      "form",
      {},
      h("label", { for: idInput.id }, this.t("draftId")),
      idInput,
      h("label", { for: titleInput.id }, this.t("draftTitle")),
      titleInput,
      h("button", { type: "submit", class: "primary" }, this.t("draftDo")),
      h("button", { type: "button", onclick: () => form.remove() }, this.t("cancel")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { questions: gap.questions.map((q) => q.text), language: gap.languages[0] || null };
      if (idInput.value.trim()) body.answer_id = idInput.value.trim();
      if (titleInput.value.trim()) body.title = titleInput.value.trim();
      await this.act(message, form, () => this.api.post("insights/gaps/draft", body), (data) => this.t("drafted", { file: data.draft.file }));
    });
    return form;
  }

  async act(message, form, call, done) {
    message.classList.remove("error");
    try {
      const data = await call();
      form.remove();
      message.textContent = done(data);
      message.focus();
    } catch (error) {
      message.classList.add("error");
      message.textContent = this.t("actionFailed", { error: error.message });
    }
  }
}

new Dashboard().start();
