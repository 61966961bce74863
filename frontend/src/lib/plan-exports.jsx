// Files made from a plan (docs/exports.md): its progress as Excel, the periodic CCHC report as Word.
// Plain links: the browser sends the session cookie with a GET and saves the file under the server's name.
import { useState } from "react";

const PERIODS = [
  { value: "quarter=1", label: "Quý I" },
  { value: "quarter=2", label: "Quý II" },
  { value: "quarter=3", label: "Quý III" },
  { value: "quarter=4", label: "Quý IV" },
  { value: "half=1", label: "6 tháng đầu năm" },
  { value: "half=2", label: "6 tháng cuối năm" },
  { value: "year", label: "Cả năm" },
];

export function reportHref(planId, period) {
  const [kind, number] = period.split("=");
  const params = new URLSearchParams({ period: kind, format: "docx" });
  if (number) params.set(kind, number);
  return `/api/v1/plans/${planId}/report?${params.toString()}`;
}

export function PlanExports({ planId }) {
  const [period, setPeriod] = useState("quarter=1");
  return (
    <div className="toolbar" role="group" aria-label="Xuất tệp" data-testid="plan-exports">
      <a className="btn" href={`/api/v1/plans/${planId}/export?format=xlsx`} download data-testid="export-xlsx">
        Xuất Excel
      </a>
      <label>
        Kỳ báo cáo{" "}
        <select value={period} onChange={(e) => setPeriod(e.target.value)} data-testid="report-period">
          {PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <a className="btn btn-primary" href={reportHref(planId, period)} download data-testid="export-report">
        Báo cáo (Word)
      </a>
    </div>
  );
}
