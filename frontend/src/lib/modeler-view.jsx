// The modeler of Quản trị quy trình (loaded on demand by pages/processes.jsx, with bpmn-js and its properties
// panel): Kiểm tra (problems shown on their elements), Chạy kịch bản (lib/scenarios.jsx), Triển khai (the new version then shown with its name), a
// local draft of the diagram as edited (lib/modeler-draft.js), and whether anything is unsaved (``onDirtyChange``).
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import { useCallback, useEffect, useRef, useState } from "react";
import { SpiffPropertiesModule } from "../bpmn/spiff-properties.js";
import { importDiagram } from "../bpmn/spiff-references.js";
import { TranslateViModule } from "../bpmn/translate-vi.js";
import { api, ApiError } from "./api.js";
import { bundle, fetchXml, MODDLE } from "./bpmn-bundle.js";
import { fmtDateTime } from "./format.js";
import { modelerDraftKey, readModelerDraft, removeModelerDraft, writeModelerDraft } from "./modeler-draft.js";
import { ProblemList, WarningList } from "./problems.jsx";
import { DeployConfirm, ScenarioResults, useScenarioRun } from "./scenarios.jsx";
import { ErrorBox } from "./ui.jsx";

const DRAFT_DELAY_MS = 500;

export default function ModelerView({ definition, version, versionInfo, files, user, onDeployed, onDirtyChange }) {
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
  const [changed, setChanged] = useState(false); // edits since the version (or the draft) was opened
  const [restored, setRestored] = useState(false); // a draft or a file opened: unsaved until deployed
  const [offer, setOffer] = useState(null); // a draft of this process found on opening it
  const dirty = changed || restored;
  const place = useRef({ draftKey: null, version: null, dirty: false });
  place.current.dirty = dirty;
  const draftTimer = useRef(null);

  useEffect(() => onDirtyChange && onDirtyChange(dirty), [dirty, onDirtyChange]);

  // the diagram as edited goes to the local draft shortly after each change (undoing everything removes it)
  const saveDraft = useCallback(() => {
    clearTimeout(draftTimer.current);
    const scheduled = place.current.draftKey;
    draftTimer.current = setTimeout(async () => {
      const modeler = modelerRef.current;
      const { draftKey, version: base, dirty: unsaved } = place.current;
      if (!modeler || !draftKey || draftKey !== scheduled) return; // another process opened meanwhile
      if (!unsaved) return removeModelerDraft(draftKey);
      const { xml } = await modeler.saveXML({ format: true });
      writeModelerDraft(draftKey, xml, base);
    }, DRAFT_DELAY_MS);
  }, []);

  useEffect(() => {
    const modeler = new Modeler({
      container: canvasRef.current,
      propertiesPanel: { parent: panelRef.current },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule, TranslateViModule],
      moddleExtensions: MODDLE,
    });
    modelerRef.current = modeler;
    modeler.on("commandStack.changed", (event) => {
      const stack = modeler.get("commandStack");
      setChanged(stack.canUndo());
      if (event.trigger !== "clear") saveDraft(); // an import clears the stack: that is no edit
    });
    window.cchcModeler = modeler; // lets the browser tests inspect the diagram
    window.cchcImportDiagram = (xml) => importDiagram(modeler, xml);
    return () => {
      clearTimeout(draftTimer.current);
      modeler.destroy();
      modelerRef.current = null;
    };
  }, [saveDraft]);

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
    if (!processKey || !version) return undefined;
    let live = true;
    const draftKey = modelerDraftKey(user, processKey);
    place.current = { draftKey, version, dirty: false };
    setRestored(false);
    setOffer(null);
    fetchXml(processKey, version).then(
      async (xml) => {
        if (!live) return;
        await load(xml);
        const draft = readModelerDraft(draftKey);
        if (live && draft && draft.xml !== xml) setOffer(draft);
      },
      (e) => live && setStatus({ kind: "error", error: e }),
    );
    return () => {
      live = false;
    };
  }, [processKey, version, user, load]);

  const openDraft = async () => {
    const draft = offer;
    setOffer(null);
    await load(draft.xml);
    setRestored(true);
  };

  const discardDraft = () => {
    removeModelerDraft(place.current.draftKey);
    setOffer(null);
  };

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
      // what is on the canvas is deployed now: no draft, nothing unsaved
      removeModelerDraft(place.current.draftKey);
      place.current.dirty = false;
      setRestored(false);
      modelerRef.current.get("commandStack").clear();
      const name = (result.definition && result.definition.name) || (definition && definition.name) || result.key;
      setStatus({
        kind: "ok",
        text: result.created
          ? `Đã triển khai phiên bản ${result.version} của quy trình "${name}".`
          : `Nội dung giống phiên bản ${result.version} đã có của quy trình "${name}"; không tạo phiên bản mới.`,
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
    event.target.value = "";
    if (!file) return;
    await load(await file.text());
    setRestored(true); // another diagram on the canvas: unsaved until deployed
    saveDraft();
  };

  return (
    <section aria-labelledby="modeler-title">
      <h2 id="modeler-title" data-testid="modeler-title">
        Sơ đồ {definition ? `"${(versionInfo && versionInfo.name) || definition.name || definition.key}"` : ""}{" "}
        {version ? `— phiên bản ${version}` : ""}
        {dirty && <span className="chip state-due_soon unsaved-chip">Có thay đổi chưa triển khai</span>}
      </h2>
      {offer && (
        <div className="alert alert-warn" role="alert" data-testid="modeler-draft">
          <p>
            Có bản nháp chưa triển khai của quy trình này, lưu trên máy này lúc {fmtDateTime(offer.saved_at)}
            {offer.version ? ` (sửa từ phiên bản ${offer.version})` : ""}.
          </p>
          <div className="toolbar">
            <button type="button" className="btn btn-primary" onClick={openDraft}>
              Mở bản nháp
            </button>
            <button type="button" className="btn" onClick={discardDraft}>
              Bỏ bản nháp
            </button>
          </div>
        </div>
      )}
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

