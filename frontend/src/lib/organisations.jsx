// Quản trị › Tổ chức: the organisations (tỉnh, xã/phường, sở…) — list, add, edit — and the import of an
// organisation's units from a CSV, Excel or YAML file: a preview of every row first, then the import itself; its
// Bộ tiêu chí (lib/criteria-sets.jsx).
import { useState } from "react";
import { api } from "./api.js";
import { CriteriaSets } from "./criteria-sets.jsx";
import { fmtDate } from "./format.js";
import { useApi } from "./hooks.js";
import { ErrorBox, Loading } from "./ui.jsx";

export const ORG_KINDS = {
  tinh: "Tỉnh",
  thanh_pho_tw: "Thành phố trực thuộc trung ương",
  huyen: "Huyện",
  thanh_pho: "Thành phố",
  thi_xa: "Thị xã",
  xa: "Xã",
  phuong: "Phường",
  dac_khu: "Đặc khu",
  so: "Sở, ngành",
  other: "Khác",
};
const ACTIONS = { create: "Thêm mới", update: "Cập nhật", unchanged: "Không đổi" };
const EMPTY = {
  code: "",
  name: "",
  kind: "xa",
  parent_code: "",
  issuing_body: "",
  parent_body: "",
  place_name: "",
  valid_from: "",
  valid_to: "",
  successor_code: "",
  aliases: "",
};

function toForm(org) {
  const out = { ...EMPTY };
  for (const key of Object.keys(EMPTY)) out[key] = org[key] == null ? "" : org[key];
  out.aliases = (org.aliases || []).join("; ");
  return out;
}

function toBody(form, creating) {
  const body = {};
  for (const [key, value] of Object.entries(form)) {
    if (key === "code" && !creating) continue;
    if (key === "aliases") body.aliases = value.split(";").map((a) => a.trim()).filter(Boolean);
    else body[key] = value === "" && key !== "name" ? null : value;
  }
  return body;
}

function OrgForm({ initial, creating, organisations, onSaved }) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api(creating ? "organisations" : `organisations/${initial.code}`, {
        method: creating ? "POST" : "PATCH",
        json: toBody(form, creating),
      });
      onSaved(saved, creating ? `Đã thêm tổ chức ${saved.name}.` : `Đã lưu tổ chức ${saved.name}.`);
      if (creating) setForm(EMPTY);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const others = organisations.filter((o) => o.code !== initial.code);
  const id = (k) => `org-${creating ? "new" : initial.code}-${k}`;
  const text = (k, label, extra = {}) => (
    <div className="field">
      <label htmlFor={id(k)}>{label}</label>
      <input id={id(k)} value={form[k]} onChange={set(k)} {...extra} />
    </div>
  );
  const pick = (k, label) => (
    <div className="field">
      <label htmlFor={id(k)}>{label}</label>
      <select id={id(k)} value={form[k]} onChange={set(k)}>
        <option value="">Không</option>
        {others.map((o) => (
          <option key={o.code} value={o.code}>
            {o.name} ({o.code})
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form onSubmit={save} className="grid grid-3" data-testid={creating ? "org-create" : "org-edit"}>
      {creating && text("code", "Mã tổ chức", { required: true, pattern: "[A-Z0-9_]{1,50}", title: "Chữ in hoa không dấu, chữ số hoặc _" })}
      {text("name", "Tên tổ chức", { required: true })}
      <div className="field">
        <label htmlFor={id("kind")}>Loại tổ chức</label>
        <select id={id("kind")} value={form.kind} onChange={set("kind")}>
          {Object.entries(ORG_KINDS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </div>
      {pick("parent_code", "Tổ chức cấp trên")}
      {text("issuing_body", "Tên cơ quan ban hành (trên văn bản)")}
      {text("parent_body", "Tên cơ quan cấp trên (trên văn bản)")}
      {text("place_name", "Địa danh (ghi ngày tháng)")}
      {text("valid_from", "Hiệu lực từ ngày", { type: "date" })}
      {text("valid_to", "Hiệu lực đến ngày", { type: "date" })}
      {pick("successor_code", "Tổ chức kế thừa")}
      {text("aliases", "Tên gọi khác (cách nhau bằng dấu ;)")}
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {creating ? "Thêm tổ chức" : "Lưu thay đổi"}
        </button>
      </div>
      <div className="span-all">
        <ErrorBox error={error} />
      </div>
    </form>
  );
}

function UnitsImport({ org, onImported }) {
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const send = async (dryRun) => {
    const body = new FormData();
    body.append("file", file);
    setBusy(true);
    setError(null);
    try {
      const result = await api(`organisations/${org.code}/units/import${dryRun ? "?dry_run=1" : ""}`, { method: "POST", body });
      if (dryRun) setPreview(result);
      else {
        setPreview(null);
        setFile(null);
        onImported(`Đã nhập đơn vị cho ${org.name}: ${result.created} thêm mới, ${result.updated} cập nhật, ${result.unchanged} không đổi.`);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const errorsOf = (row) => (row.errors || []).map((e) => e.message).join(" ");
  return (
    <div data-testid="units-import">
      <h3>Nhập danh sách đơn vị của {org.name}</h3>
      <p className="muted">
        Tệp CSV, Excel (.xlsx) hoặc YAML; dòng đầu là tên cột: code, name, short_name, kind, parent, aliases (cách nhau bằng dấu ;), valid_from, valid_to,
        successor. Xem trước rồi mới nhập.
      </p>
      <div className="toolbar">
        <label htmlFor={`units-file-${org.code}`}>Tệp danh sách đơn vị</label>
        <input
          id={`units-file-${org.code}`}
          type="file"
          accept=".csv,.xlsx,.yaml,.yml"
          onChange={(e) => {
            setFile(e.target.files[0] || null);
            setPreview(null);
          }}
        />
        <button type="button" className="btn" disabled={!file || busy} onClick={() => send(true)}>
          Xem trước
        </button>
      </div>
      <ErrorBox error={error} />
      {preview && (
        <div data-testid="units-preview">
          <p role="status">
            Xem trước: {preview.created} đơn vị thêm mới, {preview.updated} cập nhật, {preview.unchanged} không đổi
            {preview.errors.length ? `; ${preview.errors.length} lỗi cần sửa trước khi nhập` : ""}.
          </p>
          <div className="table-wrap">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Dòng</th>
                  <th scope="col">Mã</th>
                  <th scope="col">Tên đơn vị</th>
                  <th scope="col">Trực thuộc</th>
                  <th scope="col">Hiệu lực</th>
                  <th scope="col">Thao tác</th>
                  <th scope="col">Lỗi</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={r.row} data-row={r.row} className={r.errors.length ? "row-error" : undefined}>
                    <td data-label="Dòng">{r.row}</td>
                    <td data-label="Mã">{r.code}</td>
                    <td data-label="Tên đơn vị">{r.name}</td>
                    <td data-label="Trực thuộc">{r.parent_code || "—"}</td>
                    <td data-label="Hiệu lực">
                      {r.valid_from ? fmtDate(r.valid_from) : "…"} – {r.valid_to ? fmtDate(r.valid_to) : "…"}
                    </td>
                    <td data-label="Thao tác">{ACTIONS[r.action] || r.action}</td>
                    <td data-label="Lỗi">{errorsOf(r) || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="btn btn-primary" disabled={busy || preview.errors.length > 0} onClick={() => send(false)}>
            Nhập {preview.rows.length} đơn vị
          </button>
        </div>
      )}
    </div>
  );
}

export function Organisations({ reloadUnits }) {
  const orgs = useApi("organisations");
  const [ok, setOk] = useState(null);
  const [open, setOpen] = useState(null);
  if (orgs.error) return <ErrorBox error={orgs.error} />;
  if (!orgs.data) return <Loading what="tổ chức" />;
  const name = Object.fromEntries(orgs.data.map((o) => [o.code, o.name]));
  const done = (message) => {
    setOk(message);
    orgs.reload();
  };
  const current = orgs.data.find((o) => o.code === open);
  return (
    <section className="card" aria-labelledby="orgs-title">
      <h2 id="orgs-title">Tổ chức</h2>
      <div role="status" aria-live="polite">
        {ok && <p className="alert alert-ok">{ok}</p>}
      </div>
      <div className="table-wrap">
        <table className="responsive" data-testid="organisations">
          <thead>
            <tr>
              <th scope="col">Mã</th>
              <th scope="col">Tên tổ chức</th>
              <th scope="col">Loại</th>
              <th scope="col">Cấp trên</th>
              <th scope="col">Hiệu lực</th>
              <th scope="col">Kế thừa</th>
              <th scope="col">Đơn vị</th>
              <th scope="col">Kế hoạch</th>
              <th scope="col">Thao tác</th>
            </tr>
          </thead>
          <tbody>
            {orgs.data.map((o) => (
              <tr key={o.code} data-org={o.code}>
                <td data-label="Mã">{o.code}</td>
                <td data-label="Tên tổ chức">{o.name}</td>
                <td data-label="Loại">{o.kind_label}</td>
                <td data-label="Cấp trên">{o.parent_code ? name[o.parent_code] || o.parent_code : "—"}</td>
                <td data-label="Hiệu lực">
                  {o.valid_from ? fmtDate(o.valid_from) : "…"} – {o.valid_to ? fmtDate(o.valid_to) : "…"}
                </td>
                <td data-label="Kế thừa">{o.successor_code ? name[o.successor_code] || o.successor_code : "—"}</td>
                <td data-label="Đơn vị">{o.unit_count}</td>
                <td data-label="Kế hoạch">{o.plan_count}</td>
                <td data-label="Thao tác">
                  <button type="button" className="btn" aria-expanded={open === o.code} onClick={() => setOpen(open === o.code ? null : o.code)}>
                    {open === o.code ? "Đóng" : `Sửa, nhập đơn vị, bộ tiêu chí`}
                    <span className="sr-only"> của {o.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {current && (
        <div className="card" data-testid="org-detail">
          <h3>Sửa thông tin {current.name}</h3>
          <OrgForm key={current.code} initial={toForm(current)} creating={false} organisations={orgs.data} onSaved={(_, m) => done(m)} />
          <UnitsImport
            key={`import-${current.code}`}
            org={current}
            onImported={(m) => {
              done(m);
              if (reloadUnits) reloadUnits();
            }}
          />
          <CriteriaSets key={`criteria-${current.code}`} org={current} />
        </div>
      )}
      <h3>Thêm tổ chức</h3>
      <OrgForm initial={EMPTY} creating organisations={orgs.data} onSaved={(saved, m) => {
        done(m);
        setOpen(saved.code);
      }} />
    </section>
  );
}
