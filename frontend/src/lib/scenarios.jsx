// "Chạy kịch bản" on the modeler page: the current draft's scenarios (the process's feature files) run on the
// server in an isolated engine (POST /process-definitions/test); the results beside the diagram, each scenario
// with its steps and their status, the element of a failing step marked and shown, and the coverage: which lanes
// and steps the scenarios reached (marked on the canvas too).
import { useCallback, useEffect, useRef, useState } from "react";
import "../styles/scenarios.css";
import { api } from "./api.js";
import { ErrorBox } from "./ui.jsx";

const STATUS = {
  passed: { icon: "✓", label: "Đạt" },
  failed: { icon: "✗", label: "Không đạt" },
  undefined: { icon: "?", label: "Chưa có định nghĩa bước" },
  skipped: { icon: "–", label: "Bỏ qua" },
};
const HUMAN = new Set(["userTask", "manualTask"]);
const MARKERS = ["cchc-scenario-failed", "cchc-covered", "cchc-uncovered"];

function Status({ status }) {
  const s = STATUS[status] || STATUS.skipped;
  return (
    <span className={`scenario-status status-${status}`} title={s.label} aria-label={s.label} role="img">
      {s.icon}
    </span>
  );
}

/** The run of the draft: ``run(body)`` posts the bundle; the markers on the canvas follow the report. */
export function useScenarioRun(modelerRef) {
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const marked = useRef([]);

  const clear = useCallback(() => {
    const modeler = modelerRef.current;
    if (modeler) {
      const canvas = modeler.get("canvas");
      const overlays = modeler.get("overlays");
      for (const id of marked.current) {
        for (const cls of MARKERS) canvas.removeMarker(id, cls);
        overlays.remove({ element: id, type: "cchc-scenario" });
      }
    }
    marked.current = [];
  }, [modelerRef]);

  const show = useCallback(
    (id) => {
      const modeler = modelerRef.current;
      const element = modeler && modeler.get("elementRegistry").get(id);
      if (!element) return;
      const canvas = modeler.get("canvas");
      canvas.getContainer().scrollIntoView({ block: "nearest" }); // the diagram itself on screen, then the element in it
      if (canvas.zoom() < 0.8) canvas.zoom(0.8);
      canvas.scrollToElement(element, { top: 120, bottom: 120, left: 120, right: 120 });
      modeler.get("selection").select(element);
    },
    [modelerRef],
  );

  const mark = useCallback(
    (result) => {
      const modeler = modelerRef.current;
      const registry = modeler.get("elementRegistry");
      const canvas = modeler.get("canvas");
      const overlays = modeler.get("overlays");
      const add = (id, cls) => {
        if (!registry.get(id)) return;
        canvas.addMarker(id, cls);
        marked.current.push(id);
      };
      for (const e of result.coverage.elements) if (HUMAN.has(e.kind)) add(e.element_id, e.reached ? "cchc-covered" : "cchc-uncovered");
      const failing = [];
      for (const s of result.scenarios)
        for (const step of s.steps) if (step.status === "failed" && step.element_id && !failing.includes(step.element_id)) failing.push(step.element_id);
      for (const id of failing) {
        if (!registry.get(id)) continue;
        canvas.removeMarker(id, "cchc-covered");
        add(id, "cchc-scenario-failed");
        const html = document.createElement("div");
        html.className = "scenario-badge";
        html.textContent = "✗";
        html.title = "Kịch bản không đạt ở bước này";
        html.dataset.elementId = id;
        overlays.add(id, "cchc-scenario", { position: { top: -12, left: -12 }, html });
      }
      if (failing.length) show(failing[0]);
    },
    [modelerRef, show],
  );

  const run = useCallback(
    async (body) => {
      setBusy(true);
      setError(null);
      clear();
      try {
        setReport(await api("process-definitions/test", { method: "POST", body }));
      } catch (e) {
        setReport(null);
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [clear],
  );

  // once the results sit beside the diagram (the canvas is narrower): mark the elements, show the failing one
  useEffect(() => {
    const modeler = modelerRef.current;
    if (!report || !modeler) return;
    modeler.get("canvas").resized();
    mark(report);
  }, [report, mark, modelerRef]);

  const reset = useCallback(() => {
    clear();
    setReport(null);
    setError(null);
  }, [clear]);

  return { report, error, busy, run, reset, show };
}

function StepLine({ step, onShow }) {
  return (
    <li className={`scenario-step step-${step.status}`} data-status={step.status}>
      <Status status={step.status} />{" "}
      <span className="step-text">
        <strong>{step.keyword}</strong> {step.text}
      </span>
      {step.status === "failed" && step.element_id && (
        <button type="button" className="btn-link" onClick={() => onShow(step.element_id)}>
          Xem trên sơ đồ: {step.element_name ? `"${step.element_name}" ` : ""}({step.element_id})
        </button>
      )}
      {step.message && step.status !== "passed" && <p className="step-message">{step.message}</p>}
    </li>
  );
}

function Coverage({ coverage, onShow }) {
  const steps = coverage.elements.filter((e) => HUMAN.has(e.kind));
  return (
    <section aria-labelledby="coverage-title" data-testid="scenario-coverage">
      <h4 id="coverage-title">Độ phủ của kịch bản</h4>
      <p>
        Làn: {coverage.lanes_reached}/{coverage.lanes.length} · Bước xử lý: {coverage.steps_reached}/{coverage.steps_total} · Mọi phần tử:{" "}
        {coverage.elements_reached}/{coverage.elements.length}
      </p>
      <ul className="coverage-list" aria-label="Các làn">
        {coverage.lanes.map((lane) => (
          <li key={lane.name} data-reached={lane.reached}>
            <Status status={lane.reached ? "passed" : "skipped"} /> Làn "{lane.name}" {lane.reached ? "đã được kịch bản đi qua" : "chưa kịch bản nào đi qua"}
          </li>
        ))}
      </ul>
      <ul className="coverage-list" aria-label="Các bước xử lý">
        {steps.map((e) => (
          <li key={e.element_id} data-reached={e.reached}>
            <Status status={e.reached ? "passed" : "skipped"} />{" "}
            <button type="button" className="btn-link" onClick={() => onShow(e.element_id)}>
              {e.name || e.element_id}
            </button>{" "}
            {e.reached ? "" : <span className="muted">(chưa kịch bản nào đi qua)</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The results beside the diagram. */
export function ScenarioResults({ run }) {
  const { report, error, busy, show } = run;
  const asideRef = useRef(null);
  useEffect(() => {
    // the first failing step in view inside the results (the page itself does not move)
    const aside = asideRef.current;
    const failed = aside && aside.querySelector(".scenario-step[data-status='failed'], .scenario-step[data-status='undefined']");
    if (failed) aside.scrollTop = Math.max(0, failed.offsetTop - 80); // offsetTop: within the aside (positioned)
  }, [report]);
  if (!report && !error && !busy) return null;
  return (
    <aside ref={asideRef} className="scenario-results" aria-labelledby="scenario-title" data-testid="scenario-results">
      <h3 id="scenario-title">Kết quả chạy kịch bản</h3>
      {busy && <p role="status">Đang chạy kịch bản trên bản nháp…</p>}
      <ErrorBox error={error} />
      {report && (
        <>
          <p className={`alert ${report.passed ? "alert-ok" : "alert-error"}`} role="status" data-testid="scenario-summary">
            {report.passed ? "Mọi kịch bản đều đạt" : "Có kịch bản không đạt"}: {report.counts.passed} đạt, {report.counts.failed} không đạt,{" "}
            {report.counts.undefined} có bước chưa định nghĩa ({String(report.seconds).replace(".", ",")} giây).
          </p>
          <ol className="scenario-list">
            {report.scenarios.map((s, i) => (
              <li key={i} data-status={s.status}>
                <details open={s.status !== "passed"}>
                  <summary>
                    <Status status={s.status} /> {s.name} <span className="muted">({s.feature}, dòng {s.line})</span>
                  </summary>
                  <ul className="scenario-steps">
                    {s.steps.map((step, j) => (
                      <StepLine key={j} step={step} onShow={show} />
                    ))}
                  </ul>
                </details>
              </li>
            ))}
          </ol>
          <Coverage coverage={report.coverage} onShow={show} />
          <ul className="diagram-legend" aria-label="Chú thích">
            <li>
              <span className="legend-covered" /> Bước kịch bản đi qua
            </li>
            <li>
              <span className="legend-uncovered" /> Bước chưa kịch bản nào đi qua
            </li>
            <li>
              <span className="legend-error" /> Bước kịch bản không đạt
            </li>
          </ul>
        </>
      )}
    </aside>
  );
}

/** A deploy refused because the draft's scenarios fail: say so, and offer to deploy anyway (recorded). */
export function DeployConfirm({ error, busy, onConfirm }) {
  return (
    <div className="alert alert-warn" role="alert" data-testid="deploy-confirm">
      <p>
        <strong>{error.message}</strong>
      </p>
      <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={busy}>
        Vẫn triển khai dù kịch bản không đạt
      </button>
    </div>
  );
}
