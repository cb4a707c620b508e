/*! Samsvar agent console: the context panel — what the agent needs so the visitor repeats nothing.
 * MIT licence. A description list: the question in the visitor's words, language, page, why it
 * was handed off, what the bot tried and the feedback, the collected fields and a guided flow's
 * path, the summary, the urgency and the rules that fired, the e-mail left for a reply, the
 * rating, earlier conversations and cases. */

import { attachmentsRow } from "./attachments.js";
import { h, safeUrl } from "./dom.js";
import { languageName } from "./texts.js";
import { when } from "./time.js";

/** Fill `dl` with the case's context. `view` is {case, earlier} from GET /cases/{id}. */
export function renderContext(dl, view, t, lang) {
  const c = view.case;
  const rows = [
    [t("question"), h("span", { class: "quote", lang: c.language || null }, c.question || "–")],
    [t("lang"), c.language ? languageName(c.language, lang) : "–"],
    [t("page"), pageLink(c.page_url)],
    [t("handedOff"), reasonText(c, t)],
    [t("botTried"), tried(c, t)],
    [t("collected"), fields(c, t)],
    c.path && c.path.length ? [t("flowPath"), c.path.map((step) => step.label || step.step).join(" → ")] : null,
    c.contact_email ? [t("email"), h("a", { href: `mailto:${encodeURIComponent(c.contact_email).replace("%40", "@")}` }, c.contact_email)] : null,
    [t("summary"), h("span", { class: "quote" }, c.summary || "–")],
    [t("why"), urgency(c, t)],
    c.off_hours ? [t("offHours"), t("offHoursYes")] : null,
    c.rating ? [t("rating"), rating(c.rating, t)] : null,
    attachmentsRow(c, lang),
    [t("earlier"), earlier(view.earlier, t, lang)],
  ].filter(Boolean);
  dl.replaceChildren(...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function pageLink(value) {
  const url = safeUrl(value);
  if (!url) return "–";
  return h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, `${url.host}${url.pathname}${url.search}`);
}

function reasonText(c, t) {
  const key = { asked_for_human: "reasonAsked", unresolved: "reasonUnresolved", accepted_offer: "reasonOffer", flow: "reasonFlow", unanswered: "reasonUnanswered", registered: "reasonRegistered" }[c.reason];
  const topic = c.topic && c.topic.title ? ` (${c.topic.title})` : "";
  return (key ? t(key) : c.reason || "–") + topic;
}

function tried(c, t) {
  const list = c.tried || [];
  if (!list.length) return t("nothingTried");
  return h("ul", {}, ...list.map((a) => {
    const verdict = a.helpful === true ? t("helped") : a.helpful === false ? t("notHelped") : t("noFeedback");
    return h("li", {}, h("span", {}, a.title || a.answer_id), " ", h("span", { class: `tag verdict-${String(a.helpful)}` }, verdict));
  }));
}

function fields(c, t) {
  const list = c.fields || [];
  if (!list.length) return t("none");
  return h("ul", {}, ...list.map((f) => {
    const status = { recognised: t("fieldRecognised"), skipped: t("fieldSkipped"), not_given: t("notGiven") }[f.status];
    return h("li", {}, `${f.label || f.name}: `, f.value ? h("b", {}, f.value) : null, status ? h("span", { class: "tag" }, status) : null);
  }));
}

function urgency(c, t) {
  const badge = h("span", { class: `urgency urgency-${c.urgency}` }, t(c.urgency));
  const reasons = c.urgency_reasons || [];
  const rules = reasons.length ? reasons : (c.urgency_rules || []).map((rule) => ({ rule }));
  if (!rules.length) return h("span", {}, badge, " ", t("noRules"));
  return h("span", {}, badge, h("ul", {}, ...rules.map((r) => h("li", {}, h("code", {}, r.rule), r.level ? ` → ${t(r.level)}` : "", r.detail ? `: ${r.detail}` : ""))));
}

function rating(r, t) {
  return h("span", {}, t("ratingOf", { rating: r.score }), r.comment ? h("span", { class: "quote" }, ` “${r.comment}”`) : null);
}

function earlier(found, t, lang) {
  const cases = (found && found.cases) || [];
  const conversations = ((found && found.conversations) || []).filter((c) => !c.case_number || !cases.some((k) => k.number === c.case_number));
  if (!cases.length && !conversations.length) return t("none");
  return h("ul", { class: "earlier" },
    ...cases.map((k) => h("li", {}, h("b", {}, k.number), ` · ${t(k.status)} · ${when(k.created_at, lang)}`, h("br"), h("span", { class: "quote", lang: k.language || null }, k.question || ""))),
    ...conversations.map((c) => h("li", {}, when(c.started_at, lang), c.case_number ? ` · ${c.case_number}` : "", h("br"), h("span", { class: "quote" }, c.first_question || "–"))));
}
