// Hồ sơ quy trình: the instances the user may see, filtered by process, unit, status and plan activity.
import { useMemo, useState } from "react";
import { query } from "../lib/api.js";
import { fmtDateTime, INSTANCE_STATUS } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { ErrorBox, Loading, mount, ProcessUnitFilters } from "../lib/ui.jsx";

function Instances({ may_start: mayStart }) {
  const params = new URLSearchParams(window.location.search);
  const [processKey, setProcessKey] = useState(params.get("process_key") || "");
  const [unit, setUnit] = useState(params.get("unit") || "");
  const [status, setStatus] = useState(params.get("status") || "");
  const [version, setVersion] = useState(params.get("version") || "");
  const activityId = params.get("activity_id");
  const planId = params.get("plan_id");
  const list = useApi(`process-instances${query({ process_key: processKey, unit, status, limit: 500, activity_id: activityId, plan_id: planId })}`);
  const definitions = useApi("process-definitions");
  const units = useApi("units");
  const unitName = useMemo(() => Object.fromEntries((units.data || []).map((u) => [u.code, u.name])), [units.data]);
  const processName = useMemo(() => Object.fromEntries((definitions.data || []).map((d) => [d.key, d.name || d.key])), [definitions.data]);
  const rows = useMemo(
    () =>
      (list.data || []).filter((i) => {
        const plan = (i.data && i.data.plan) || {};
        if (activityId && String(plan.activity_id) !== activityId) return false;
        if (planId && String(plan.plan_id) !== planId) return false;
        if (version && String(i.definition_version) !== version) return false;
        return true;
      }),
    [list.data, activityId, planId, version],
  );
  return (
    <>
      {mayStart && (
        <p className="toolbar">
          <a className="btn btn-primary" href="/instances/new" data-testid="start-link">
            Khởi tạo hồ sơ
          </a>
        </p>
      )}
      {activityId && (
        <p className="alert alert-warn">
          Đang xem các hồ sơ của một hoạt động kế hoạch. <a href="/instances">Xem tất cả hồ sơ</a>
        </p>
      )}
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Lọc hồ sơ">
        <ProcessUnitFilters
          definitions={definitions.data}
          units={units.data}
          processKey={processKey}
          setProcessKey={setProcessKey}
          unit={unit}
          setUnit={setUnit}
        />
        <div className="field">
          <label htmlFor="f-status">Trạng thái</label>
          <select id="f-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Tất cả</option>
            {Object.entries(INSTANCE_STATUS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-version">Phiên bản</label>
          <input id="f-version" type="number" min="1" value={version} onChange={(e) => setVersion(e.target.value)} style={{ width: "7rem" }} />
        </div>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading what="hồ sơ" />
      ) : rows.length === 0 ? (
        <p className="card">Không có hồ sơ nào.</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="instances-table">
            <caption className="sr-only">Danh sách hồ sơ quy trình</caption>
            <thead>
              <tr>
                <th scope="col">Hồ sơ</th>
                <th scope="col">Quy trình</th>
                <th scope="col">Phiên bản</th>
                <th scope="col">Đơn vị</th>
                <th scope="col">Trạng thái</th>
                <th scope="col">Bước đang xử lý</th>
                <th scope="col">Khởi tạo</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => (
                <tr key={i.id}>
                  <td data-label="Hồ sơ">
                    <a href={`/instances/${i.id}`}>{i.title || `Hồ sơ số ${i.id}`}</a>
                  </td>
                  <td data-label="Quy trình">{processName[i.process_key] || i.process_key}</td>
                  <td data-label="Phiên bản">{i.definition_version}</td>
                  <td data-label="Đơn vị">{unitName[i.unit_code] || i.unit_code}</td>
                  <td data-label="Trạng thái">{INSTANCE_STATUS[i.status] || i.status}</td>
                  <td data-label="Bước đang xử lý">{(i.open_tasks || []).map((t) => t.name).join(", ") || "—"}</td>
                  <td data-label="Khởi tạo">{fmtDateTime(i.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

mount(Instances);
