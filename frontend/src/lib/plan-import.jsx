// Plan import in two steps (#15): choose the organisation (administrators), upload, preview (activities, the units
// each name resolved to, the names not recognised with a unit selector: a unit, "Đơn vị mới…" or "Không giao"),
// then confirm. Nothing is stored before the confirm.
import { useEffect, useState } from "react";
import { api } from "./api.js";
import { useApi } from "./hooks.js";
import { ErrorBox } from "./ui.jsx";

const UNIT_KINDS = { ubnd: "UBND", cqcm: "Cơ quan chuyên môn", su_nghiep: "Đơn vị sự nghiệp", ubnd_xa: "UBND cấp xã", external: "Đơn vị ngoài" };
const NEW = "__new__";
const NONE = "none";

function Names({ names }) {
  if (!names || names.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="unit-names">
      {names.map((n, i) => (
        <li key={i} className={n.units === null ? "unit-unresolved" : "unit-resolved"}>
          {n.name}
          {n.units === null ? <em> (chưa xác định)</em> : <span className="muted"> → {n.units.join(", ") || "không giao"}</span>}
        </li>
      ))}
    </ul>
  );
}

function asciiCode(name) {
  const folded = name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");
  return folded.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase()).join("").slice(0, 20);
}

function MappingRow({ item, units, value, onChange }) {
  const choice = typeof value === "object" && value ? NEW : value || "";
  const setChoice = (v) => onChange(v === NEW ? { new: { code: asciiCode(item.name), name: item.name, short_name: item.name, kind: "cqcm" } } : v);
  const setNew = (key) => (e) => onChange({ new: { ...value.new, [key]: e.target.value } });
  const suggested = new Set(item.suggestions.map((s) => s.code));
  const id = `map-${item.name}`;
  return (
    <tr data-testid="unresolved-row">
      <td data-label="Tên trong kế hoạch">
        <label htmlFor={id}>{item.name}</label>
        <div className="muted">{item.activities.join(", ")}</div>
      </td>
      <td data-label="Đơn vị">
        <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)} aria-label={`Đơn vị cho «${item.name}»`}>
          <option value="">— Chọn đơn vị —</option>
          {item.suggestions.length > 0 && (
            <optgroup label="Gợi ý">
              {item.suggestions.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name} ({s.code})
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label="Đơn vị của tổ chức">
            {units
              .filter((u) => !suggested.has(u.code))
              .map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name} ({u.code})
                </option>
              ))}
          </optgroup>
          <option value={NEW}>Đơn vị mới…</option>
          <option value={NONE}>Không giao</option>
        </select>
        {choice === NEW && (
          <div className="new-unit">
            <label>
              Mã <input value={value.new.code} onChange={setNew("code")} required />
            </label>
            <label>
              Tên <input value={value.new.name} onChange={setNew("name")} required />
            </label>
            <label>
              Loại{" "}
              <select value={value.new.kind} onChange={setNew("kind")}>
                {Object.entries(UNIT_KINDS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </td>
    </tr>
  );
}

function Preview({ preview }) {
  const h = preview.header;
  return (
    <div data-testid="import-preview">
      <h3>Xem trước: {preview.organisation.name}</h3>
      <dl className="kv">
        <dt>Tên kế hoạch</dt>
        <dd>{h.title || "—"}</dd>
        <dt>Số, ngày</dt>
        <dd>
          {h.number || "chưa có số"}
          {h.issued_on ? `, ngày ${h.issued_on.split("-").reverse().join("/")}` : ""}
        </dd>
        <dt>Cơ quan ban hành (theo phụ lục)</dt>
        <dd>{h.issuer || "—"}</dd>
      </dl>
      {preview.replaces && (
        <p className="alert alert-warn">
          Sẽ thay kế hoạch đã nhập «{preview.replaces.title}»
          {preview.replaces.launched ? " — kế hoạch đó đã triển khai nên sẽ không thay được bằng tệp khác." : "."}
        </p>
      )}
      <details open>
        <summary>{preview.activities.length} hoạt động</summary>
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>Mã</th>
                <th>Hoạt động</th>
                <th>Chủ trì</th>
                <th>Phối hợp</th>
                <th>Thời gian</th>
              </tr>
            </thead>
            <tbody>
              {preview.activities.map((a, i) => (
                <tr key={i}>
                  <td data-label="Mã">{`${a.area || "NV"}/${a.code}`}</td>
                  <td data-label="Hoạt động" className="activity-text">
                    {a.text}
                  </td>
                  <td data-label="Chủ trì">
                    <Names names={a.lead} />
                  </td>
                  <td data-label="Phối hợp">
                    <Names names={a.coordinating} />
                  </td>
                  <td data-label="Thời gian">{a.time_text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <details>
        <summary>Cảnh báo ({preview.warnings.length})</summary>
        <ul className="report-list">
          {preview.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}

function Report({ result }) {
  const report = result.report;
  return (
    <div data-testid="import-report">
      <p className="alert alert-ok">
        {result.created === false
          ? `Kế hoạch «${result.plan.title}» đã có với cùng nội dung; không tạo bản mới.`
          : `Đã nhập kế hoạch «${result.plan.title}» (${result.plan.activity_count} hoạt động).`}
      </p>
      <h3>Số hoạt động theo lĩnh vực</h3>
      <ul>
        {Object.entries(report.counts_per_area || {}).map(([k, v]) => (
          <li key={k}>
            Lĩnh vực {k}: {v}
          </li>
        ))}
      </ul>
      {(report.activities_without_lead || []).length > 0 && (
        <>
          <h3>Hoạt động không giao đơn vị chủ trì ({report.activities_without_lead.length})</h3>
          <ul className="report-list">
            {report.activities_without_lead.map((a) => (
              <li key={a.ref}>
                {a.ref}: {a.lead_text || "không ghi đơn vị chủ trì"}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Đã tự sửa ({(report.repairs || []).length})</h3>
      <ul className="report-list">
        {(report.repairs || []).map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
      <h3>Cảnh báo ({(report.warnings || []).length})</h3>
      <ul className="report-list">
        {(report.warnings || []).map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

export function ImportBox({ onImported }) {
  const organisations = useApi("plans/import/organisations");
  const [org, setOrg] = useState("");
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [preview, setPreview] = useState(null);
  const [mapping, setMapping] = useState({});
  const [result, setResult] = useState(null);
  useEffect(() => {
    if (!org && organisations.data && organisations.data.length) {
      setOrg((organisations.data.find((o) => o.own) || organisations.data[0]).code);
    }
  }, [organisations.data, org]);
  const reset = () => (setPreview(null), setMapping({}), setResult(null), setError(null));
  const send = async (dryRun) => {
    if (!file) {
      setError({ message: "Vui lòng chọn tệp kế hoạch (.md hoặc .xlsx)." });
      return;
    }
    setBusy(true);
    setError(null);
    const body = new FormData();
    body.append("file", file, file.name);
    if (!dryRun) body.append("mapping", JSON.stringify(mapping));
    try {
      const r = await api(`organisations/${encodeURIComponent(org)}/plans/import${dryRun ? "?dry_run=1" : ""}`, { method: "POST", body });
      if (dryRun) {
        setPreview(r);
        setMapping({});
      } else {
        setPreview(null);
        setResult(r);
        onImported(r.plan);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const unresolved = preview ? preview.unresolved : [];
  const complete = unresolved.every((u) => mapping[u.name] && (typeof mapping[u.name] !== "object" || (mapping[u.name].new.code && mapping[u.name].new.name)));
  const orgs = organisations.data || [];
  return (
    <section className="card no-print" aria-labelledby="import-title">
      <h2 id="import-title">Nhập kế hoạch</h2>
      <ErrorBox error={organisations.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send(true);
        }}
        className="toolbar"
      >
        {orgs.length > 1 && (
          <div className="field">
            <label htmlFor="import-org">Tổ chức</label>
            <select id="import-org" value={org} onChange={(e) => (setOrg(e.target.value), reset())}>
              {orgs.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="plan-file">Tệp kế hoạch (Markdown hoặc Excel)</label>
          <input id="plan-file" name="plan-file" type="file" accept=".md,.markdown,.txt,.xlsx" onChange={(e) => (setFile(e.target.files[0] || null), reset())} />
        </div>
        <button type="submit" className="btn" disabled={busy || !org}>
          Xem trước
        </button>
      </form>
      <ErrorBox error={error} />
      {preview && (
        <>
          <Preview preview={preview} />
          {unresolved.length > 0 && (
            <>
              <h3>Tên đơn vị chưa xác định ({unresolved.length})</h3>
              <p>Chọn đơn vị của tổ chức, tạo đơn vị mới hoặc chọn «Không giao» cho từng tên trước khi xác nhận.</p>
              <table className="table" data-testid="unresolved-table">
                <thead>
                  <tr>
                    <th>Tên trong kế hoạch</th>
                    <th>Đơn vị</th>
                  </tr>
                </thead>
                <tbody>
                  {unresolved.map((item) => (
                    <MappingRow key={item.name} item={item} units={preview.units} value={mapping[item.name]} onChange={(v) => setMapping((m) => ({ ...m, [item.name]: v }))} />
                  ))}
                </tbody>
              </table>
            </>
          )}
          <div className="toolbar">
            <button type="button" className="btn btn-primary" disabled={busy || !complete} onClick={() => send(false)}>
              Xác nhận nhập kế hoạch
            </button>
            <button type="button" className="btn" disabled={busy} onClick={reset}>
              Hủy
            </button>
          </div>
        </>
      )}
      {result && <Report result={result} />}
    </section>
  );
}
