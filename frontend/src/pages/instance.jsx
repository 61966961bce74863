// Hồ sơ quy trình: the diagram (bpmn-js NavigatedViewer) with completed and current steps marked, the audit
// timeline (actions named in Vietnamese) and the data as labelled fields (technical ones collapsed, for admins;
// uploaded documents with "Xem" / "Tải xuống"). Printable (styles/print.css): the diagram is refitted to the sheet.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "../lib/bpmn-markers.css";
import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../lib/api.js";
import { fmtDateTime, INSTANCE_STATUS } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { RecordFields, Timeline } from "../lib/records.jsx";
import { DueCell, ErrorBox, Loading, mount } from "../lib/ui.jsx";
import "../styles/print.css";

function Diagram({ instance }) {
  const ref = useRef(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const viewer = new NavigatedViewer({ container: ref.current });
    let live = true;
    (async () => {
      try {
        const xml = await api(`/api/v1/process-definitions/${instance.process_key}/versions/${instance.definition_version}/bpmn`, { raw: true }).then((r) => r.text());
        await viewer.importXML(xml);
        if (!live) return;
        viewer.get("canvas").zoom("fit-viewport", "auto");
        const registry = viewer.get("elementRegistry");
        const canvas = viewer.get("canvas");
        const mark = (id, cls) => registry.get(id) && canvas.addMarker(id, cls);
        for (const t of instance.completed_tasks || []) mark(t.element_id, "cchc-done");
        for (const t of instance.open_tasks || []) mark(t.element_id, "cchc-current");
        if (instance.incident && instance.incident.element_id) mark(instance.incident.element_id, "cchc-error");
        ref.current.dataset.ready = "true";
      } catch (e) {
        setError(e);
      }
    })();
    // printing lays the diagram out on an A4 sheet: fit it there, and back to the screen afterwards
    const print = window.matchMedia("print");
    const refit = () => {
      if (!live || !ref.current || !ref.current.dataset.ready) return;
      const canvas = viewer.get("canvas");
      canvas.resized();
      canvas.zoom("fit-viewport", "auto");
    };
    print.addEventListener("change", refit);
    return () => {
      live = false;
      print.removeEventListener("change", refit);
      viewer.destroy();
    };
  }, [instance]);
  return (
    <>
      <ul className="diagram-legend" aria-label="Chú thích sơ đồ">
        <li>
          <span className="legend-done" /> Bước đã hoàn thành
        </li>
        <li>
          <span className="legend-current" /> Bước đang xử lý
        </li>
        {instance.incident && (
          <li>
            <span className="legend-error" /> Bước gặp sự cố
          </li>
        )}
      </ul>
      <div
        ref={ref}
        className="diagram"
        data-testid="diagram"
        tabIndex={0}
        role="img"
        aria-label="Sơ đồ quy trình; dùng chuột hoặc bàn phím để di chuyển, phóng to"
      />
      <ErrorBox error={error} />
    </>
  );
}

function InstancePage({ instance_id: instanceId }) {
  const instance = useApi(`process-instances/${instanceId}`);
  const events = useApi(`process-instances/${instanceId}/events`);
  const units = useApi("units");
  const definitions = useApi("process-definitions");
  const unitName = useMemo(() => Object.fromEntries((units.data || []).map((u) => [u.code, u.name])), [units.data]);
  const processName = useMemo(() => Object.fromEntries((definitions.data || []).map((d) => [d.key, d.name || d.key])), [definitions.data]);
  const i = instance.data;
  if (instance.error) return <ErrorBox error={instance.error} />;
  if (!i) return <Loading what="hồ sơ" />;
  const plan = i.data && i.data.plan;
  return (
    <>
      <div className="card">
        <h2 data-testid="instance-title">{i.title || `Hồ sơ số ${i.id}`}</h2>
        <dl className="kv">
          <dt>Quy trình</dt>
          <dd data-testid="instance-version">
            {processName[i.process_key] || i.process_key}, phiên bản {i.definition_version}
          </dd>
          <dt>Đơn vị</dt>
          <dd>{unitName[i.unit_code] || i.unit_code || "—"}</dd>
          <dt>Trạng thái</dt>
          <dd data-testid="instance-status">{INSTANCE_STATUS[i.status] || i.status}</dd>
          <dt>Khởi tạo</dt>
          <dd>
            {fmtDateTime(i.created_at)} {i.started_by ? `· ${i.started_by}` : ""}
          </dd>
          {i.ended_at && (
            <>
              <dt>Kết thúc</dt>
              <dd>{fmtDateTime(i.ended_at)}</dd>
            </>
          )}
          {plan && (
            <>
              <dt>Kế hoạch</dt>
              <dd>
                <a href={`/plans?plan=${plan.plan_id}`}>{plan.title || `Kế hoạch năm ${plan.year}`}</a>
                {i.data.activity_code ? ` — hoạt động ${i.data.activity_code}: ${i.data.activity_title || ""}` : ""}
              </dd>
            </>
          )}
        </dl>
        {i.incident && (
          <p className="alert alert-error" role="alert">
            Sự cố: {i.incident.message || JSON.stringify(i.incident)}
          </p>
        )}
      </div>
      <section className="card" aria-labelledby="diagram-title">
        <h2 id="diagram-title">Sơ đồ quy trình</h2>
        <Diagram instance={i} />
      </section>
      <div className="grid grid-2">
        <section className="card" aria-labelledby="steps-title">
          <h2 id="steps-title">Bước đang xử lý</h2>
          {(i.open_tasks || []).length === 0 ? (
            <p className="muted">Không có bước nào đang chờ.</p>
          ) : (
            <ul data-testid="open-tasks">
              {i.open_tasks.map((t) => (
                <li key={t.id}>
                  <a href={`/tasks/${t.id}`}>{t.name}</a> — {unitName[t.unit_code] || t.unit_code || ""} · {t.assignee || "chưa có người nhận"} ·{" "}
                  <DueCell task={t} />
                </li>
              ))}
            </ul>
          )}
          <h2>Dữ liệu</h2>
          <RecordFields fields={i.fields} />
        </section>
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Nhật ký</h2>
          {events.error && <ErrorBox error={events.error} />}
          <Timeline events={events.data} testId="timeline" />
        </section>
      </div>
    </>
  );
}

mount(InstancePage);
