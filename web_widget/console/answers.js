/*! Samsvar agent console: search the curated answer base and insert an answer into the reply.
 * MIT licence. The server ranks with the same retrieval the bot uses, so the agent finds the
 * answer the bot would give, in the visitor's language when the answer has it. */

import { byId, h } from "./dom.js";
import { languageName } from "./texts.js";

const SNIPPET_CHARS = 220;

export class AnswerSearch {
  /** @param {{t: Function, lang: string, api: object, explain: Function, insert: (text: string) => boolean}} options */
  constructor({ t, lang, api, explain, insert }) {
    Object.assign(this, { t, lang, api, explain, insert });
    this.form = byId("answer-search");
    this.query = byId("answer-query");
    this.status = byId("answers-status");
    this.list = byId("answers");
    this.visitorLang = null;
    this.asked = 0;
    this.form.addEventListener("submit", (e) => (e.preventDefault(), this.search(this.query.value)));
  }

  setLanguage(t, lang) {
    this.t = t;
    this.lang = lang;
    if (this.hits) this.render(this.hits);
  }

  /** A case was opened: search for its question at once, in the visitor's language. */
  forCase(c) {
    this.visitorLang = c.language || null;
    this.query.value = c.question || "";
    this.hits = null;
    this.list.replaceChildren();
    this.status.textContent = "";
    if (c.question) this.search(c.question);
  }

  async search(text) {
    const q = String(text || "").trim().slice(0, 2000);
    if (!q) return;
    const asked = ++this.asked; // only the latest search is shown
    const params = new URLSearchParams({ q, limit: "5" });
    if (this.visitorLang) params.set("lang", this.visitorLang);
    this.list.setAttribute("aria-busy", "true");
    try {
      const { results } = await this.api.get(`answers/search?${params}`);
      if (asked !== this.asked) return;
      this.hits = results || [];
      this.render(this.hits);
    } catch (error) {
      if (asked === this.asked) this.status.textContent = this.explain(error);
    } finally {
      if (asked === this.asked) this.list.removeAttribute("aria-busy");
    }
  }

  render(hits) {
    this.status.textContent = hits.length ? "" : this.t("noAnswers");
    this.list.replaceChildren(...hits.map((hit) => this.item(hit)));
  }

  item(hit) {
    const text = hit.text || "";
    const snippet = text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS - 2).trimEnd()} …` : text;
    const others = Object.keys(hit.texts || {}).filter((code) => code !== hit.lang);
    const label = (code) => this.t("insert", { lang: languageName(code, this.lang) });
    const headingId = `answer-${hit.answer_id}`;
    return h(
      "li",
      { "aria-labelledby": headingId },
      h("h3", { id: headingId }, hit.title || hit.answer_id),
      h("p", { lang: hit.lang || null }, snippet),
      h("div", { class: "row" },
        h("button", { type: "button", class: "primary", onclick: () => this.use(hit.texts?.[hit.lang] || text) }, label(hit.lang)),
        ...others.map((code) => h("button", { type: "button", lang: null, onclick: () => this.use(hit.texts[code]) }, label(code)))),
    );
  }

  use(text) {
    if (this.insert(text)) this.status.textContent = this.t("inserted");
    else this.status.textContent = this.t("claimFirst");
  }
}
