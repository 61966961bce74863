// Quản trị: accounts, units (with their validity dates), organisations and the working calendar.
import { useState } from "react";
import { api } from "../lib/api.js";
import { fmtDate, fmtDateTime } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { Organisations } from "../lib/organisations.jsx";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import { Feedback, useAction } from "../lib/admin-ui.jsx";
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

function Calendar() {
  const [year, setYear] = useState(new Date().getFullYear());
  const overrides = useApi(`calendar/overrides?year=${year}`, { optional: true });
  const [state, run] = useAction();
  const [form, setForm] = useState({ day: "", working: "false", reason: "" });
  const [calc, setCalc] = useState({ start: "", n: "5" });
  const [due, setDue] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    const body = { day: form.day, working: form.working === "true", reason: form.reason || null };
    if (await run(() => api("calendar/overrides", { method: "POST", json: body }), `Đã lưu ngày ${fmtDate(form.day)}.`)) {
      setForm({ day: "", working: "false", reason: "" });
      overrides.reload();
    }
  };
  const remove = async (day) => {
    if (await run(() => api(`calendar/overrides/${day}`, { method: "DELETE" }), `Đã xóa ngày ${fmtDate(day)}.`)) overrides.reload();
  };
  const compute = async (e) => {
    e.preventDefault();
    await run(async () => setDue(await api(`calendar/due-date?start=${calc.start}&working_days=${calc.n}`)), null);
  };
  if (overrides.missing) return <p className="card muted">Chức năng lịch làm việc chưa sẵn sàng.</p>;
  return (
    <section className="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">Lịch làm việc</h2>
      <p className="muted">Ngày nghỉ lễ theo quy định được tính sẵn; ở đây khai báo ngày nghỉ bổ sung và ngày làm bù.</p>
      <Feedback state={state} />
      <div className="toolbar">
        <div className="field">
          <label htmlFor="c-year">Năm</label>
          <input id="c-year" type="number" min="2000" max="2100" value={year} onChange={(e) => setYear(e.target.value)} style={{ width: "7rem" }} />
        </div>
      </div>
      {!overrides.data ? (
        <Loading what="lịch" />
      ) : overrides.data.length === 0 ? (
        <p className="muted">Năm {year} chưa có ngày điều chỉnh.</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="overrides">
            <thead>
              <tr>
                <th scope="col">Ngày</th>
                <th scope="col">Loại</th>
                <th scope="col">Lý do</th>
                <th scope="col">Người khai báo</th>
                <th scope="col">Thao tác</th>
              </tr>
            </thead>
            <tbody>
              {overrides.data.map((o) => (
                <tr key={o.day}>
                  <td data-label="Ngày">{fmtDate(o.day)}</td>
                  <td data-label="Loại">{o.working ? "Ngày làm bù" : "Ngày nghỉ"}</td>
                  <td data-label="Lý do">{o.reason || "—"}</td>
                  <td data-label="Người khai báo">
                    {o.created_by || "—"} {o.created_at ? `(${fmtDateTime(o.created_at)})` : ""}
                  </td>
                  <td data-label="Thao tác">
                    <button type="button" className="btn" onClick={() => remove(o.day)} disabled={state.busy}>
                      Xóa
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Thêm ngày điều chỉnh</h3>
      <form onSubmit={add} className="toolbar">
        <div className="field">
          <label htmlFor="o-day">Ngày</label>
          <input id="o-day" type="date" required value={form.day} onChange={(e) => setForm({ ...form, day: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="o-kind">Loại</label>
          <select id="o-kind" value={form.working} onChange={(e) => setForm({ ...form, working: e.target.value })}>
            <option value="false">Ngày nghỉ</option>
            <option value="true">Ngày làm bù</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="o-reason">Lý do</label>
          <input id="o-reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={state.busy}>
          Lưu ngày
        </button>
      </form>
      <h3>Tính hạn xử lý</h3>
      <form onSubmit={compute} className="toolbar">
        <div className="field">
          <label htmlFor="d-start">Từ ngày</label>
          <input id="d-start" type="date" required value={calc.start} onChange={(e) => setCalc({ ...calc, start: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="d-n">Số ngày làm việc</label>
          <input id="d-n" type="number" min="-1000" max="1000" required value={calc.n} onChange={(e) => setCalc({ ...calc, n: e.target.value })} style={{ width: "7rem" }} />
        </div>
        <button type="submit" className="btn">
          Tính
        </button>
      </form>
      {due && (
        <div data-testid="due-date">
          <p>
            Hạn xử lý: <strong>{fmtDate(due.due_date)}</strong> ({due.calendar_days} ngày theo lịch).
          </p>
          {(due.days_off || []).length > 0 && (
            <ul>
              {due.days_off.map((d) => (
                <li key={d.date}>
                  {fmtDate(d.date)}: {d.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
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
        {tab === "calendar" && <Calendar />}
      </div>
    </>
  );
}

mount(Admin);
