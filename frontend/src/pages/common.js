// On every page: the unread-notifications count in the header (hidden while the endpoint does not exist).
import { api } from "../lib/api.js";

async function loadNotifications() {
  const link = document.getElementById("notifications");
  if (!link) return;
  try {
    const body = await api("notifications?unread=true");
    const unread = typeof body?.unread === "number" ? body.unread : (body?.items || []).length;
    document.getElementById("notifications-count").textContent = String(unread);
    link.setAttribute("aria-label", `${unread} thông báo chưa đọc`);
    link.hidden = false;
  } catch {
    link.hidden = true; // 404 until notifications exist, or not logged in
  }
}

loadNotifications();
