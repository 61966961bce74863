// Bộ tiêu chí Chỉ số CCHC of one organisation: its own sets and the shared ones its rounds fall back to; upload
// (YAML, JSON or Excel) with a check first — every error with its row, or the tree that will be stored —, view a
// set's tree, delete a set no round used. Shown in Quản trị › Tổ chức (administrators) and on the Kế hoạch page
// (an organisation's own coordinator, for its own organisation).
import { useState } from "react";
import { api } from "./api.js";
import { fmtDateTime } from "./format.js";
import { useApi } from "./hooks.js";
import { ErrorBox, Loading } from "./ui.jsx";

const KINDS = { cqcm: "Cơ quan chuyên môn", xa: "UBND xã, phường" };
const EMPTY = { code: "", name: "", year: "", unit_kind: "" };
const points = (v) => (v == null ? "—" : String(Math.round(v * 100) / 100).replace(".", ","));

function Tree({ set }) {
  const node = (n, depth) => (
    <li key={n.code}>
      {depth === 0 ? (
        <strong>
          {n.code}. {n.name}
        </strong>
      ) : (
        <span>
          {n.code}. {n.name}
        </span>
      )}{" "}
      <span className="muted">
        (tối đa {points(n.max_points)} điểm
        {n.children ? "" : `${n.evidence_required ? "; cần minh chứng" : ""}${n.allow_not_assessed ? "; được không đánh giá" : ""}`})
      </span>
      {n.children && <ul>{n.children.map((c) => node(c, depth + 1))}</ul>}
    </li>
  );
  const tree = set.tree;
  return (
    <div data-testid="criteria-tree">
      <h4>
        {tree.name} ({tree.code}, năm {tree.year})
      </h4>
      <ul>{tree.areas.map((a) => node(a, 0))}</ul>
      <p className="muted">
        {tree.survey && tree.survey.max_points ? `${tree.survey.name}: tối đa ${points(tree.survey.max_points)} điểm. ` : ""}
        Tổng điểm tối đa: {points(tree.total_max_points)}. Xếp loại:{" "}
        {tree.grouping.map((g) => `${g.label} (từ ${points(g.min_percent)} %)`).join(", ")}.
      </p>
    </div>
  );
}

function Problems({ error }) {
  const problems = (error && error.details && error.details.problems) || [];
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert" data-testid="criteria-errors">
      <strong>{error.message}</strong>
      {problems.length > 0 && (
        <div className="table-wrap">
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">Dòng</th>
                <th scope="col">Mã tiêu chí</th>
                <th scope="col">Lỗi</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p, i) => (
                <tr key={i} data-error={p.error}>
                  <td data-label="Dòng">{p.row ?? "—"}</td>
                  <td data-label="Mã tiêu chí">{p.code ?? "—"}</td>
                  <td data-label="Lỗi">{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Upload({ org, onSaved }) {
  const [file, setFile] = useState(null);
  const [form, setForm] = useState(EMPTY);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => {
    setForm({ ...form, [k]: e.target.value });
    setPreview(null);
  };
  const send = async (dryRun) => {
    const body = new FormData();
    body.append("file", file);
    for (const [k, v] of Object.entries(form)) if (v) body.append(k, v);
    setBusy(true);
    setError(null);
    try {
      const result = await api(`organisations/${encodeURIComponent(org.code)}/criteria-sets${dryRun ? "?dry_run=1" : ""}`, { method: "POST", body });
      if (dryRun) setPreview(result);
      else {
        setPreview(null);
        setFile(null);
        setForm(EMPTY);
        onSaved(`Đã lưu bộ tiêu chí ${result.code} năm ${result.year} cho ${org.name}.`);
      }
    } catch (err) {
      setPreview(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const id = (k) => `criteria-${org.code}-${k}`;
  return (
    <div data-testid="criteria-upload">
      <h4>Nhập bộ tiêu chí</h4>
      <p className="muted">
        Tệp YAML hoặc JSON theo mẫu của bộ dùng chung, hoặc Excel (.xlsx) với các cột: mã tiêu chí, tên, điểm tối đa, cha (có thể thêm: bắt buộc minh chứng,
        được không đánh giá). Với tệp Excel, điền mã, tên, năm và loại đơn vị bên dưới. Kiểm tra trước rồi mới lưu.
      </p>
      <div className="toolbar">
        <label htmlFor={id("file")}>Tệp bộ tiêu chí</label>
        <input
          id={id("file")}
          type="file"
          accept=".yaml,.yml,.json,.xlsx"
          onChange={(e) => {
            setFile(e.target.files[0] || null);
            setPreview(null);
            setError(null);
          }}
        />
      </div>
      <div className="grid grid-3">
        <div className="field">
          <label htmlFor={id("code")}>Mã bộ tiêu chí</label>
          <input id={id("code")} value={form.code} onChange={set("code")} maxLength={50} />
        </div>
        <div className="field">
          <label htmlFor={id("name")}>Tên bộ tiêu chí</label>
          <input id={id("name")} value={form.name} onChange={set("name")} maxLength={500} />
        </div>
        <div className="field">
          <label htmlFor={id("year")}>Năm áp dụng</label>
          <input id={id("year")} type="number" min="2000" max="2100" value={form.year} onChange={set("year")} />
        </div>
        <div className="field">
          <label htmlFor={id("kind")}>Loại đơn vị được chấm</label>
          <select id={id("kind")} value={form.unit_kind} onChange={set("unit_kind")}>
            <option value="">Theo tệp</option>
            {Object.entries(KINDS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="button" className="btn" disabled={!file || busy} onClick={() => send(true)}>
        Kiểm tra
      </button>
      <Problems error={error} />
      {preview && (
        <div data-testid="criteria-preview">
          <p role="status">
            Bộ tiêu chí hợp lệ: {preview.sub_criteria} tiêu chí thành phần, tổng {points(preview.max_points)} điểm.
          </p>
          <Tree set={preview} />
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => send(false)}>
            Lưu bộ tiêu chí
          </button>
        </div>
      )}
    </div>
  );
}

export function CriteriaSets({ org }) {
  const sets = useApi(`organisations/${encodeURIComponent(org.code)}/criteria-sets`);
  const [viewing, setViewing] = useState(null);
  const [ok, setOk] = useState(null);
  const [error, setError] = useState(null);
  const view = async (s) => {
    setError(null);
    if (viewing && viewing.id === s.id) return setViewing(null);
    try {
      setViewing(await api(`organisations/${encodeURIComponent(org.code)}/criteria-sets/${s.id}`));
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (s) => {
    if (!window.confirm(`Xoá bộ tiêu chí ${s.code} năm ${s.year}?`)) return;
    setError(null);
    try {
      await api(`organisations/${encodeURIComponent(org.code)}/criteria-sets/${s.id}`, { method: "DELETE" });
      setOk(`Đã xoá bộ tiêu chí ${s.code} năm ${s.year}.`);
      if (viewing && viewing.id === s.id) setViewing(null);
      sets.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby={`criteria-title-${org.code}`} data-testid="criteria-sets">
      <h3 id={`criteria-title-${org.code}`}>Bộ tiêu chí của {org.name}</h3>
      <p className="muted">
        Đợt chấm điểm Chỉ số CCHC của tổ chức dùng bộ tiêu chí riêng cùng năm và loại đơn vị (bộ mới nhất); nếu chưa có thì dùng bộ dùng chung. Đợt đã mở
        giữ nguyên bộ tiêu chí đã chọn.
      </p>
      <div role="status" aria-live="polite">
        {ok && <p className="alert alert-ok">{ok}</p>}
      </div>
      <ErrorBox error={error || sets.error} />
      {!sets.data && !sets.error && <Loading what="bộ tiêu chí" />}
      {sets.data && (
        <div className="table-wrap">
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">Mã</th>
                <th scope="col">Tên bộ tiêu chí</th>
                <th scope="col">Năm</th>
                <th scope="col">Loại đơn vị</th>
                <th scope="col">Tiêu chí thành phần</th>
                <th scope="col">Điểm tối đa</th>
                <th scope="col">Nguồn</th>
                <th scope="col">Thao tác</th>
              </tr>
            </thead>
            <tbody>
              {sets.data.map((s) => (
                <tr key={s.ref} data-set={s.code}>
                  <td data-label="Mã">{s.code}</td>
                  <td data-label="Tên bộ tiêu chí">{s.name}</td>
                  <td data-label="Năm">{s.year}</td>
                  <td data-label="Loại đơn vị">{s.unit_kind_label}</td>
                  <td data-label="Tiêu chí thành phần">{s.sub_criteria}</td>
                  <td data-label="Điểm tối đa">{points(s.max_points)}</td>
                  <td data-label="Nguồn">
                    {s.shared ? "Dùng chung" : `Riêng của tổ chức${s.created_by ? ` — ${s.created_by}` : ""}${s.created_at ? `, ${fmtDateTime(s.created_at)}` : ""}`}
                  </td>
                  <td data-label="Thao tác">
                    {s.id != null && !s.shared ? (
                      <>
                        <button type="button" className="btn" aria-expanded={viewing?.id === s.id} onClick={() => view(s)}>
                          {viewing?.id === s.id ? "Đóng" : "Xem cây tiêu chí"}
                          <span className="sr-only"> {s.code}</span>
                        </button>{" "}
                        <button type="button" className="btn btn-danger" onClick={() => remove(s)}>
                          Xoá<span className="sr-only"> {s.code}</span>
                        </button>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {viewing && <Tree set={viewing} />}
      <Upload
        org={org}
        onSaved={(m) => {
          setOk(m);
          sets.reload();
        }}
      />
    </section>
  );
}

// The Kế hoạch page: a coordinator manages the sets of its own organisation.
export function OwnCriteriaSets() {
  const organisations = useApi("plans/import/organisations");
  const own = (organisations.data || []).find((o) => o.own);
  if (organisations.error) return <ErrorBox error={organisations.error} />;
  if (!own) return null;
  return (
    <div className="card">
      <CriteriaSets org={own} />
    </div>
  );
}
