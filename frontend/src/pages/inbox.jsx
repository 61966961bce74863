// Việc cần làm: my steps and my unit's unclaimed steps, searched, filtered, sorted and paged on the server.
import { useEffect, useState } from "react";
import { api } from "../lib/api.js";
import { fmtDateTime } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { TaskList } from "../lib/tasklist.jsx";
import { onUnreadChange, publishUnread, refreshUnread } from "../lib/unread.js";
import { ErrorBox, mount } from "../lib/ui.jsx";

/** Unread notifications (shown only when the notifications endpoint exists). */
function Notifications() {
  const list = useApi("notifications?unread=true", { optional: true });
  const [error, setError] = useState(null);
  useEffect(() => onUnreadChange(list.reload), [list.reload]); // read in another tab, or a new one arrived
  if (!list.data || !(list.data.items || []).length) return null;
  const read = async (path) => {
    setError(null);
    try {
      const result = await api(path, { method: "POST" });
      list.reload();
      if (typeof result?.unread === "number") publishUnread(result.unread);
      else refreshUnread({ broadcast: true });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" id="thong-bao" aria-labelledby="notif-title" tabIndex={-1}>
      <h2 id="notif-title">Thông báo chưa đọc ({list.data.unread})</h2>
      <ErrorBox error={error} />
      <ul data-testid="notifications">
        {list.data.items.map((n) => (
          <li key={n.id}>
            <strong>{n.title}</strong> — {n.message} <span className="muted">({fmtDateTime(n.created_at)})</span>{" "}
            {n.link && <a href={n.link.replace(/^\/api\/v1/, "")}>Xem</a>}{" "}
            <button type="button" className="btn-link" onClick={() => read(`notifications/${n.id}/read`)}>
              Đánh dấu đã đọc
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="btn" onClick={() => read("notifications/read-all")}>
        Đánh dấu tất cả đã đọc
      </button>
    </section>
  );
}

function Inbox({ user }) {
  return (
    <>
      <Notifications />
      <TaskList user={user} scope="mine" />
    </>
  );
}

mount(Inbox);
