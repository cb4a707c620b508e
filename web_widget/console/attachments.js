/*! Samsvar agent console: the files of an e-mail case's mails — name, type and size, a download
 * link for each kept file, and the ones left out (too large) marked so the agent knows something
 * is missing. MIT licence. */

import { h } from "./dom.js";

const TEXTS = {
  nb: { heading: "Vedlegg", skipped: "ikke tatt vare på (for stort)" },
  nn: { heading: "Vedlegg", skipped: "ikkje teke vare på (for stort)" },
  sv: { heading: "Bilagor", skipped: "inte sparad (för stor)" },
  da: { heading: "Vedhæftede filer", skipped: "ikke gemt (for stor)" },
  fi: { heading: "Liitteet", skipped: "ei tallennettu (liian suuri)" },
  en: { heading: "Attachments", skipped: "not kept (too large)" },
};

function say(lang, key) {
  return (TEXTS[lang] || TEXTS.en)[key];
}

function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

/** A context row [term, value] for the case's attachments, or null when it has none. */
export function attachmentsRow(c, lang) {
  const files = c.attachments || [];
  if (!files.length) return null;
  const items = files.map((file) => {
    const label = `${file.name} (${file.content_type}, ${size(file.size)})`;
    if (file.skipped) return h("li", { class: "attachment-skipped" }, `${label} — ${say(lang, "skipped")}`);
    const href = `/api/v1/agent/cases/${encodeURIComponent(c.id)}/attachments/${encodeURIComponent(file.id)}`;
    return h("li", {}, h("a", { href, download: file.name }, label));
  });
  return [say(lang, "heading"), h("ul", { class: "attachments" }, ...items)];
}
