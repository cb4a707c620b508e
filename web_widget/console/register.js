/*! Samsvar agent console: register a phone call or a desk visit from a template of the answer
 * base (docs/console.md, "Registering an inquiry"). MIT licence.
 * A modal <dialog>: find the template (type, Enter), the customer (recent ones suggested), an
 * optional note and the template's fields, then "Resolve now" (the curated answer comes back to
 * copy as an SMS or to send by e-mail) or "Open case" (the team's queue). Escape closes it and
 * focus goes back to the button that opened it. */

import { announce, byId, h } from "./dom.js";
import { registerTranslator } from "./register-texts.js";
import { LANGS, languageName } from "./texts.js";

/** The words of a template that a search matches: titles in every language, topic, id. */
function haystack(template) {
  return [...Object.values(template.titles), template.topic_title, template.id].join(" ").toLowerCase();
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

export class RegisterDialog {
  /** @param {{t: Function, lang: string, api: object, explain: Function, announcer: Element, sees: Function, onOpen: Function}} options */
  constructor({ t, lang, api, explain, announcer, sees, onOpen }) {
    Object.assign(this, { api, explain, announcer, sees, onOpen, lang });
    this.t = registerTranslator(lang, t);
    this.templates = [];
    this.defaultLang = "nb";
    this.build();
  }

  build() {
    const el = (this.el = {});
    el.button = h("button", { type: "button", id: "register-open", class: "ghost", onclick: () => this.open() });
    byId("signout").before(el.button);
    el.search = h("input", { id: "register-search", type: "search", autocomplete: "off", "aria-controls": "register-template", "aria-describedby": "register-facts" });
    el.select = h("select", { id: "register-template", size: "4", required: true });
    el.facts = h("p", { id: "register-facts", class: "muted small", "aria-live": "polite" });
    el.fields = h("fieldset", { id: "register-fields", class: "register-fields" });
    el.customer = h("input", { id: "register-customer", list: "register-customers", autocomplete: "off", spellcheck: "false", maxlength: "160", "aria-describedby": "register-customer-hint" });
    el.customers = h("datalist", { id: "register-customers" });
    el.customerHint = h("p", { id: "register-customer-hint", class: "muted small" });
    el.customerLang = h("select", { id: "register-lang" });
    el.note = h("textarea", { id: "register-note", rows: "2", maxlength: "2000" });
    el.error = h("p", { id: "register-error", class: "error", role: "alert", hidden: true });
    el.resolve = h("button", { type: "submit", value: "resolve", id: "register-resolve" });
    el.openCase = h("button", { type: "submit", value: "open", id: "register-open-case" });
    el.cancel = h("button", { type: "button", onclick: () => this.dialog.close() });
    el.buttons = h("div", { class: "dialog-buttons" }, el.resolve, el.openCase, el.cancel);
    el.heading = h("h2", { id: "register-heading" });
    el.intro = h("p", { class: "muted small" });
    const label = (id, key) => h("label", { for: id, dataset: { rt: key } });
    el.form = h("form", { id: "register-form", novalidate: true },
      el.heading, el.intro,
      label("register-search", "templateSearch"), el.search,
      label("register-template", "template"), el.select, el.facts,
      el.fields,
      label("register-customer", "customer"), el.customer, el.customers, el.customerHint,
      label("register-lang", "customerLang"), el.customerLang,
      label("register-note", "note"), el.note,
      el.error, el.buttons);
    el.resultText = h("p", { id: "register-result-text", class: "register-result-text", tabindex: "-1" });
    el.answer = h("textarea", { id: "register-answer", rows: "6", readonly: true });
    el.answerBox = h("div", {}, label("register-answer", "answerText"), el.answer);
    el.copy = h("button", { type: "button", onclick: () => this.copy() });
    el.mail = h("a", { class: "button-link" });
    el.show = h("button", { type: "button", onclick: () => this.showCase() });
    el.again = h("button", { type: "button", class: "primary", onclick: () => (this.reset(), this.load()) });
    el.close = h("button", { type: "button", onclick: () => this.dialog.close() });
    el.result = h("div", { id: "register-result", hidden: true },
      el.resultText, el.answerBox, h("div", { class: "dialog-buttons" }, el.copy, el.mail, el.show, el.again, el.close));
    this.dialog = h("dialog", { id: "register-dialog", class: "dialog register", "aria-labelledby": "register-heading" }, el.form, el.result);
    byId("desk").append(this.dialog);

    el.search.addEventListener("input", () => this.filter());
    el.search.addEventListener("keydown", (e) => this.searchKey(e));
    el.select.addEventListener("change", () => this.choose());
    el.select.addEventListener("keydown", (e) => e.key === "Enter" && (e.preventDefault(), this.next()));
    el.form.addEventListener("submit", (e) => (e.preventDefault(), this.submit(e.submitter ? e.submitter.value : this.usual())));
    this.dialog.addEventListener("close", () => el.button.focus());
    this.applyTexts();
  }

  setLanguage(t, lang) {
    this.lang = lang;
    this.t = registerTranslator(lang, t);
    this.applyTexts();
  }

  applyTexts() {
    const { el, t } = this;
    el.button.textContent = t("register");
    el.heading.textContent = t("registerHeading");
    el.intro.textContent = t("registerIntro");
    el.customerHint.textContent = t("customerHint");
    el.resolve.textContent = t("resolveNow");
    el.openCase.textContent = t("openCase");
    el.cancel.textContent = t("cancel");
    el.copy.textContent = t("copy");
    el.show.textContent = t("showCase");
    el.again.textContent = t("another");
    el.close.textContent = t("close");
    for (const node of this.dialog.querySelectorAll("[data-rt]")) node.textContent = t(node.dataset.rt);
    const chosen = el.customerLang.value || this.defaultLang;
    el.customerLang.replaceChildren(...LANGS.map((code) => h("option", { value: code, selected: code === chosen }, languageName(code, this.lang))));
    this.filter();
  }

  // ----- opening, choosing a template ---------------------------------------------------------

  open() {
    this.reset();
    this.dialog.showModal();
    this.el.search.focus();
    this.load();
  }

  /** The templates and the recent customers (again after each registration: it is one). */
  async load() {
    try {
      const [{ templates, default_language: lang }, { customers }] = await Promise.all([
        this.api.get("templates"),
        this.api.get("customers/recent?limit=20"),
      ]);
      this.templates = templates;
      this.defaultLang = lang || "nb";
      this.el.customerLang.value = this.defaultLang;
      this.el.customers.replaceChildren(...customers.map((c) => h("option", { value: c.ref })));
      this.filter();
    } catch (error) {
      this.setError(this.explain(error));
    }
  }

  reset() {
    this.key = newKey();
    this.done = null;
    this.el.form.hidden = false;
    this.el.result.hidden = true;
    this.el.form.reset();
    this.el.customerLang.value = this.defaultLang;
    this.setError("");
    this.filter();
    if (this.dialog.open) this.el.search.focus();
  }

  title(template) {
    return template.titles[this.lang] || template.titles[this.defaultLang] || Object.values(template.titles)[0];
  }

  filter() {
    const { el } = this;
    const words = el.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = this.templates.filter((tpl) => words.every((w) => haystack(tpl).includes(w)));
    const chosen = el.select.value;
    el.select.replaceChildren(...shown.map((tpl) => h("option", { value: tpl.id }, this.title(tpl))));
    if (shown.some((tpl) => tpl.id === chosen)) el.select.value = chosen;
    else if (shown.length) el.select.value = shown[0].id;
    if (!this.templates.length) el.facts.textContent = this.t("noTemplates");
    else if (!shown.length) el.facts.textContent = this.t("noMatch", { text: el.search.value.trim() });
    this.choose();
  }

  get template() {
    return this.templates.find((tpl) => tpl.id === this.el.select.value) || null;
  }

  /** Show the chosen template: what it is about, its fields, and its usual action first. */
  choose() {
    const { el, t } = this;
    const tpl = this.template;
    if (!tpl) {
      el.fields.replaceChildren();
      el.fields.hidden = true;
      return;
    }
    const channel = t(`ch_${tpl.channel}`);
    el.facts.textContent = t("templateFacts", { topic: tpl.topic_title, team: tpl.team_name || tpl.team, channel }) + (tpl.resolve_at_once ? ` · ${t("usuallyAtOnce")}` : "");
    const kept = new Map([...el.fields.querySelectorAll("input")].map((input) => [input.name, input.value]));
    el.fields.replaceChildren(h("legend", {}, t("details")), ...tpl.fields.flatMap((f) => {
      const id = `register-field-${f.name}`;
      const name = f.labels[this.lang] || f.labels[this.defaultLang] || f.name;
      return [
        h("label", { for: id }, name),
        h("input", { id, name: f.name, value: kept.get(f.name) ?? f.value ?? "", placeholder: f.example || null, autocomplete: "off" }),
      ];
    }));
    el.fields.hidden = !tpl.fields.length;
    const first = tpl.resolve_at_once ? el.resolve : el.openCase;
    el.resolve.classList.toggle("primary", tpl.resolve_at_once);
    el.openCase.classList.toggle("primary", !tpl.resolve_at_once);
    if (el.buttons.firstChild !== first) el.buttons.prepend(first); // Enter in a field does the usual
  }

  usual() {
    const tpl = this.template;
    return tpl && tpl.resolve_at_once ? "resolve" : "open";
  }

  searchKey(e) {
    if (e.key === "ArrowDown" && this.el.select.options.length) {
      e.preventDefault();
      this.el.select.focus();
    } else if (e.key === "Enter") {
      e.preventDefault(); // Enter picks the first match; it never registers from the search box
      if (this.template) this.next();
    }
  }

  /** After the template: its first field to fill, else the customer. */
  next() {
    const empty = [...this.el.fields.querySelectorAll("input")].find((input) => !input.value);
    (empty || this.el.customer).focus();
  }

  setError(text) {
    this.el.error.textContent = text;
    this.el.error.hidden = !text;
  }

  // ----- registering --------------------------------------------------------------------------

  async submit(action) {
    const tpl = this.template;
    if (!tpl) {
      this.setError(this.t("chooseTemplate"));
      this.el.search.focus();
      return;
    }
    if (this.busy) return;
    const fields = Object.fromEntries([...this.el.fields.querySelectorAll("input")].filter((i) => i.value.trim()).map((i) => [i.name, i.value.trim()]));
    const body = {
      template: tpl.id,
      key: this.key,
      customer: this.el.customer.value.trim() || null,
      text: this.el.note.value.trim() || null,
      fields,
      resolve: action === "resolve",
      lang: this.el.customerLang.value || null,
    };
    this.busy = true;
    this.setError("");
    announce(this.announcer, this.t("registering"));
    try {
      this.showResult(await this.api.post("registrations", body));
    } catch (error) {
      this.setError(this.explain(error));
    } finally {
      this.busy = false;
    }
  }

  showResult(done) {
    const { el, t } = this;
    this.done = done;
    const c = done.case;
    const text = done.answer
      ? t("resolvedResult", { number: c.number })
      : t("openResult", { number: c.number, team: this.template ? this.template.team_name || c.team : c.team });
    el.resultText.textContent = text;
    el.answerBox.hidden = !done.answer;
    el.copy.hidden = !done.answer;
    el.answer.value = done.answer ? done.answer.sms : "";
    el.answer.lang = done.answer ? done.answer.lang : "";
    const email = (done.customer.refs || []).find((ref) => ref.startsWith("email:"));
    el.mail.hidden = !(done.answer && email);
    if (done.answer && email) {
      const address = email.slice("email:".length);
      const subject = `${c.number}: ${done.answer.title}`;
      el.mail.href = `mailto:${encodeURIComponent(address).replace("%40", "@")}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(done.answer.sms)}`;
      el.mail.textContent = t("sendEmail", { address });
    }
    el.show.hidden = !this.sees({ team: c.team, agent: c.agent_id ? { id: c.agent_id } : null });
    el.form.hidden = true;
    el.result.hidden = false;
    el.resultText.focus();
    announce(this.announcer, text);
  }

  async copy() {
    const text = this.el.answer.value;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      this.el.answer.select(); // the clipboard is blocked: the text is selected to copy by hand
      return;
    }
    announce(this.announcer, this.t("copied"));
  }

  showCase() {
    const id = this.done && this.done.case.id;
    this.dialog.close();
    if (id) this.onOpen(id);
  }
}
