// The unread-notifications badge of the header. It is read when the page opens, polled every minute while the
// tab is visible (a hidden tab does not poll; visibilitychange reads it again when the tab comes back), set at
// once by this page's actions and by other tabs (BroadcastChannel "cchc-unread": "mark all read" in one tab
// clears the badge in every tab).
import { api } from "./api.js";

const POLL_MS = 60_000;
const EVENT = "cchc:unread";
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("cchc-unread") : null;

/** Show ``unread``; ``notify``: tell this page's listeners (onUnreadChange) when the count changed. */
function show(unread, notify) {
  const link = document.getElementById("notifications");
  const badge = document.getElementById("notifications-count");
  if (!link || !badge) return;
  const before = link.hidden ? null : Number(badge.textContent);
  badge.textContent = String(unread);
  link.setAttribute("aria-label", `${unread} thông báo chưa đọc`);
  link.hidden = false;
  if (notify && before !== null && before !== unread) window.dispatchEvent(new CustomEvent(EVENT, { detail: { unread } }));
}

/** This page changed the count (read one, read all): show it and tell the other tabs. */
export function publishUnread(unread) {
  show(unread, false);
  if (channel) channel.postMessage({ unread });
}

/** Ask the server for the count; ``broadcast``: after an action of this page, tell the other tabs too. */
export async function refreshUnread({ broadcast = false } = {}) {
  try {
    const body = await api("notifications?unread=true&limit=1", { background: true });
    if (typeof body?.unread !== "number") return;
    if (broadcast) publishUnread(body.unread);
    else show(body.unread, true);
  } catch {
    const link = document.getElementById("notifications");
    if (link) link.hidden = true; // logged out, or notifications unavailable
  }
}

/** Call ``listener(unread)`` when the count changes from elsewhere (another tab, a poll); returns the unsubscribe. */
export function onUnreadChange(listener) {
  const handler = (e) => listener(e.detail.unread);
  window.addEventListener(EVENT, handler);
  return () => window.removeEventListener(EVENT, handler);
}

/** Start the badge on a page (common.js). */
export function startUnreadBadge() {
  if (!document.getElementById("notifications")) return;
  refreshUnread();
  setInterval(() => document.visibilityState === "visible" && refreshUnread(), POLL_MS);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refreshUnread());
  if (channel) channel.onmessage = (e) => typeof e.data?.unread === "number" && show(e.data.unread, true);
}
