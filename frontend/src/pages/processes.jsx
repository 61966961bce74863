// Quản trị quy trình: definitions and versions, a bpmn-js Modeler with a properties panel (spiffworkflow
// properties), Kiểm tra (validate, problems shown on their elements), Triển khai (deploy a new version), the
// version history with a visual diff of two versions, and the running instances per version.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/assets/properties-panel.css";
import "../lib/bpmn-markers.css";
import "../styles/modeler.css";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { SpiffPropertiesModule } from "../bpmn/spiff-properties.js";
import { importDiagram } from "../bpmn/spiff-references.js";
import { TranslateViModule } from "../bpmn/translate-vi.js";
import { api, ApiError, query } from "../lib/api.js";
import { usePage } from "../lib/lists.jsx";
import { fmtDateTime } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { bundle } from "../lib/bundle.js";
import { ProblemList, WarningList } from "../lib/problems.jsx";
import { DeployConfirm, ScenarioResults, useScenarioRun } from "../lib/scenarios.jsx";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import { DiffView, fetchXml, MODDLE } from "../lib/version-diff.jsx";
import { MigrationView } from "../lib/migration.jsx";

function ModelerView({ definition, version, files, onDeployed }) {
  const canvasRef = useRef(null);
  const panelRef = useRef(null);
  const modelerRef = useRef(null);
  const overlaysRef = useRef([]);
  const [importInfo, setImportInfo] = useState(null);
  const [status, setStatus] = useState(null);
  const [problems, setProblems] = useState([]);
  const [warnings, setWarnings] = useState([]);
  const [busy, setBusy] = useState(false);
  const scenarios = useScenarioRun(modelerRef);

  useEffect(() => {
    const modeler = new Modeler({
      container: canvasRef.current,
      propertiesPanel: { parent: panelRef.current },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule, TranslateViModule],
      moddleExtensions: MODDLE,
    });
    modelerRef.current = modeler;
    window.cchcModeler = modeler; // lets the browser tests inspect the diagram
    window.cchcImportDiagram = (xml) => importDiagram(modeler, xml);
    return () => {
      modeler.destroy();
      modelerRef.current = null;
    };
  }, []);

  const processKey = definition ? definition.key : null;
  useEffect(() => setStatus(null), [processKey]); // a message about another process does not carry over

  const clearMarks = useCallback(() => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    const overlays = modeler.get("overlays");
    const canvas = modeler.get("canvas");
    for (const { id, overlay } of overlaysRef.current) {
      overlays.remove(overlay);
      canvas.removeMarker(id, "cchc-error");
    }
    overlaysRef.current = [];
  }, []);

  const load = useCallback(
    async (xml) => {
      const modeler = modelerRef.current;
      clearMarks();
      scenarios.reset();
      setProblems([]);
      setWarnings([]);
      try {
        const result = await importDiagram(modeler, xml);
        modeler.get("canvas").zoom("fit-viewport", "auto");
        setImportInfo({ warnings: result.warnings });
      } catch (e) {
        setImportInfo({ error: e.message, warnings: e.warnings || [] });
      }
    },
    [clearMarks, scenarios.reset],
  );

  useEffect(() => {
    if (!definition || !version) return;
    fetchXml(definition.key, version).then(load, (e) => setStatus({ kind: "error", error: e }));
  }, [definition, version, load]);

  const showProblems = useCallback(
    (list) => {
      const modeler = modelerRef.current;
      clearMarks();
      setProblems(list);
      const registry = modeler.get("elementRegistry");
      const overlays = modeler.get("overlays");
      const canvas = modeler.get("canvas");
      const byElement = {};
      for (const p of list) if (p.element_id && registry.get(p.element_id)) (byElement[p.element_id] ||= []).push(p.message);
      for (const [id, messages] of Object.entries(byElement)) {
        canvas.addMarker(id, "cchc-error");
        const html = document.createElement("div");
        html.className = "problem-badge";
        html.textContent = String(messages.length);
        html.title = messages.join("\n");
        html.dataset.elementId = id;
        html.setAttribute("role", "note");
        html.setAttribute("aria-label", `${id}: ${messages.join("; ")}`);
        const overlay = overlays.add(id, "cchc-problem", { position: { top: -10, right: 10 }, html });
        overlaysRef.current.push({ id, overlay });
      }
    },
    [clearMarks],
  );

  const focusElement = (id) => {
    const modeler = modelerRef.current;
    const element = modeler.get("elementRegistry").get(id);
    if (!element) return;
    modeler.get("canvas").scrollToElement(element);
    modeler.get("selection").select(element);
  };

  const currentXml = async () => (await modelerRef.current.saveXML({ format: true })).xml;

  const validate = async () => {
    setBusy(true);
    setStatus(null);
    setWarnings([]);
    try {
      const report = await api("process-definitions/validate", { method: "POST", body: bundle(await currentXml(), files) });
      showProblems(report.problems);
      setWarnings(report.warnings || []);
      setStatus(report.valid ? { kind: "ok", text: "Sơ đồ hợp lệ, có thể triển khai." } : { kind: "error", text: `Sơ đồ có ${report.problems.length} lỗi.` });
    } catch (e) {
      setStatus({ kind: "error", error: e });
    } finally {
      setBusy(false);
    }
  };

  const deploy = async (confirm = false) => {
    setBusy(true);
    setStatus(null);
    setWarnings([]);
    try {
      const fields = confirm ? { confirm_failing_scenarios: "true" } : {};
      const result = await api("process-definitions", { method: "POST", body: bundle(await currentXml(), files, fields) });
      clearMarks();
      setProblems([]);
      setWarnings(result.warnings || []);
      setStatus({
        kind: "ok",
        text: result.created ? `Đã triển khai phiên bản ${result.version} của quy trình "${result.key}".` : `Nội dung giống phiên bản ${result.version} đã có; không tạo phiên bản mới.`,
      });
      onDeployed(result);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && Array.isArray(e.details)) showProblems(e.details);
      setStatus({ kind: e instanceof ApiError && e.code === "scenarios_failing" ? "confirm" : "error", error: e });
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    const blob = new Blob([await currentXml()], { type: "application/xml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${definition ? definition.key : "quy-trinh"}.bpmn`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const openFile = async (event) => {
    const file = event.target.files && event.target.files[0];
    if (file) await load(await file.text());
    event.target.value = "";
  };

  return (
    <section aria-labelledby="modeler-title">
      <h2 id="modeler-title">
        Sơ đồ {definition ? `"${definition.name || definition.key}"` : ""} {version ? `— phiên bản ${version}` : ""}
      </h2>
      <div className="toolbar" role="toolbar" aria-label="Thao tác với sơ đồ">
        <button type="button" className="btn" onClick={validate} disabled={busy || !files}>
          Kiểm tra
        </button>
        <button type="button" className="btn" onClick={async () => scenarios.run(bundle(await currentXml(), files))} disabled={busy || scenarios.busy || !files}>
          Chạy kịch bản
        </button>
        <button type="button" className="btn btn-primary" onClick={() => deploy()} disabled={busy || !files}>
          Triển khai
        </button>
        <button type="button" className="btn" onClick={download}>
          Tải xuống tệp BPMN
        </button>
        <label className="btn" htmlFor="open-bpmn">
          Mở tệp BPMN…
        </label>
        <input id="open-bpmn" type="file" accept=".bpmn,.xml" className="sr-only" onChange={openFile} />
      </div>
      <div role="status" aria-live="polite" data-testid="modeler-status">
        {status && status.kind === "ok" && <p className="alert alert-ok">{status.text}</p>}
        {status && status.kind === "confirm" && <DeployConfirm error={status.error} busy={busy} onConfirm={() => deploy(true)} />}
        {status && status.kind === "error" && (status.error ? <ErrorBox error={status.error} /> : <p className="alert alert-error">{status.text}</p>)}
        {importInfo && importInfo.error && <p className="alert alert-error">Không mở được sơ đồ: {importInfo.error}</p>}
        {importInfo && importInfo.warnings.length > 0 && (
          <details className="alert alert-warn">
            <summary>Có {importInfo.warnings.length} cảnh báo khi mở sơ đồ</summary>
            <ul>
              {importInfo.warnings.map((w, i) => (
                <li key={i}>{w.message}</li>
              ))}
            </ul>
          </details>
        )}
      </div>
      {problems.length > 0 && <ProblemList problems={problems} onShow={focusElement} />}
      {warnings.length > 0 && <WarningList warnings={warnings} onShow={focusElement} />}
      <div className={`modeler-layout${scenarios.report || scenarios.busy || scenarios.error ? " with-scenarios" : ""}`}>
        <div ref={canvasRef} className="modeler-canvas" data-testid="modeler" tabIndex={0} aria-label="Vùng vẽ sơ đồ quy trình" />
        <div ref={panelRef} className="modeler-panel" aria-label="Thuộc tính phần tử" />
        <ScenarioResults run={scenarios} />
      </div>
    </section>
  );
}

/** "2 đang chạy / 5 hồ sơ" of one version, from the lists' X-Total-Count. */
function VersionCount({ processKey, version }) {
  const base = { process_key: processKey, version, limit: 1 };
  const open = usePage(`process-instances${query({ ...base, status: "open" })}`);
  const all = usePage(`process-instances${query(base)}`);
  return (
    <a href={`/instances?process_key=${processKey}&version=${version}`}>
      {open.total} đang chạy / {all.total} hồ sơ
    </a>
  );
}

function Processes() {
  const params = new URLSearchParams(window.location.search);
  const definitions = useApi("process-definitions");
  const [key, setKey] = useState(params.get("key") || "");
  const [version, setVersion] = useState(params.get("version") || "");
  const versions = useApi(key ? `process-definitions/${key}/versions` : null);
  const [countsTick, setCountsTick] = useState(0);
  const [files, setFiles] = useState(null);

  useEffect(() => {
    if (!key && definitions.data && definitions.data.length) setKey(definitions.data[0].key);
  }, [definitions.data, key]);
  useEffect(() => {
    if (versions.data && versions.data.length && !versions.data.some((v) => String(v.version) === String(version))) {
      setVersion(String(versions.data[0].version));
    }
  }, [versions.data, version]);
  useEffect(() => {
    if (!key || !version) return;
    setFiles(null);
    api(`process-definitions/${key}/versions/${version}/files`).then((r) => setFiles(r.files), () => setFiles({}));
    const url = new URL(window.location.href);
    url.searchParams.set("key", key);
    url.searchParams.set("version", version);
    window.history.replaceState(null, "", url);
  }, [key, version]);

  const definition = useMemo(() => (definitions.data || []).find((d) => d.key === key), [definitions.data, key]);

  const onDeployed = (result) => {
    definitions.reload();
    versions.reload();
    setCountsTick((t) => t + 1);
    if (result.created) setVersion(String(result.version));
  };

  if (definitions.error) return <ErrorBox error={definitions.error} />;
  if (!definitions.data) return <Loading what="danh sách quy trình" />;
  return (
    <>
      <section className="card" aria-labelledby="defs-title">
        <h2 id="defs-title">Quy trình đã triển khai</h2>
        <ul className="process-list">
          {definitions.data.map((d) => (
            <li key={d.key}>
              <button type="button" className="btn" aria-pressed={d.key === key} onClick={() => (setKey(d.key), setVersion(""))}>
                {d.name || d.key} <span className="muted">(v{d.version})</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {key && (
        <>
          <section className="card" aria-labelledby="versions-title">
            <h2 id="versions-title">Phiên bản</h2>
            {!versions.data ? (
              <Loading what="phiên bản" />
            ) : (
              <div className="table-wrap">
                <table data-testid="versions">
                  <caption className="sr-only">Các phiên bản của quy trình và hồ sơ đang chạy</caption>
                  <thead>
                    <tr>
                      <th scope="col">Phiên bản</th>
                      <th scope="col">Triển khai</th>
                      <th scope="col">Hồ sơ đang chạy</th>
                      <th scope="col">Thao tác</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versions.data.map((v) => (
                      <tr key={v.version} data-version={v.version}>
                        <td>{v.version}</td>
                        <td>
                          {fmtDateTime(v.deployed_at)}
                          {v.deployed_by ? ` · ${v.deployed_by}` : ""}
                        </td>
                        <td>
                          <VersionCount key={`${v.version}-${countsTick}`} processKey={key} version={v.version} />
                        </td>
                        <td>
                          <button type="button" className="btn" aria-pressed={String(v.version) === String(version)} onClick={() => setVersion(String(v.version))}>
                            Mở trong trình vẽ
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
      {key && version && (
        <div className="card">
          <ModelerView definition={definition} version={version} files={files} onDeployed={onDeployed} />
        </div>
      )}
      {key && definition && versions.data && (
        <section className="card">
          <DiffView definition={definition} versions={versions.data} />
        </section>
      )}
      {key && definition && versions.data && versions.data.length >= 2 && (
        <section className="card">
          <MigrationView definition={definition} versions={versions.data} onMigrated={() => setCountsTick((t) => t + 1)} />
        </section>
      )}
    </>
  );
}

mount(Processes);
