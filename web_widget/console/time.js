/*! Samsvar agent console: times and durations. MIT licence. */

/** Milliseconds to add to Date.now() to get the server's clock (set from each response). */
let skew = 0;

/** Learn the server's clock from an ISO time it sent "now" (the HTTP Date header is too coarse). */
export function syncClock(serverNowIso) {
  const server = Date.parse(serverNowIso);
  if (!Number.isNaN(server)) skew = server - Date.now();
}

export function now() {
  return Date.now() + skew;
}

/** Seconds since an ISO time, never negative. */
export function secondsSince(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((now() - at) / 1000));
}

/** A waiting time as a clock: 0:07, 4:05, 1:02:09. */
export function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The same as ISO 8601 for <time datetime>: PT1H2M9S. */
export function isoDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${seconds % 60}S`;
}

/** A waiting time in words for screen readers ("4 minutes"), rounded to what matters. */
export function spoken(seconds, lang) {
  const unit = seconds < 60 ? "second" : seconds < 3600 ? "minute" : "hour";
  const value = unit === "second" ? seconds : unit === "minute" ? Math.floor(seconds / 60) : Math.floor(seconds / 3600);
  try {
    return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(value);
  } catch {
    return clock(seconds);
  }
}

/** A date and time in the agent's language and time zone. */
export function when(iso, lang) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(at);
  } catch {
    return at.toISOString();
  }
}

/** Only the time of day (for messages of today). */
export function timeOfDay(iso, lang) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(lang, { timeStyle: "short" }).format(at);
  } catch {
    return at.toISOString().slice(11, 16);
  }
}
