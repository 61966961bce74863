// Kế hoạch: the plan tree (status, lead unit, deadline), charts of progress per area and overdue per unit,
// filters, links from each activity to its instances and its products (Sản phẩm, shown on demand), plan import (lib/plan-import.jsx) with
// its report, launching; a coordinator's Bộ tiêu chí of its own organisation (lib/criteria-sets.jsx). Printing opens the tree (styles/print.css lays the page out for A4).
import { useEffect, useMemo, useRef, useState } from "react";
import { api, query } from "../lib/api.js";
import { BarChart } from "../lib/bar-chart.jsx";
import { OwnCriteriaSets } from "../lib/criteria-sets.jsx";
import { fmtDate, isoLocalDate, PLAN_STATUS, PLAN_STATUS_COLORS } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { PlanExports } from "../lib/plan-exports.jsx";
import { ImportBox } from "../lib/plan-import.jsx";
import { ActivityProducts } from "../lib/products.jsx";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import "../styles/plans.css";
import "../styles/print.css";

const STATUSES = Object.keys(PLAN_STATUS);

function StatusBadge({ status, label }) {
  return (
    <span className="plan-status" style={{ background: PLAN_STATUS_COLORS[status] || "#6b7280" }} data-status={status}>
      {label || PLAN_STATUS[status] || status}
    </span>
  );
}

function Charts({ progress }) {
  const areaChart = useMemo(() => {
    const areas = progress.by_area || [];
    return {
      labels: areas.map((a) => a.code),
      datasets: STATUSES.map((s) => ({ label: PLAN_STATUS[s], data: areas.map((a) => (a.counts || {})[s] || 0), backgroundColor: PLAN_STATUS_COLORS[s] })),
    };
  }, [progress]);
  const unitChart = useMemo(() => {
    const units = [...(progress.by_unit || [])].filter((u) => u.overdue > 0).sort((a, b) => b.overdue - a.overdue).slice(0, 15);
    return {
      labels: units.map((u) => u.name),
      datasets: [{ label: "Quá hạn chưa hoàn thành", data: units.map((u) => u.overdue), backgroundColor: PLAN_STATUS_COLORS.overdue }],
    };
  }, [progress]);
  const quarterChart = useMemo(() => {
    const quarters = progress.by_quarter || [];
    return {
      labels: quarters.map((q) => q.label || q.quarter),
      datasets: STATUSES.map((s) => ({ label: PLAN_STATUS[s], data: quarters.map((q) => (q.counts || {})[s] || 0), backgroundColor: PLAN_STATUS_COLORS[s] })),
    };
  }, [progress]);
  return (
    <div className="grid grid-2">
      <BarChart id="chart-areas" title="Tiến độ theo lĩnh vực (số hoạt động)" {...areaChart} />
      <BarChart id="chart-units" title="Số lượt việc quá hạn theo đơn vị chủ trì" {...unitChart} horizontal stacked={false} tall />
      <BarChart id="chart-quarters" title="Tiến độ theo quý (số lượt thực hiện)" {...quarterChart} />
    </div>
  );
}

const COLUMNS = 7;

function ActivityRow({ a, planId }) {
  const [showProducts, setShowProducts] = useState(false);
  const productsId = `products-${a.id}`;
  return (
    <>
    <tr data-activity-id={a.id}>
      <td data-label="Mã">{a.ref || `${a.area}.${a.code}`}</td>
      <td data-label="Hoạt động" className="activity-text">
        {a.text}
        {a.output_kind ? <div className="muted">Sản phẩm: {a.output_kind}</div> : null}
      </td>
      <td data-label="Đơn vị chủ trì">{(a.lead_units || []).map((u) => u.name).join(", ") || a.lead_text || "—"}</td>
      <td data-label="Thời hạn">
        {a.due_date ? fmtDate(a.due_date) : "—"}
        {a.time_text ? <div className="muted">{a.time_text}</div> : null}
      </td>
      <td data-label="Tình trạng">
        <StatusBadge status={a.status} label={a.status_label} />
      </td>
      <td data-label="Hồ sơ">
        {a.instance_count > 0 ? <a href={`/instances?plan_id=${planId}&activity_id=${a.id}`}>{a.instance_count} hồ sơ</a> : <span className="muted">Chưa có hồ sơ</span>}
      </td>
      <td data-label="Sản phẩm" className="col-products">
        {a.instance_count > 0 ? (
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={showProducts}
            aria-controls={productsId}
            onClick={() => setShowProducts((v) => !v)}
            data-testid="show-products"
          >
            {showProducts ? "Ẩn sản phẩm" : "Xem sản phẩm"}
          </button>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
    {showProducts && (
      <tr className="products-row" id={productsId}>
        <td colSpan={COLUMNS}>
          <h4 className="sr-only">Sản phẩm của hoạt động {a.ref || `${a.area}.${a.code}`}</h4>
          <ActivityProducts planId={planId} activityId={a.id} />
        </td>
      </tr>
    )}
    </>
  );
}

function ActivityTable({ activities, planId, caption }) {
  if (!activities.length) return <p className="muted">Không có hoạt động nào.</p>;
  return (
    <div className="table-wrap">
      <table className="responsive">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Mã</th>
            <th scope="col">Hoạt động</th>
            <th scope="col">Đơn vị chủ trì</th>
            <th scope="col">Thời hạn</th>
            <th scope="col">Tình trạng</th>
            <th scope="col">Hồ sơ</th>
            <th scope="col" className="col-products">
              Sản phẩm
            </th>
          </tr>
        </thead>
        <tbody>
          {activities.map((a) => (
            <ActivityRow key={a.id} a={a} planId={planId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** While printing, every closed <details> inside ``ref`` is open (a printed plan shows all its activities). */
function useOpenForPrint(ref) {
  useEffect(() => {
    let opened = [];
    const before = () => {
      opened = [...(ref.current ? ref.current.querySelectorAll("details:not([open])") : [])];
      for (const d of opened) d.open = true;
    };
    const after = () => {
      for (const d of opened) d.open = false;
      opened = [];
    };
    window.addEventListener("beforeprint", before);
    window.addEventListener("afterprint", after);
    return () => {
      window.removeEventListener("beforeprint", before);
      window.removeEventListener("afterprint", after);
    };
  }, [ref]);
}

function PlanTree({ plan, visible, progress }) {
  const tree = useRef(null);
  useOpenForPrint(tree);
  const keep = (a) => !visible || visible.has(a.id);
  // the duties of the plan's "Tổ chức thực hiện" part are activities outside the seven areas
  const dutiesArea = ((progress && progress.by_area) || []).find((a) => !(plan.areas || []).some((x) => x.code === a.code));
  const dutiesTitle = dutiesArea ? `${dutiesArea.code}. ${dutiesArea.title}` : "Nhiệm vụ tổ chức thực hiện";
  return (
    <div className="plan-tree" data-testid="plan-tree" ref={tree}>
      {(plan.areas || []).map((area) => {
        const acts = area.objectives.flatMap((o) => o.tasks.flatMap((t) => t.activities)).filter(keep);
        if (visible && !acts.length) return null;
        return (
          <details key={area.code} open={!!visible}>
            <summary>
              {area.code}. {area.title} <span className="muted">({acts.length} hoạt động)</span>{" "}
              {STATUSES.filter((s) => (area.progress || {})[s]).map((s) => (
                <span key={s} title={PLAN_STATUS[s]} style={{ marginRight: ".4rem", fontWeight: 400 }}>
                  <span className="status-dot" style={{ background: PLAN_STATUS_COLORS[s] }} />
                  {area.progress[s]}
                </span>
              ))}
            </summary>
            {area.objectives.map((o) => (
              <div key={o.code} className="objective">
                <p>
                  <strong>Mục tiêu {o.code}.</strong> {o.text}
                </p>
                {o.tasks.map((t) => {
                  const list = t.activities.filter(keep);
                  if (visible && !list.length) return null;
                  return (
                    <div key={t.code} className="task">
                      <p>
                        Nhiệm vụ {t.code}. {t.text}
                      </p>
                      <ActivityTable activities={list} planId={plan.id} caption={`Hoạt động của nhiệm vụ ${t.code}`} />
                    </div>
                  );
                })}
              </div>
            ))}
          </details>
        );
      })}
      {(() => {
        const duties = (plan.duties || []).filter(keep);
        if (!duties.length) return null;
        return (
          <details open={!!visible}>
            <summary>
              {dutiesTitle} <span className="muted">({duties.length} hoạt động)</span>
            </summary>
            <ActivityTable activities={duties} planId={plan.id} caption={dutiesTitle} />
          </details>
        );
      })()}
    </div>
  );
}

function LaunchBox({ planId, onLaunched }) {
  const [until, setUntil] = useState(isoLocalDate());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const launch = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api(`plans/${planId}/launch`, { method: "POST", json: until ? { until } : {} });
      setResult(r);
      onLaunched();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card no-print" aria-labelledby="launch-title">
      <h2 id="launch-title">Khởi động hoạt động</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="launch-until">Khởi động các lượt thực hiện bắt đầu đến ngày</label>
          <input id="launch-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
        <button type="button" className="btn" onClick={launch} disabled={busy}>
          Khởi động
        </button>
      </div>
      <ErrorBox error={error} />
      {result && (
        <p className="alert alert-ok" data-testid="launch-result">
          Đã khởi động {result.created ?? 0} hồ sơ mới
          {result.already_running ? ` (${result.already_running} lượt đã có hồ sơ từ trước)` : ""}.
        </p>
      )}
    </section>
  );
}

function Plans({ user }) {
  const params = new URLSearchParams(window.location.search);
  const plans = useApi("plans");
  const [planId, setPlanId] = useState(params.get("plan") || "");
  const [area, setArea] = useState("");
  const [unit, setUnit] = useState("");
  const [status, setStatus] = useState("");
  const [dueBefore, setDueBefore] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!planId && plans.data && plans.data.length) {
      const sorted = [...plans.data].sort((a, b) => b.year - a.year || b.id - a.id);
      setPlanId(String(sorted[0].id));
    }
  }, [plans.data, planId]);
  const plan = useApi(planId ? `plans/${planId}?t=${tick}` : null);
  const progress = useApi(planId ? `plans/${planId}/progress?t=${tick}` : null);
  const filtering = !!(area || unit || status || dueBefore);
  const activities = useApi(planId && filtering ? `plans/${planId}/activities${query({ area, unit, status, due_before: dueBefore })}` : null);
  const units = useApi("units");
  const visible = useMemo(() => (filtering && activities.data ? new Set(activities.data.items.map((a) => a.id)) : null), [filtering, activities.data]);
  const mayEdit = user.roles.some((r) => r === "admin" || r === "coordinator");

  if (plans.error) return <ErrorBox error={plans.error} />;
  if (!plans.data) return <Loading what="kế hoạch" />;
  const p = plan.data;
  // an administrator or the province sees the plans of several organisations: name each one's
  const manyOrganisations = new Set(plans.data.map((x) => x.organisation.code)).size > 1;
  return (
    <>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="plan-select">Kế hoạch</label>
          <select id="plan-select" value={planId} onChange={(e) => setPlanId(e.target.value)}>
            {plans.data.map((x) => (
              <option key={x.id} value={x.id}>
                {x.year} — {x.title}
                {manyOrganisations ? ` — ${x.organisation.name}` : ""}
              </option>
            ))}
          </select>
        </div>
      </div>
      {plans.data.length === 0 && <p className="card">Chưa có kế hoạch nào. Hãy nhập kế hoạch bên dưới.</p>}
      <ErrorBox error={plan.error} />
      {p && (
        <section className="card" aria-labelledby="plan-title">
          <h2 id="plan-title" data-testid="plan-title">
            Kế hoạch {p.number ? `số ${p.number} ` : ""}«{p.title}» năm {p.year}
          </h2>
          <dl className="kv">
            <dt>Cơ quan ban hành</dt>
            <dd>{(units.data || []).find((u) => u.code === p.issuing_unit)?.name || p.issuing_unit || "—"}</dd>
            <dt>Ngày ban hành</dt>
            <dd>{p.issued_on ? fmtDate(p.issued_on) : "—"}</dd>
            <dt>Số hoạt động</dt>
            <dd data-testid="activity-count">{p.activity_count}</dd>
          </dl>
          {progress.data && (
            <ul className="status-chips" aria-label="Tình trạng các hoạt động" data-testid="overall">
              {STATUSES.map((s) => (
                <li key={s} style={{ background: PLAN_STATUS_COLORS[s] }}>
                  {PLAN_STATUS[s]}: {(progress.data.overall || {})[s] || 0}
                </li>
              ))}
            </ul>
          )}
          <PlanExports planId={p.id} />
        </section>
      )}
      {progress.data && <Charts progress={progress.data} />}
      {p && (
        <section className="card" aria-labelledby="tree-title">
          <h2 id="tree-title">Nội dung kế hoạch</h2>
          <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Lọc hoạt động">
            <div className="field">
              <label htmlFor="f-area">Lĩnh vực</label>
              <select id="f-area" value={area} onChange={(e) => setArea(e.target.value)}>
                <option value="">Tất cả</option>
                {(p.areas || []).map((a) => (
                  <option key={a.code} value={a.code}>
                    {a.code}. {a.title}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-unit">Đơn vị chủ trì</label>
              <select id="f-unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
                <option value="">Tất cả</option>
                {(units.data || []).map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-status">Tình trạng</label>
              <select id="f-status" value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">Tất cả</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {PLAN_STATUS[s]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-due">Hạn trước ngày</label>
              <input id="f-due" type="date" value={dueBefore} onChange={(e) => setDueBefore(e.target.value)} />
            </div>
            {filtering && (
              <button type="button" className="btn" onClick={() => (setArea(""), setUnit(""), setStatus(""), setDueBefore(""))}>
                Bỏ lọc
              </button>
            )}
          </form>
          <ErrorBox error={activities.error} />
          {filtering && activities.data && (
            <p role="status" data-testid="filter-count">
              Có {activities.data.total} hoạt động phù hợp.
            </p>
          )}
          <PlanTree plan={p} visible={visible} progress={progress.data} />
        </section>
      )}
      {mayEdit && p && <LaunchBox planId={p.id} onLaunched={() => setTick((t) => t + 1)} />}
      {mayEdit && (
        <ImportBox
          onImported={(imported) => {
            plans.reload();
            if (imported && imported.id) setPlanId(String(imported.id));
            setTick((t) => t + 1);
          }}
        />
      )}
      {mayEdit && !user.roles.includes("admin") && <OwnCriteriaSets />}
    </>
  );
}

mount(Plans);
