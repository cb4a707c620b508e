/*! Samsvar agent console: the "This customer" panel of a case — the customer's references, and
 * earlier cases and conversations from every channel (chat, e-mail, phone, desk, …). MIT licence.
 * From GET /api/v1/agent/cases/{number}/customer (docs/agent-api.md). */

import { byId, h } from "./dom.js";
import { registerTranslator } from "./register-texts.js";
import { when } from "./time.js";

export class CustomerPanel {
  /** @param {{t: Function, lang: string, api: object}} options */
  constructor({ t, lang, api }) {
    Object.assign(this, { api, lang });
    this.t = registerTranslator(lang, t);
    this.case = null;
    this.data = null;
    this.heading = h("h2", { id: "customer-heading" });
    this.body = h("div", { id: "customer-history", class: "customer-history" });
    this.panel = h("section", { class: "panel customer", "aria-labelledby": "customer-heading" }, this.heading, this.body);
    byId("context").closest("section").after(this.panel);
    this.render();
  }

  setLanguage(t, lang) {
    this.lang = lang;
    this.t = registerTranslator(lang, t);
    this.render();
  }

  /** A case was opened (or changed): load its customer, once per case number. */
  async forCase(c) {
    if (!c || (this.case && this.case.number === c.number && this.data)) return;
    this.case = c;
    this.data = null;
    this.failed = false;
    this.render();
    try {
      const data = await this.api.get(`cases/${encodeURIComponent(c.number)}/customer`);
      if (this.case && this.case.number === c.number) this.data = data;
    } catch {
      this.failed = true;
    }
    this.render();
  }

  channel(name) {
    const text = this.t(`ch_${name}`);
    return text === `ch_${name}` ? name : text;
  }

  ref(ref) {
    const [kind, ...rest] = ref.split(":");
    const label = { email: "ref_email", tel: "ref_tel", id: "ref_id" }[kind];
    return h("li", {}, label ? `${this.t(label)}: ` : "", h("b", {}, label ? rest.join(":") : ref));
  }

  render() {
    const { t } = this;
    this.heading.textContent = t("customerHeading");
    if (this.failed) return this.body.replaceChildren(h("p", { class: "muted small" }, t("customerFailed")));
    if (!this.data) return this.body.replaceChildren();
    const { refs, cases, conversations } = this.data;
    const current = this.case ? this.case.number : null;
    const others = cases.filter((k) => k.number !== current);
    const parts = [];
    if (refs.length) parts.push(h("h3", {}, t("customerRefs")), h("ul", { class: "refs" }, ...refs.map((r) => this.ref(r))));
    if (cases.length) {
      parts.push(h("h3", {}, t("customerCases")), h("ul", { class: "earlier" }, ...cases.map((k) => h("li", {},
        h("b", {}, k.number), ` · ${this.channel(k.channel)} · ${t(k.status)} · ${when(k.created_at, this.lang)}`,
        k.number === current ? ` (${t("thisCase")})` : "",
        k.question ? h("br") : null, k.question ? h("span", { class: "quote" }, k.question) : null))));
    }
    if (conversations.length) {
      parts.push(h("h3", {}, t("customerConversations")), h("ul", { class: "earlier" }, ...conversations.map((c) => h("li", {},
        `${this.channel(c.channel)} · ${t(`cv_${c.status}`) === `cv_${c.status}` ? c.status : t(`cv_${c.status}`)} · ${when(c.started_at, this.lang)}`))));
    }
    if (!others.length && conversations.length <= 1) parts.push(h("p", { class: "muted small" }, t("customerNone")));
    this.body.replaceChildren(...parts);
  }
}
