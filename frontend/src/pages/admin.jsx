// Quản trị: accounts, units (with their validity dates), organisations and the working calendar (lib/calendar.jsx).
import { useState } from "react";
import { api } from "../lib/api.js";
import { fmtDate } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { WorkingCalendar } from "../lib/calendar.jsx";
import { Organisations } from "../lib/organisations.jsx";
import { ErrorBox, Feedback, Loading, mount, useAction } from "../lib/ui.jsx";
import { Users } from "../lib/users-admin.jsx";

const UNIT_KINDS = { ubnd: "UBND", cqcm: "Cơ quan chuyên môn", su_nghiep: "Đơn vị sự nghiệp", ubnd_xa: "UBND cấp xã", external: "Đơn vị ngoài" };

function Units({ units, reload }) {
  const [state, run] = useAction();
  const [form, setForm] = useState({ code: "", name: "", kind: "cqcm", parent_code: "UBND", valid_from: "" });
  const [closing, setClosing] = useState({});
  const create = async (e) => {
    e.preventDefault();
    const body = { ...form, parent_code: form.parent_code || null, valid_from: form.valid_from || null };
    if (await run(() => api("units", { method: "POST", json: body }), `Đã thêm đơn vị ${form.name}.`)) {
      setForm({ code: "", name: "", kind: "cqcm", parent_code: "UBND", valid_from: "" });
      reload();
    }
  };
  const close = async (u) => {
    const day = closing[u.code];
    if (!day) return;
    if (await run(() => api(`units/${u.code}`, { method: "PATCH", json: { valid_to: day } }), `Đơn vị ${u.name} có hiệu lực đến ${fmtDate(day)}.`)) reload();
  };
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  return (
    <section className="card" aria-labelledby="units-title">
      <h2 id="units-title">Đơn vị</h2>
      <Feedback state={state} />
      <div className="table-wrap">
        <table className="responsive" data-testid="units">
          <thead>
            <tr>
              <th scope="col">Mã</th>
              <th scope="col">Tên đơn vị</th>
              <th scope="col">Loại</th>
              <th scope="col">Trực thuộc</th>
              <th scope="col">Hiệu lực từ</th>
              <th scope="col">Hiệu lực đến</th>
              <th scope="col">Kết thúc hiệu lực</th>
            </tr>
          </thead>
          <tbody>
            {units.map((u) => (
              <tr key={u.code} data-unit={u.code}>
                <td data-label="Mã">{u.code}</td>
                <td data-label="Tên đơn vị">{u.name}</td>
                <td data-label="Loại">{UNIT_KINDS[u.kind] || u.kind}</td>
                <td data-label="Trực thuộc">{u.parent_code || "—"}</td>
                <td data-label="Hiệu lực từ">{u.valid_from ? fmtDate(u.valid_from) : "—"}</td>
                <td data-label="Hiệu lực đến">{u.valid_to ? fmtDate(u.valid_to) : "—"}</td>
                <td data-label="Kết thúc hiệu lực">
                  <label className="sr-only" htmlFor={`close-${u.code}`}>
                    Ngày kết thúc hiệu lực của {u.name}
                  </label>
                  <input id={`close-${u.code}`} type="date" value={closing[u.code] || ""} onChange={(e) => setClosing({ ...closing, [u.code]: e.target.value })} />{" "}
                  <button type="button" className="btn" onClick={() => close(u)} disabled={!closing[u.code] || state.busy}>
                    Lưu
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Thêm đơn vị</h3>
      <form onSubmit={create} className="grid grid-3">
        <div className="field">
          <label htmlFor="n-code">Mã đơn vị</label>
          <input id="n-code" required pattern="[A-Z0-9_]{1,50}" value={form.code} onChange={set("code")} />
        </div>
        <div className="field">
          <label htmlFor="n-name">Tên đơn vị</label>
          <input id="n-name" required value={form.name} onChange={set("name")} />
        </div>
        <div className="field">
          <label htmlFor="n-kind">Loại đơn vị</label>
          <select id="n-kind" value={form.kind} onChange={set("kind")}>
            {Object.entries(UNIT_KINDS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="n-parent">Trực thuộc</label>
          <select id="n-parent" value={form.parent_code} onChange={set("parent_code")}>
            <option value="">Không</option>
            {units.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="n-from">Hiệu lực từ ngày</label>
          <input id="n-from" type="date" value={form.valid_from} onChange={set("valid_from")} />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={state.busy}>
            Thêm đơn vị
          </button>
        </div>
      </form>
    </section>
  );
}

const TABS = [
  ["users", "Người dùng"],
  ["units", "Đơn vị"],
  ["organisations", "Tổ chức"],
  ["calendar", "Lịch làm việc"],
];

function Admin({ user }) {
  const units = useApi("units");
  const initial = TABS.some(([k]) => k === window.location.hash.slice(1)) ? window.location.hash.slice(1) : "users";
  const [tab, setTab] = useState(initial);
  const choose = (key) => {
    setTab(key);
    window.history.replaceState(null, "", `#${key}`);
  };
  const onKey = (e) => {
    const i = TABS.findIndex(([k]) => k === tab);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = TABS[(i + step + TABS.length) % TABS.length][0];
    choose(next);
    document.getElementById(`tab-${next}`).focus();
  };
  if (units.error) return <ErrorBox error={units.error} />;
  if (!units.data) return <Loading what="đơn vị" />;
  return (
    <>
      <div role="tablist" aria-label="Các mục quản trị" className="toolbar tabs" onKeyDown={onKey}>
        {TABS.map(([key, label]) => (
          <button
            key={key}
            id={`tab-${key}`}
            type="button"
            role="tab"
            className={`btn${tab === key ? " btn-primary" : ""}`}
            aria-selected={tab === key}
            aria-controls={`panel-${key}`}
            tabIndex={tab === key ? 0 : -1}
            onClick={() => choose(key)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "users" && <Users units={units.data} me={user && user.username} />}
        {tab === "units" && <Units units={units.data} reload={units.reload} />}
        {tab === "organisations" && <Organisations reloadUnits={units.reload} />}
        {tab === "calendar" && <WorkingCalendar mayShare />}
      </div>
    </>
  );
}

mount(Admin);
