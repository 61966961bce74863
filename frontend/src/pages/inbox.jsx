// Việc cần làm: my steps and my unit's unclaimed steps, coloured by deadline state, filtered and sorted.
import { useEffect, useMemo, useState } from "react";
import { api, query } from "../lib/api.js";
import { DEADLINE_STATES, deadlineState, fmtDateTime, toDate } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { onUnreadChange, publishUnread, refreshUnread } from "../lib/unread.js";
import { DueCell, ErrorBox, Loading, mount, ProcessUnitFilters } from "../lib/ui.jsx";

const STATE_ORDER = ["overdue", "due_soon", "on_track", "none"];

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
  const [processKey, setProcessKey] = useState("");
  const [unit, setUnit] = useState("");
  const [state, setState] = useState("");
  const [mine, setMine] = useState("");
  const [sortAsc, setSortAsc] = useState(true);
  const tasks = useApi(`tasks${query({ process_key: processKey, unit })}`);
  const definitions = useApi("process-definitions");
  const units = useApi("units");
  const processName = useMemo(() => {
    const names = {};
    for (const d of definitions.data || []) names[d.key] = d.name || d.key;
    return names;
  }, [definitions.data]);
  const unitName = useMemo(() => {
    const names = {};
    for (const u of units.data || []) names[u.code] = u.short_name || u.name;
    return names;
  }, [units.data]);

  const rows = useMemo(() => {
    const all = (tasks.data || []).map((t) => ({ ...t, state: deadlineState(t) }));
    return all;
  }, [tasks.data]);
  const counts = useMemo(() => {
    const c = Object.fromEntries(STATE_ORDER.map((s) => [s, 0]));
    for (const r of rows) c[r.state] = (c[r.state] || 0) + 1;
    return c;
  }, [rows]);
  const shown = useMemo(() => {
    const list = rows.filter(
      (r) =>
        (!state || r.state === state) &&
        (!mine || (mine === "mine" ? r.assignee === user.username : !r.assignee)),
    );
    const key = (r) => (r.due_at ? toDate(r.due_at).getTime() : Number.POSITIVE_INFINITY);
    list.sort((a, b) => (sortAsc ? key(a) - key(b) : key(b) - key(a)) || a.id - b.id);
    return list;
  }, [rows, state, mine, sortAsc, user.username]);

  return (
    <>
      <Notifications />
      <ul className="counts" aria-label="Số công việc theo hạn xử lý">
        {STATE_ORDER.filter((s) => s !== "none" || counts.none > 0).map((s) => (
          <li key={s} className={`state-${s}`} data-testid={`count-${s}`}>
            {DEADLINE_STATES[s]}: {counts[s]}
          </li>
        ))}
      </ul>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Lọc công việc">
        <ProcessUnitFilters
          definitions={definitions.data}
          units={units.data}
          processKey={processKey}
          setProcessKey={setProcessKey}
          unit={unit}
          setUnit={setUnit}
        />
        <div className="field">
          <label htmlFor="f-state">Hạn xử lý</label>
          <select id="f-state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">Tất cả</option>
            {STATE_ORDER.map((s) => (
              <option key={s} value={s}>
                {DEADLINE_STATES[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-mine">Người xử lý</label>
          <select id="f-mine" value={mine} onChange={(e) => setMine(e.target.value)}>
            <option value="">Tất cả</option>
            <option value="mine">Việc của tôi</option>
            <option value="queue">Chưa có người nhận</option>
          </select>
        </div>
        <button type="button" className="btn" onClick={() => setSortAsc((v) => !v)} aria-pressed={!sortAsc}>
          Sắp xếp theo hạn: {sortAsc ? "gần nhất trước" : "xa nhất trước"}
        </button>
      </form>
      <ErrorBox error={tasks.error} />
      {tasks.loading && !tasks.data ? (
        <Loading what="công việc" />
      ) : shown.length === 0 ? (
        <p className="card" data-testid="inbox-empty">
          Không có công việc nào cần xử lý.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="inbox-table">
            <caption className="sr-only">Danh sách công việc cần xử lý, sắp xếp theo hạn xử lý</caption>
            <thead>
              <tr>
                <th scope="col">Công việc</th>
                <th scope="col">Quy trình</th>
                <th scope="col">Hồ sơ</th>
                <th scope="col">Đơn vị</th>
                <th scope="col">Người xử lý</th>
                <th scope="col" aria-sort={sortAsc ? "ascending" : "descending"}>
                  Hạn xử lý
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.id} className={`row-${t.state}`} data-task-id={t.id}>
                  <td data-label="Công việc">
                    <a href={`/tasks/${t.id}`}>{t.name}</a>
                  </td>
                  <td data-label="Quy trình">{processName[t.process_key] || t.process_key}</td>
                  <td data-label="Hồ sơ">
                    <a href={`/instances/${t.instance_id}`}>Hồ sơ số {t.instance_id}</a>
                  </td>
                  <td data-label="Đơn vị">{unitName[t.unit_code] || t.unit_code || "—"}</td>
                  <td data-label="Người xử lý">
                    {t.assignee ? (t.assignee === user.username ? "Tôi" : t.assignee) : <em>Chưa có người nhận</em>}
                  </td>
                  <td data-label="Hạn xử lý">
                    <DueCell task={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

mount(Inbox);
