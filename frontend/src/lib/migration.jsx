// Chuyển phiên bản: move running cases of a process to another version. Pick the versions, see their diff beside
// the dry run (which cases can move, which cannot and why), map removed or renamed steps, then "Chạy chuyển đổi"
// after a confirmation; the result and the history of earlier runs below. API: /process-definitions/{key}/migrations.
import { lazy, Suspense, useEffect, useState } from "react";
import { api } from "./api.js";
import { fmtDateTime } from "./format.js";
import { ErrorBox, Loading } from "./ui.jsx";

const DiffView = lazy(() => import("./diff-view.jsx")); // bpmn-js: loaded when a comparison is shown

const OUTCOMES = {
  movable: "Chuyển được",
  not_movable: "Không chuyển được",
  migrated: "Đã chuyển",
  refused: "Không chuyển",
  failed: "Lỗi, giữ nguyên",
};
const STATUSES = [
  ["running", "Đang chạy"],
  ["waiting", "Đang chờ"],
  ["error", "Đang lỗi"],
];

function label(element) {
  return element.name ? `${element.name} (${element.element_id})` : element.element_id;
}

function StepsCell({ steps }) {
  if (!steps || steps.length === 0) return "—";
  return (
    <ul className="plain">
      {steps.map((s, i) => (
        <li key={i}>
          {s.name || "—"} → {s.new_name || "(bỏ)"}
          {s.due_at ? ` · hạn ${fmtDateTime(s.due_at)}` : ""}
        </li>
      ))}
    </ul>
  );
}

function ResultTable({ report, testid }) {
  const counts = Object.entries(report.counts || {});
  return (
    <>
      <p data-testid={`${testid}-counts`}>
        {counts.length === 0 ? "Không có hồ sơ nào phù hợp." : counts.map(([k, n]) => `${OUTCOMES[k] || k}: ${n}`).join(" · ")}
      </p>
      {report.results.length > 0 && (
        <div className="table-wrap migration-results">
          <table data-testid={testid}>
            <caption className="sr-only">Kết quả từng hồ sơ</caption>
            <thead>
              <tr>
                <th scope="col">Hồ sơ</th>
                <th scope="col">Đơn vị</th>
                <th scope="col">Kết quả</th>
                <th scope="col">Bước xử lý / lý do</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.instance_id} data-outcome={r.outcome}>
                  <td>
                    <a href={`/instances/${r.instance_id}`}>#{r.instance_id}</a> {r.title || ""}
                  </td>
                  <td>{r.unit_code || "—"}</td>
                  <td>{OUTCOMES[r.outcome] || r.outcome}</td>
                  <td>{r.reason ? <span className="muted">{r.reason}</span> : <StepsCell steps={r.steps} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function MappingEditor({ removed, targets, mapping, setMapping }) {
  if (removed.length === 0) return <p className="muted">Mọi bước của phiên bản cũ đều có bước tương ứng ở phiên bản mới.</p>;
  return (
    <table data-testid="migration-mapping">
      <caption>Ánh xạ bước bị xóa hoặc đổi tên</caption>
      <thead>
        <tr>
          <th scope="col">Bước ở phiên bản cũ</th>
          <th scope="col">Bước tương ứng ở phiên bản mới</th>
        </tr>
      </thead>
      <tbody>
        {removed.map((old) => {
          const id = `map-${old.element_id}`;
          const sameKind = targets.filter((t) => t.type === old.type);
          return (
            <tr key={old.element_id}>
              <td>
                <label htmlFor={id}>{label(old)}</label>
              </td>
              <td>
                <select
                  id={id}
                  value={mapping[old.element_id] || ""}
                  onChange={(e) => setMapping({ ...mapping, [old.element_id]: e.target.value || null })}
                >
                  <option value="">(Không có bước tương ứng)</option>
                  {(sameKind.length ? sameKind : targets).map((t) => (
                    <option key={t.element_id} value={t.element_id}>
                      {label(t)}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function History({ processKey, tick }) {
  const [runs, setRuns] = useState(null);
  useEffect(() => {
    api(`process-definitions/${processKey}/migrations`).then(setRuns, () => setRuns([]));
  }, [processKey, tick]);
  if (!runs || runs.length === 0) return null;
  return (
    <details className="migration-history">
      <summary>Các lần chuyển phiên bản trước ({runs.length})</summary>
      <table data-testid="migration-history">
        <thead>
          <tr>
            <th scope="col">Thời điểm</th>
            <th scope="col">Người chạy</th>
            <th scope="col">Phiên bản</th>
            <th scope="col">Đã chuyển</th>
            <th scope="col">Không chuyển</th>
            <th scope="col">Lỗi</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>{fmtDateTime(r.started_at)}</td>
              <td>{r.started_by}</td>
              <td>
                {r.from_version} → {r.to_version}
              </td>
              <td>{r.migrated}</td>
              <td>{r.refused}</td>
              <td>{r.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function MigrationView({ definition, versions, onMigrated }) {
  const [from, setFrom] = useState(String(versions[1].version));
  const [to, setTo] = useState(String(versions[0].version));
  const [unit, setUnit] = useState("");
  const [status, setStatus] = useState("");
  const [batch, setBatch] = useState("50");
  const [mapping, setMapping] = useState({});
  const [removed, setRemoved] = useState([]); // every element seen without a counterpart: its row stays once mapped
  const [preview, setPreview] = useState(null);
  const [result, setResult] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    setMapping({});
    setRemoved([]);
    setPreview(null);
    setResult(null);
  }, [from, to]);

  const body = (dryRun) => ({
    from_version: Number(from),
    to_version: Number(to),
    mapping,
    dry_run: dryRun,
    batch_size: Number(batch) || 50,
    filter: { unit_code: unit.trim() || null, statuses: status ? [status] : [] },
  });
  const send = async (dryRun) => {
    setBusy(true);
    setError(null);
    try {
      const report = await api(`process-definitions/${definition.key}/migrations`, { method: "POST", json: body(dryRun) });
      const known = new Map(removed.map((e) => [e.element_id, e]));
      for (const e of report.removed) known.set(e.element_id, e);
      setRemoved([...known.values()]);
      if (dryRun) {
        setPreview(report);
        setResult(null);
      } else {
        setResult(report);
        setPreview(null);
        setTick((t) => t + 1);
        if (onMigrated) onMigrated(report);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const movable = preview ? preview.counts.movable || 0 : 0;
  const versionOptions = versions.map((v) => (
    <option key={v.version} value={v.version}>
      {v.version}
    </option>
  ));
  return (
    <section aria-labelledby="migration-title" data-testid="migration">
      <h2 id="migration-title">Chuyển phiên bản</h2>
      <p className="muted">
        Chuyển các hồ sơ đang chạy sang phiên bản khác của quy trình. Hãy chạy thử trước: hệ thống cho biết hồ sơ nào
        chuyển được, hồ sơ nào không và vì sao; mỗi hồ sơ được chuyển riêng, hồ sơ lỗi giữ nguyên phiên bản cũ.
      </p>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="mig-from">Từ phiên bản</label>
          <select id="mig-from" value={from} onChange={(e) => setFrom(e.target.value)}>
            {versionOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="mig-to">Sang phiên bản</label>
          <select id="mig-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {versionOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="mig-unit">Đơn vị (mã, tùy chọn)</label>
          <input id="mig-unit" value={unit} onChange={(e) => setUnit(e.target.value)} maxLength={50} />
        </div>
        <div className="field">
          <label htmlFor="mig-status">Trạng thái</label>
          <select id="mig-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Mọi hồ sơ chưa kết thúc</option>
            {STATUSES.map(([v, t]) => (
              <option key={v} value={v}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="mig-batch">Số hồ sơ mỗi lô</label>
          <input id="mig-batch" type="number" min="1" max="500" value={batch} onChange={(e) => setBatch(e.target.value)} />
        </div>
        <button type="button" className="btn" onClick={() => send(true)} disabled={busy || from === to}>
          Chạy thử
        </button>
      </div>
      {from === to && <p className="muted">Chọn hai phiên bản khác nhau.</p>}
      <ErrorBox error={error} />
      <div className="migration-grid">
        <div>{from !== to && (
            <Suspense fallback={<Loading what="so sánh phiên bản" />}>
              <DiffView definition={definition} versions={versions} from={from} to={to} />
            </Suspense>
          )}</div>
        <div>
          <h3>Ánh xạ bước</h3>
          {preview || result ? (
            <MappingEditor removed={removed} targets={(preview || result).targets} mapping={mapping} setMapping={setMapping} />
          ) : (
            <p className="muted">Chạy thử để xem các bước cần ánh xạ.</p>
          )}
          {preview && (
            <>
              <h3>Kết quả chạy thử</h3>
              <ResultTable report={preview} testid="migration-preview" />
              {!confirming ? (
                <button type="button" className="btn btn-primary" disabled={busy || movable === 0} onClick={() => setConfirming(true)}>
                  Chạy chuyển đổi
                </button>
              ) : (
                <div className="alert alert-warn" role="alertdialog" aria-labelledby="mig-confirm">
                  <p id="mig-confirm">
                    Chuyển {movable} hồ sơ từ phiên bản {from} sang phiên bản {to}? Các bước đang mở được chuyển sang bước
                    tương ứng; thao tác không thể hoàn tác.
                  </p>
                  <button type="button" className="btn btn-primary" disabled={busy} onClick={() => send(false)}>
                    Xác nhận chuyển
                  </button>{" "}
                  <button type="button" className="btn" disabled={busy} onClick={() => setConfirming(false)}>
                    Hủy
                  </button>
                </div>
              )}
            </>
          )}
          {result && (
            <div role="status">
              <h3>Kết quả chuyển đổi</h3>
              <ResultTable report={result} testid="migration-result" />
            </div>
          )}
        </div>
      </div>
      <History processKey={definition.key} tick={tick} />
    </section>
  );
}
