// Hồ sơ quy trình: the instances the user may see, searched, filtered, sorted and paged on the server
// (process, unit, status, version, a plan or one of its activities); an index-scoring round links its results (.xlsx).
import { useMemo } from "react";
import { fmtDate, fmtDateTime, INSTANCE_STATUS } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { Pager, pagePath, SearchBox, SortSelect, usePage, useUrlState } from "../lib/lists.jsx";
import { ScoringResultsLink } from "../lib/report-exports.jsx";
import { ErrorBox, Loading, mount, ProcessUnitFilters } from "../lib/ui.jsx";

const DEFAULTS = { q: "", page: "1", sort: "", process_key: "", unit: "", status: "", version: "", activity_id: "", plan_id: "" };
const SORTS = [
  ["", "Mới khởi tạo trước"],
  ["-updated_at", "Mới cập nhật trước"],
  ["due_at", "Hạn hoàn thành gần nhất trước"],
  ["-due_at", "Hạn hoàn thành xa nhất trước"],
];

function Instances({ may_start: mayStart, scoring_insider: scoringInsider }) {
  const [s, set] = useUrlState(DEFAULTS);
  const params = {
    q: s.q,
    process_key: s.process_key,
    unit: s.unit,
    status: s.status,
    version: s.version,
    activity_id: s.activity_id,
    plan_id: s.plan_id,
    sort: s.sort,
  };
  const list = usePage(pagePath("process-instances", params, s.page));
  const definitions = useApi("process-definitions");
  const units = useApi("units");
  const unitName = useMemo(() => Object.fromEntries((units.data || []).map((u) => [u.code, u.name])), [units.data]);
  const processName = useMemo(() => Object.fromEntries((definitions.data || []).map((d) => [d.key, d.name || d.key])), [definitions.data]);
  const rows = list.rows || [];
  return (
    <>
      {mayStart && (
        <p className="toolbar">
          <a className="btn btn-primary" href="/instances/new" data-testid="start-link">
            Khởi tạo hồ sơ
          </a>
        </p>
      )}
      {s.activity_id && (
        <p className="alert alert-warn">
          Đang xem các hồ sơ của một hoạt động kế hoạch. <a href="/instances">Xem tất cả hồ sơ</a>
        </p>
      )}
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Lọc hồ sơ" role="search">
        <SearchBox value={s.q} onSearch={(q) => set({ q })} placeholder="Tên hồ sơ, mã hoạt động, đơn vị, quy trình" />
        <ProcessUnitFilters
          definitions={definitions.data}
          units={units.data}
          processKey={s.process_key}
          setProcessKey={(process_key) => set({ process_key })}
          unit={s.unit}
          setUnit={(unit) => set({ unit })}
        />
        <div className="field">
          <label htmlFor="f-status">Trạng thái</label>
          <select id="f-status" value={s.status} onChange={(e) => set({ status: e.target.value })}>
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
          <input id="f-version" type="number" min="1" value={s.version} onChange={(e) => set({ version: e.target.value })} style={{ width: "7rem" }} />
        </div>
        <SortSelect value={s.sort} onChange={(sort) => set({ sort })} options={SORTS} />
      </form>
      <ErrorBox error={list.error} />
      {list.loading && !list.rows ? (
        <Loading what="hồ sơ" />
      ) : rows.length === 0 ? (
        <p className="card">{s.q ? `Không tìm thấy hồ sơ nào phù hợp với «${s.q}».` : "Không có hồ sơ nào."}</p>
      ) : (
        <>
          <Pager total={list.total} more={list.more} hasNext={list.hasNext} page={s.page} onPage={(page) => set({ page })} noun="hồ sơ" />
          <div className="table-wrap">
            <table className="responsive" data-testid="instances-table" aria-busy={list.loading}>
              <caption className="sr-only">Danh sách hồ sơ quy trình</caption>
              <thead>
                <tr>
                  <th scope="col">Hồ sơ</th>
                  <th scope="col">Quy trình</th>
                  <th scope="col">Phiên bản</th>
                  <th scope="col">Đơn vị</th>
                  <th scope="col">Trạng thái</th>
                  <th scope="col">Bước đang xử lý</th>
                  <th scope="col">Hạn hoàn thành</th>
                  <th scope="col">Khởi tạo</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((i) => (
                  <tr key={i.id}>
                    <td data-label="Hồ sơ">
                      <a className="row-title" href={`/instances/${i.id}`}>
                        {i.title || `Hồ sơ số ${i.id}`}
                      </a>
                      <ScoringResultsLink instance={i} insider={scoringInsider} />
                    </td>
                    <td data-label="Quy trình">{processName[i.process_key] || i.process_key}</td>
                    <td data-label="Phiên bản">{i.definition_version}</td>
                    <td data-label="Đơn vị">{unitName[i.unit_code] || i.unit_code}</td>
                    <td data-label="Trạng thái">{INSTANCE_STATUS[i.status] || i.status}</td>
                    <td data-label="Bước đang xử lý">{(i.open_tasks || []).map((t) => t.name).join(", ") || "—"}</td>
                    <td data-label="Hạn hoàn thành">{i.due_at ? fmtDate(i.due_at) : "—"}</td>
                    <td data-label="Khởi tạo">{fmtDateTime(i.created_at)}</td>
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

mount(Instances);
