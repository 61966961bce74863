// Excel files outside a plan (docs/exports.md): the results of an index-scoring round and the overdue list.
// Plain links, as for the plan's files: the browser sends the session cookie with the GET and saves the file.
import { useState } from "react";

// The round's results exist once the index is computed: from the leaders' approval on (Script_index runs
// just before Task_result_approve). Units see them once the round is completed (published).
const RESULT_STEPS = new Set(["Task_result_approve", "Task_publish"]);

export function hasScoringResults(instance, insider) {
  if (instance.process_key !== "index_scoring") return false;
  if (instance.status === "completed") return true;
  return !!insider && (instance.open_tasks || []).some((t) => RESULT_STEPS.has(t.element_id));
}

export function ScoringResultsLink({ instance, insider }) {
  if (!hasScoringResults(instance, insider)) return null;
  return (
    <a
      className="btn btn-small"
      href={`/api/v1/process-instances/${instance.id}/scoring-results/export?format=xlsx`}
      download
      data-testid="scoring-results-xlsx"
      title="Tải kết quả Chỉ số CCHC: điểm theo lĩnh vực và tiêu chí, tổng điểm, xếp hạng, xếp loại"
    >
      Kết quả Chỉ số CCHC (Excel)
    </a>
  );
}

export function overdueHref(from, to) {
  const params = new URLSearchParams({ format: "xlsx" });
  if (from) params.set("from", from);
  if (to) params.set("to", to);
  return `/api/v1/reports/overdue/export?${params.toString()}`;
}

export function OverdueExport() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  return (
    <div className="toolbar" role="group" aria-label="Xuất danh sách quá hạn" data-testid="overdue-export">
      <div className="field">
        <label htmlFor="overdue-from">Hạn xử lý từ ngày</label>
        <input id="overdue-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="overdue-to">đến ngày</label>
        <input id="overdue-to" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </div>
      <a className="btn" href={overdueHref(from, to)} download data-testid="overdue-xlsx">
        Danh sách quá hạn (Excel)
      </a>
    </div>
  );
}
