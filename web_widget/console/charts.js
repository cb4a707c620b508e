/*! Samsvar dashboard: small inline SVG charts drawn by our own code (no library, no CDN). MIT licence.
 * Each chart is an <svg role="img"> with a <title> and a <desc> that says what it shows in words,
 * so a screen reader gets the figures too. */

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
}

function frame(width, height, title, description) {
  const id = `c${Math.random().toString(36).slice(2, 9)}`;
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-labelledby": `${id}-t ${id}-d`,
    class: "chart",
    preserveAspectRatio: "xMinYMin meet",
  });
  root.append(svg("title", { id: `${id}-t` }, title), svg("desc", { id: `${id}-d` }, description));
  return root;
}

/** Vertical bars: [{label, value}], every `labelEvery`-th label written under its bar. */
export function columnChart(rows, { title, describe, height = 160, labelEvery = 1, format = String }) {
  const width = Math.max(320, rows.length * 22 + 40);
  const top = Math.max(1, ...rows.map((r) => r.value));
  const base = height - 24;
  const step = (width - 40) / Math.max(rows.length, 1);
  const root = frame(width, height, title, describe(rows));
  root.append(svg("line", { x1: 36, x2: width, y1: base + 0.5, y2: base + 0.5, class: "axis" }));
  root.append(svg("text", { x: 32, y: 12, "text-anchor": "end", class: "tick" }, format(top)));
  root.append(svg("text", { x: 32, y: base, "text-anchor": "end", class: "tick" }, "0"));
  rows.forEach((row, i) => {
    const h = Math.round(((base - 8) * row.value) / top);
    const x = 40 + i * step;
    const bar = svg("rect", { x: x + 2, y: base - h, width: Math.max(2, step - 4), height: h, class: "bar" });
    bar.append(svg("title", {}, `${row.label}: ${format(row.value)}`));
    root.append(bar);
    if (i % labelEvery === 0) root.append(svg("text", { x: x + step / 2, y: height - 8, "text-anchor": "middle", class: "tick" }, row.shortLabel ?? row.label));
  });
  return root;
}

/** Horizontal bars with their labels and values: [{label, value}]. */
export function barList(rows, { title, describe, format = String }) {
  const width = 420;
  const line = 22;
  const height = Math.max(line, rows.length * line) + 4;
  const top = Math.max(1, ...rows.map((r) => r.value));
  const root = frame(width, height, title, describe(rows));
  rows.forEach((row, i) => {
    const y = i * line + 2;
    const w = Math.round((200 * row.value) / top);
    root.append(svg("text", { x: 150, y: y + 15, "text-anchor": "end", class: "label" }, truncate(row.label, 24)));
    root.append(svg("rect", { x: 156, y: y + 4, width: Math.max(w, row.value ? 2 : 0), height: 14, class: "bar" }));
    root.append(svg("text", { x: 162 + w, y: y + 15, class: "value" }, format(row.value)));
  });
  return root;
}

/** One bar split into parts: [{label, value, kind}] (kind picks the colour class). */
export function shareBar(parts, { title, describe }) {
  const width = 420;
  const total = parts.reduce((sum, p) => sum + p.value, 0) || 1;
  const root = frame(width, 30, title, describe(parts));
  let x = 0;
  for (const part of parts) {
    const w = (width * part.value) / total;
    const rect = svg("rect", { x, y: 4, width: w, height: 22, class: `part part-${part.kind}` });
    rect.append(svg("title", {}, `${part.label}: ${part.value}`));
    root.append(rect);
    x += w;
  }
  return root;
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
