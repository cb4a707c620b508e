/*! Samsvar agent console: small DOM helpers. MIT licence. No build step. */

/** Build an element: h("p", {class: "x", onclick: fn}, "text", child). No innerHTML anywhere. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** The element with this id (the shell in index.html names every part it fills). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/** Replace the text of a polite live region so screen readers hear it even when it repeats. */
export function announce(region, text) {
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 60);
}

/** A URL that is safe to put in href: http or https only. */
export function safeUrl(value) {
  if (!value) return null; // no page (a case from e-mail, phone or the desk)
  try {
    const url = new URL(value, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}
