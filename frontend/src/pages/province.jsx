// Tổng hợp toàn tỉnh (docs/province.md): for the province's Sở Nội vụ and administrators, the organisations under
// it for one year — plan progress per organisation (the plan page's colours), overdue per organisation, the index
// ranking across organisations by their UBND's index — and the same as Excel.
import { useMemo, useState } from "react";
import { BarChart } from "../lib/bar-chart.jsx";
import { PLAN_STATUS, PLAN_STATUS_COLORS } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import "../styles/plans.css";
import "../styles/province.css";

const STATUSES = Object.keys(PLAN_STATUS);
const fmtPercent = (value) => value.toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function PlanCell({ row, mayReadPlans }) {
  if (!row.plan) return <span className="muted nowrap">Chưa có kế hoạch</span>;
  const text = row.plan.number ? `Số ${row.plan.number}` : row.plan.title;
  if (!mayReadPlans) return <span title={row.plan.title}>{text}</span>;
  return (
    <a className="nowrap" href={`/plans?plan=${row.plan.id}`} title={row.plan.title} data-testid={`plan-link-${row.code}`}>
      {text}
    </a>
  );
}

function ProgressTable({ overview, mayReadPlans }) {
  const rows = [...overview.organisations, overview.totals];
  return (
    <section className="card" aria-labelledby="progress-title">
      <h2 id="progress-title">Tiến độ theo tổ chức</h2>
      <div className="table-wrap">
        <table data-testid="province-progress">
          <thead>
            <tr>
              <th scope="col">Tổ chức</th>
              <th scope="col">Kế hoạch</th>
              {STATUSES.map((s) => (
                <th key={s} scope="col" className="num">
                  <span className="status-dot" style={{ background: PLAN_STATUS_COLORS[s] }} />
                  {PLAN_STATUS[s]}
                </th>
              ))}
              <th scope="col" className="num">
                Tổng số hoạt động
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.code || "totals"} className={row.code ? "" : "totals"} data-code={row.code || "totals"}>
                <th scope="row">
                  {row.name}
                  {row.code && <div className="muted small">{row.kind_label}</div>}
                </th>
                <td>{row.code ? <PlanCell row={row} mayReadPlans={mayReadPlans} /> : ""}</td>
                {STATUSES.map((s) => (
                  <td key={s} className="num">
                    {row.progress[s]}
                  </td>
                ))}
                <td className="num">{row.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function OverdueTable({ overview }) {
  const rows = [...overview.organisations, overview.totals];
  return (
    <section className="card" aria-labelledby="overdue-title">
      <h2 id="overdue-title">Quá hạn theo tổ chức</h2>
      <div className="table-wrap">
        <table data-testid="province-overdue">
          <thead>
            <tr>
              <th scope="col">Tổ chức</th>
              <th scope="col" className="num">Hoạt động quá hạn chưa hoàn thành</th>
              <th scope="col" className="num">Bước xử lý quá hạn đang mở</th>
              <th scope="col" className="num">Bước xử lý hoàn thành quá hạn</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.code || "totals"} className={row.code ? "" : "totals"} data-code={row.code || "totals"}>
                <th scope="row">{row.name}</th>
                <td className={`num${row.overdue_activities ? " late" : ""}`}>{row.overdue_activities}</td>
                <td className={`num${row.overdue_steps ? " late" : ""}`}>{row.overdue_steps}</td>
                <td className="num">{row.late_steps}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RankingTable({ overview, mayReadRounds }) {
  const unranked = overview.organisations.filter((o) => o.rank === null);
  return (
    <section className="card" aria-labelledby="ranking-title">
      <h2 id="ranking-title">Xếp hạng Chỉ số CCHC</h2>
      <p className="muted">
        Các tổ chức được xếp theo Chỉ số CCHC của UBND (đơn vị cao nhất của tổ chức) trong đợt chấm điểm đã công bố gần
        nhất của năm; thứ hạng các đơn vị bên trong một tổ chức xem ở đợt chấm điểm của tổ chức đó.
      </p>
      {overview.ranking.length === 0 ? (
        <p data-testid="ranking-empty">Chưa có đợt chấm điểm Chỉ số CCHC nào đã công bố chấm UBND của các tổ chức trong năm {overview.year}.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="province-ranking">
            <thead>
              <tr>
                <th scope="col" className="num">Xếp hạng</th>
                <th scope="col">Tổ chức</th>
                <th scope="col">Đơn vị được chấm điểm</th>
                <th scope="col" className="num">Chỉ số CCHC (%)</th>
                <th scope="col">Xếp loại</th>
                <th scope="col">Đợt chấm điểm</th>
              </tr>
            </thead>
            <tbody>
              {overview.ranking.map((row) => (
                <tr key={row.code} data-code={row.code}>
                  <td className="num">{row.rank}</td>
                  <th scope="row">{row.name}</th>
                  <td>{row.index.unit_name}</td>
                  <td className="num">{fmtPercent(row.index.index_percent)}</td>
                  <td>{row.index.group_label}</td>
                  <td>{mayReadRounds ? <a href={`/instances/${row.index.round_id}`}>{row.index.round_title}</a> : row.index.round_title}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {overview.ranking.length > 0 && unranked.length > 0 && (
        <p className="muted small" data-testid="unranked">
          Chưa có kết quả: {unranked.map((o) => o.name).join(", ")}.
        </p>
      )}
    </section>
  );
}

function Province({ year: thisYear, may_read_plans: mayReadPlans, may_read_rounds: mayReadRounds }) {
  const [year, setYear] = useState(String(thisYear));
  const overview = useApi(`province/overview?year=${year}`);
  const years = useMemo(() => Array.from({ length: 6 }, (_, i) => thisYear + 1 - i), [thisYear]);
  const data = overview.data;
  const chart = useMemo(() => {
    const planned = (data?.organisations || []).filter((o) => o.plan);
    return {
      labels: planned.map((o) => o.name),
      datasets: STATUSES.map((s) => ({ label: PLAN_STATUS[s], data: planned.map((o) => o.progress[s]), backgroundColor: PLAN_STATUS_COLORS[s], maxBarThickness: 90 })),
    };
  }, [data]);
  return (
    <>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="province-year">Năm</label>
          <select id="province-year" value={year} onChange={(e) => setYear(e.target.value)}>
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <a className="btn btn-primary" href={`/api/v1/province/overview/export?format=xlsx&year=${year}`} download data-testid="province-xlsx">
          Xuất Excel
        </a>
      </div>
      <ErrorBox error={overview.error} />
      {!data && !overview.error && <Loading what="số liệu tổng hợp" />}
      {data && (
        <>
          <ul className="status-chips" aria-label="Tổng số hoạt động theo tình trạng" data-testid="province-totals">
            {STATUSES.map((s) => (
              <li key={s} style={{ background: PLAN_STATUS_COLORS[s] }}>
                {PLAN_STATUS[s]}: {data.totals.progress[s]}
              </li>
            ))}
          </ul>
          {chart.labels.length > 0 ? (
            <BarChart
              id="chart-organisations"
              title={`Tiến độ kế hoạch CCHC năm ${data.year} theo tổ chức (số hoạt động)`}
              {...chart}
              horizontal={chart.labels.length > 6}
              tall={chart.labels.length > 6}
            />
          ) : (
            <p className="card">Chưa tổ chức nào có kế hoạch CCHC năm {data.year}.</p>
          )}
          <ProgressTable overview={data} mayReadPlans={mayReadPlans} />
          <OverdueTable overview={data} />
          <RankingTable overview={data} mayReadRounds={mayReadRounds} />
        </>
      )}
    </>
  );
}

mount(Province);
