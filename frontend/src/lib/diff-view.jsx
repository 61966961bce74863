// So sánh hai phiên bản (loaded on demand by pages/processes.jsx and lib/migration.jsx): both diagrams side by side, what was added,
// removed or changed marked on them and listed in words, each changed property by its Vietnamese name.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff as bpmnDiff } from "bpmn-js-differ";
import { BpmnModdle } from "bpmn-moddle";
import { useEffect, useRef, useState } from "react";
import { fetchXml, MODDLE } from "./bpmn-bundle.js";
import { ErrorBox } from "./ui.jsx";

// the properties bpmn-js-differ reports, as the modeler's panel names them
const ATTRIBUTES = {
  name: "tên",
  id: "mã",
  documentation: "mô tả",
  conditionExpression: "điều kiện",
  default: "luồng mặc định",
  sourceRef: "điểm đầu",
  targetRef: "điểm cuối",
  attachedToRef: "gắn vào bước",
  cancelActivity: "ngắt bước",
  isExecutable: "có thể chạy",
  processRef: "quy trình",
  calledElement: "quy trình được gọi",
  script: "mã kịch bản",
  scriptFormat: "ngôn ngữ kịch bản",
  eventDefinitions: "loại sự kiện",
  extensionElements: "thuộc tính mở rộng",
  loopCharacteristics: "lặp",
  triggeredByEvent: "bắt đầu bởi sự kiện",
  isInterrupting: "ngắt quy trình",
  gatewayDirection: "hướng cổng",
  text: "nội dung",
};

function attributeName(attr) {
  return ATTRIBUTES[attr] || `thuộc tính ${attr}`;
}

function display(value) {
  if (value === null || value === undefined || value === "") return "(trống)";
  if (value === true) return "có";
  if (value === false) return "không";
  if (typeof value === "object") return value.name || value.id || value.body || "(cấu trúc)";
  return String(value);
}

/** Two versions side by side with what changed; ``from``/``to`` given: those two, compared at once. */
export default function DiffView({ definition, versions, from, to }) {
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [result, setResult] = useState(null);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState(null);
  const leftRef = useRef(null);
  const rightRef = useRef(null);
  const controlled = from !== undefined && to !== undefined;
  const tid = (name) => (controlled ? `migration-${name}` : name); // the admin page shows both diffs at once
  useEffect(() => {
    if (controlled) {
      setA(String(from));
      setB(String(to));
    } else if (versions.length >= 2) {
      setA(String(versions[1].version));
      setB(String(versions[0].version));
    }
  }, [versions, controlled, from, to]);

  const compare = async () => {
    if (!a || !b || a === b) return;
    setError(null);
    setResult(null);
    setShown(true);
    await new Promise((resolve) => requestAnimationFrame(resolve)); // containers laid out before fitting
    try {
      const [xmlA, xmlB] = await Promise.all([fetchXml(definition.key, a), fetchXml(definition.key, b)]);
      const moddle = new BpmnModdle(MODDLE);
      const [defsA, defsB] = await Promise.all([moddle.fromXML(xmlA), moddle.fromXML(xmlB)]);
      const changes = bpmnDiff(defsA.rootElement, defsB.rootElement);
      const left = new NavigatedViewer({ container: leftRef.current, moddleExtensions: MODDLE });
      const right = new NavigatedViewer({ container: rightRef.current, moddleExtensions: MODDLE });
      await left.importXML(xmlA);
      await right.importXML(xmlB);
      const mark = (viewer, ids, cls) => {
        const registry = viewer.get("elementRegistry");
        const canvas = viewer.get("canvas");
        for (const id of ids) if (registry.get(id)) canvas.addMarker(id, cls);
      };
      mark(left, Object.keys(changes._removed), "diff-removed");
      mark(right, Object.keys(changes._added), "diff-added");
      mark(left, Object.keys(changes._changed), "diff-changed");
      mark(right, Object.keys(changes._changed), "diff-changed");
      mark(right, Object.keys(changes._layoutChanged), "diff-layout");
      left.get("canvas").zoom("fit-viewport");
      right.get("canvas").zoom("fit-viewport");
      setResult({ changes, viewers: [left, right] });
    } catch (e) {
      setError(e);
    }
  };

  useEffect(() => () => result && result.viewers.forEach((v) => v.destroy()), [result]);
  useEffect(() => {
    if (controlled && a && b) compare();
  }, [controlled, a, b]); // eslint-disable-line react-hooks/exhaustive-deps

  if (versions.length < 2) return <p className="muted">Quy trình mới có một phiên bản; chưa có gì để so sánh.</p>;
  const describe = (obj, verb) =>
    Object.entries(obj).map(([id, el]) => {
      const name = (el.name || (el.model && el.model.name) || "").trim();
      return (
        <li key={`${verb}-${id}`}>
          {verb}: {name ? `"${name}" ` : ""}({id})
          {el.attrs && Object.keys(el.attrs).length > 0
            ? ` — ${Object.entries(el.attrs)
                // bpmn-js-differ hands jsondiffpatch's [old, new] to changed(model, key, newValue, oldValue):
                // its "newValue" holds the first diagram's value
                .map(([attr, v]) => `${attributeName(attr)}: "${display(v.newValue)}" → "${display(v.oldValue)}"`)
                .join("; ")}`
            : ""}
        </li>
      );
    });
  return (
    <section aria-labelledby={controlled ? undefined : "diff-title"} data-testid={controlled ? "migration-diff" : undefined}>
      <h3 id={controlled ? undefined : "diff-title"}>So sánh hai phiên bản{controlled ? ` ${a} và ${b}` : ""}</h3>
      {!controlled && (<div className="toolbar">
        <div className="field">
          <label htmlFor="diff-a">Phiên bản cũ</label>
          <select id="diff-a" value={a} onChange={(e) => setA(e.target.value)}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="diff-b">Phiên bản mới</label>
          <select id="diff-b" value={b} onChange={(e) => setB(e.target.value)}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="btn" onClick={compare} disabled={!a || !b || a === b}>
          So sánh
        </button>
      </div>)}
      <ErrorBox error={error} />
      {result && (
        <ul data-testid={tid("diff-changes")}>
          {describe(result.changes._added, "Thêm")}
          {describe(result.changes._removed, "Xóa")}
          {describe(result.changes._changed, "Sửa")}
          {Object.keys(result.changes._layoutChanged).length > 0 && <li>Đổi bố cục: {Object.keys(result.changes._layoutChanged).join(", ")}</li>}
          {Object.keys(result.changes._added).length + Object.keys(result.changes._removed).length + Object.keys(result.changes._changed).length === 0 && (
            <li>Không có thay đổi về nội dung.</li>
          )}
        </ul>
      )}
      <ul className="diagram-legend" aria-label="Chú thích so sánh">
        <li>
          <span className="legend-added" /> Thêm mới
        </li>
        <li>
          <span className="legend-removed" /> Bị xóa
        </li>
        <li>
          <span className="legend-changed" /> Thay đổi
        </li>
      </ul>
      <div className="diff-grid" hidden={!shown}>
        <div>
          <p className="label">Phiên bản {a}</p>
          <div ref={leftRef} className="diagram" data-testid={tid("diff-left")} />
        </div>
        <div>
          <p className="label">Phiên bản {b}</p>
          <div ref={rightRef} className="diagram" data-testid={tid("diff-right")} />
        </div>
      </div>
    </section>
  );
}

