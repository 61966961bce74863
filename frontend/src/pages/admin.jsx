// Quản trị: accounts, units (with their validity dates), organisations and the working calendar (lib/calendar.jsx).
import { useMemo, useState } from "react";
import { api } from "../lib/api.js";
import { fmtDate } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { WorkingCalendar } from "../lib/calendar.jsx";
import { Organisations } from "../lib/organisations.jsx";
import { ErrorBox, Feedback, Loading, mount, useAction } from "../lib/ui.jsx";

const ROLES = {
  admin: "Quản trị viên",
  leader: "Chủ tịch / Phó Chủ tịch UBND",
  head: "Trưởng / Phó Trưởng phòng",
  staff: "Chuyên viên",
  clerk: "Văn thư",
  coordinator: "Cán bộ đầu mối CCHC",
  appraiser: "Thành viên Hội đồng thẩm định",
  province: "Sở Nội vụ (cấp tỉnh)",
};
const UNIT_KINDS = { ubnd: "UBND", cqcm: "Cơ quan chuyên môn", su_nghiep: "Đơn vị sự nghiệp", ubnd_xa: "UBND cấp xã", external: "Đơn vị ngoài" };

function Users({ units }) {
  const users = useApi("users");
  const [state, run] = useAction();
  const [form, setForm] = useState({ username: "", full_name: "", password: "", unit_code: "", roles: ["staff"] });
  const unitName = useMemo(() => Object.fromEntries(units.map((u) => [u.code, u.name])), [units]);
  const create = async (e) => {
    e.preventDefault();
    const body = { ...form, unit_code: form.unit_code || null };
    if (await run(() => api("users", { method: "POST", json: body }), `Đã tạo tài khoản ${form.username}.`)) {
      setForm({ username: "", full_name: "", password: "", unit_code: "", roles: ["staff"] });
      users.reload();
    }
  };
  const toggle = async (u) => {
    const ok = await run(() => api(`users/${u.username}`, { method: "PATCH", json: { active: !u.active } }), u.active ? `Đã khóa tài khoản ${u.username}.` : `Đã mở khóa tài khoản ${u.username}.`);
    if (ok) users.reload();
  };
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Người dùng</h2>
      <Feedback state={state} />
      {!users.data ? (
        <Loading what="người dùng" />
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Tên đăng nhập</th>
                <th scope="col">Họ tên</th>
                <th scope="col">Đơn vị</th>
                <th scope="col">Vai trò</th>
                <th scope="col">Trạng thái</th>
                <th scope="col">Thao tác</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.username}>
                  <td data-label="Tên đăng nhập">{u.username}</td>
                  <td data-label="Họ tên">{u.full_name}</td>
                  <td data-label="Đơn vị">{unitName[u.unit_code] || u.unit_name || u.unit_code || "—"}</td>
                  <td data-label="Vai trò">{(u.role_names || u.roles).join(", ")}</td>
                  <td data-label="Trạng thái">{u.active ? "Đang hoạt động" : "Đã khóa"}</td>
                  <td data-label="Thao tác">
                    <button type="button" className="btn" onClick={() => toggle(u)} disabled={state.busy}>
                      {u.active ? "Khóa" : "Mở khóa"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Thêm tài khoản</h3>
      <form onSubmit={create} className="grid grid-3">
        <div className="field">
          <label htmlFor="u-username">Tên đăng nhập</label>
          <input id="u-username" required value={form.username} onChange={set("username")} pattern="[a-z0-9._\-]{2,100}" />
        </div>
        <div className="field">
          <label htmlFor="u-name">Họ tên</label>
          <input id="u-name" required value={form.full_name} onChange={set("full_name")} />
        </div>
        <div className="field">
          <label htmlFor="u-password">Mật khẩu</label>
          <input id="u-password" type="password" required minLength={4} value={form.password} onChange={set("password")} autoComplete="new-password" />
        </div>
        <div className="field">
          <label htmlFor="u-unit">Đơn vị</label>
          <select id="u-unit" value={form.unit_code} onChange={set("unit_code")}>
            <option value="">Không thuộc đơn vị</option>
            {units.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field">
          <legend className="label">Vai trò</legend>
          {Object.entries(ROLES).map(([code, name]) => (
            <label key={code} style={{ fontWeight: 400 }}>
              <input
                type="checkbox"
                checked={form.roles.includes(code)}
                onChange={(e) => setForm({ ...form, roles: e.target.checked ? [...form.roles, code] : form.roles.filter((r) => r !== code) })}
              />{" "}
              {name}
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit" className="btn btn-primary" disabled={state.busy}>
            Thêm tài khoản
          </button>
        </div>
      </form>
    </section>
  );
}

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

function Admin() {
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
        {tab === "users" && <Users units={units.data} />}
        {tab === "units" && <Units units={units.data} reload={units.reload} />}
        {tab === "organisations" && <Organisations reloadUnits={units.reload} />}
        {tab === "calendar" && <WorkingCalendar mayShare />}
      </div>
    </>
  );
}

mount(Admin);
