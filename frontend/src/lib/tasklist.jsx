// The list of steps shared by "Việc cần làm" (scope mine) and "Việc của đơn vị" (scope unit): search, filters,
// sort and pages on the server; each row shows its hồ sơ's title with the step, the deadlines and who holds it.
import { useState } from "react";
import { api } from "./api.js";
import { DEADLINE_STATES, fmtDate } from "./format.js";
import { useApi } from "./hooks.js";
import { Pager, pagePath, SearchBox, SortSelect, TASK_SORTS, totalText, usePage, useUrlState } from "./lists.jsx";
import { DueCell, ErrorBox, FilterSelect, Loading, ProcessUnitFilters } from "./ui.jsx";

const STATES = ["overdue", "due_soon", "on_track"];
const DEFAULTS = { q: "", page: "1", sort: "", process_key: "", unit: "", state: "", held: "", activity_overdue: "" };

function stateParams(state) {
  if (state === "overdue") return { overdue: "true" };
  return state ? { deadline_state: state } : {};
}

/** How many steps of the whole list are in each deadline state (one request each, one row long). */
function StateCounts({ base }) {
  const overdue = usePage(pagePath("tasks", { ...base, ...stateParams("overdue") }, 1, 1));
  const dueSoon = usePage(pagePath("tasks", { ...base, ...stateParams("due_soon") }, 1, 1));
  const onTrack = usePage(pagePath("tasks", { ...base, ...stateParams("on_track") }, 1, 1));
  const counts = [
    ["overdue", overdue],
    ["due_soon", dueSoon],
    ["on_track", onTrack],
  ];
  return (
    <ul className="counts" aria-label="Số công việc theo hạn xử lý">
      {counts.map(([s, c]) => (
        <li key={s} className={`state-${s}`} data-testid={`count-${s}`}>
          {DEADLINE_STATES[s]}: {c.rows ? totalText(c) : "…"}
        </li>
      ))}
    </ul>
  );
}

/** Giao việc: pick one of the users who may act on the step, then assign it (the assignee is notified). */
function AssignControl({ task, onDone }) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const people = useApi(open ? `tasks/${task.id}/candidates` : null);
  if (!open) {
    return (
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        {task.assignee ? "Giao lại" : "Giao việc"}
      </button>
    );
  }
  const options = (people.data || []).filter((p) => p.username !== task.assignee);
  const assign = async () => {
    if (!choice) return;
    setBusy(true);
    setError(null);
    try {
      await api(`tasks/${task.id}/assign`, { method: "POST", json: { username: choice } });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const id = `assign-${task.id}`;
  return (
    <div className="assign" data-testid={`assign-${task.id}`}>
      <label htmlFor={id} className="sr-only">
        Giao bước «{task.name}» cho
      </label>
      <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)} disabled={busy || !people.data}>
        <option value="">{people.data ? (options.length ? "— Chọn người xử lý —" : "Không có người phù hợp") : "Đang tải…"}</option>
        {options.map((p) => (
          <option key={p.username} value={p.username}>
            {p.full_name}
          </option>
        ))}
      </select>{" "}
      <button type="button" className="btn btn-primary btn-small" onClick={assign} disabled={busy || !choice}>
        Giao
      </button>{" "}
      <button type="button" className="btn btn-link" onClick={() => setOpen(false)}>
        Hủy
      </button>
      <ErrorBox error={error || people.error} />
    </div>
  );
}

export function TaskList({ user, scope, noun = "công việc", empty = "Không có công việc nào cần xử lý.", unitFilter = true }) {
  const [s, set] = useUrlState(DEFAULTS);
  const definitions = useApi("process-definitions");
  const units = useApi(unitFilter ? "units" : null);
  const base = {
    scope: scope === "unit" ? "unit" : undefined,
    q: s.q,
    process_key: s.process_key,
    unit: s.unit,
    assigned: s.held === "mine" || s.held === "taken" ? "true" : s.held === "queue" ? "false" : undefined,
    activity_overdue: s.activity_overdue ? "true" : undefined,
  };
  const list = usePage(pagePath("tasks", { ...base, ...stateParams(s.state), sort: s.sort }, s.page));
  const holder = (t) =>
    t.assignee ? t.assignee === user.username ? "Tôi" : <span title={t.assignee}>{t.assignee_name || t.assignee}</span> : <em>Chưa nhận</em>;

  return (
    <>
      <StateCounts base={base} />
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Lọc công việc" role="search">
        <SearchBox
          value={s.q}
          onSearch={(q) => set({ q })}
          label="Tìm kiếm"
          placeholder="Tên hồ sơ, mã hoạt động, đơn vị, quy trình"
        />
        {unitFilter ? (
          <ProcessUnitFilters
            definitions={definitions.data}
            units={units.data}
            processKey={s.process_key}
            setProcessKey={(process_key) => set({ process_key })}
            unit={s.unit}
            setUnit={(unit) => set({ unit })}
          />
        ) : (
          <FilterSelect
            id="f-process"
            label="Quy trình"
            value={s.process_key}
            onChange={(process_key) => set({ process_key })}
            options={(definitions.data || []).map((d) => [d.key, d.name || d.key])}
          />
        )}
        <FilterSelect
          id="f-state"
          label="Hạn xử lý"
          value={s.state}
          onChange={(state) => set({ state })}
          options={STATES.map((k) => [k, DEADLINE_STATES[k]])}
        />
        <FilterSelect
          id="f-mine"
          label="Người xử lý"
          value={s.held}
          onChange={(held) => set({ held })}
          options={scope === "unit" ? [["taken", "Đã có người nhận"], ["queue", "Chưa nhận"]] : [["mine", "Việc của tôi"], ["queue", "Chưa có người nhận"]]}
        />
        <div className="field field-check">
          <input
            id="f-activity-overdue"
            type="checkbox"
            checked={!!s.activity_overdue}
            onChange={(e) => set({ activity_overdue: e.target.checked ? "1" : "" })}
          />
          <label htmlFor="f-activity-overdue">Chỉ hoạt động quá hạn</label>
        </div>
        <SortSelect value={s.sort} onChange={(sort) => set({ sort })} options={TASK_SORTS} />
      </form>
      <ErrorBox error={list.error} />
      {list.loading && !list.rows ? (
        <Loading what={noun} />
      ) : !list.rows || list.rows.length === 0 ? (
        <p className="card" data-testid="inbox-empty">
          {s.q ? `Không tìm thấy ${noun} nào phù hợp với «${s.q}».` : empty}
        </p>
      ) : (
        <>
          <Pager total={list.total} more={list.more} hasNext={list.hasNext} page={s.page} onPage={(page) => set({ page })} noun={noun} />
          <div className="table-wrap">
            <table className="responsive" data-testid="inbox-table" aria-busy={list.loading}>
              <caption className="sr-only">Danh sách {noun}</caption>
              <thead>
                <tr>
                  <th scope="col">Hồ sơ · Bước xử lý</th>
                  <th scope="col">Quy trình</th>
                  <th scope="col">Đơn vị</th>
                  <th scope="col">Người xử lý</th>
                  <th scope="col">Hạn xử lý bước</th>
                  <th scope="col">Hạn hoàn thành hoạt động</th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((t) => (
                  <tr key={t.id} className={t.activity_overdue ? "row-activity-overdue" : undefined} data-task-id={t.id}>
                    <td data-label="Hồ sơ · Bước xử lý">
                      <a className="row-title" href={`/instances/${t.instance_id}`}>
                        {t.instance_title || `Hồ sơ số ${t.instance_id}`}
                      </a>
                      <div className="row-step">
                        Bước: <a href={`/tasks/${t.id}`}>{t.name}</a>
                      </div>
                    </td>
                    <td data-label="Quy trình">{t.process_name || t.process_key}</td>
                    <td data-label="Đơn vị">{t.unit_name || t.unit_code || "—"}</td>
                    <td data-label="Người xử lý" data-testid="holder">
                      <div>{holder(t)}</div>
                      {scope === "unit" && t.may_assign && <AssignControl task={t} onDone={list.reload} />}
                    </td>
                    <td data-label="Hạn xử lý bước">
                      <DueCell task={t} />
                    </td>
                    <td data-label="Hạn hoàn thành hoạt động">
                      {t.activity_due_at ? fmtDate(t.activity_due_at) : "—"}{" "}
                      {t.activity_overdue && (
                        <span className="chip state-overdue" data-testid="activity-overdue">
                          Hoạt động quá hạn
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
