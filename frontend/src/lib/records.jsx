// Readable records: labelled fields (GET /process-instances/{id} "fields", a submission's "fields"), the earlier
// submissions in front of a step (GET /tasks/{id} "submissions") and the timeline (GET …/events "label",
// "comment"). A "documents" field lists the uploaded documents (name, size, "Xem", "Tải xuống"; lib/documents.jsx);
// an older "files" field lists its typed file names.
import { DocumentList } from "./documents.jsx";
import { eventLabel, fmtStamp } from "./format.js";
import { Loading } from "./ui.jsx";
import "../styles/records.css";

/** One field's value: text keeps its line breaks, lists and files are lists, documents can be opened. */
export function FieldValue({ field }) {
  const items = field.items || [];
  if (field.kind === "documents") {
    const documents = field.documents || [];
    return documents.length ? <DocumentList documents={documents} /> : <span className="muted">Không có tệp</span>;
  }
  if (field.kind === "files" && items.length) {
    return (
      <ul className="field-items field-files" data-kind="files">
        {items.map((name, i) => (
          <li key={i}>{name}</li>
        ))}
      </ul>
    );
  }
  if (field.kind === "list" && items.length) {
    return (
      <ul className="field-items">
        {items.map((text, i) => (
          <li key={i}>{text}</li>
        ))}
      </ul>
    );
  }
  return <span className={field.kind === "text" ? "field-text" : undefined}>{field.display}</span>;
}

/** Labelled fields as a description list. */
export function FieldList({ fields, testId, raw = false }) {
  if (!fields || !fields.length) return null;
  return (
    <dl className="kv fields" data-testid={testId}>
      {fields.map((f) => (
        <div key={f.key} style={{ display: "contents" }} data-key={f.key}>
          <dt>{raw ? <code>{f.key}</code> : f.label}</dt>
          <dd>
            <FieldValue field={f} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** An instance's data: its labelled fields, then (administrators) the technical ones, collapsed, with raw keys. */
export function RecordFields({ fields }) {
  if (!fields) return <Loading what="dữ liệu" />;
  const labelled = fields.filter((f) => !f.technical);
  const technical = fields.filter((f) => f.technical);
  return (
    <>
      {labelled.length ? <FieldList fields={labelled} testId="instance-fields" /> : <p className="muted">Chưa có dữ liệu.</p>}
      {technical.length > 0 && (
        <details className="technical" data-testid="technical-fields">
          <summary>Dữ liệu kỹ thuật ({technical.length})</summary>
          <FieldList fields={technical} raw />
        </details>
      )}
    </>
  );
}

const REASON_KEYS = ["return_reason", "reason"];

/** The instance's earlier completions, newest first: step, who, when, what they submitted; returns highlighted. */
export function Submissions({ submissions }) {
  if (!submissions || !submissions.length) return null;
  return (
    <section className="card" aria-labelledby="submissions-title" data-testid="submissions">
      <h2 id="submissions-title">Hồ sơ đã nộp ở các bước trước</h2>
      <ol className="submissions">
        {submissions.map((s, i) => {
          // a return's reason is shown highlighted above its fields
          const fields = s.returned ? s.fields.filter((f) => !REASON_KEYS.includes(f.key)) : s.fields;
          return (
            <li key={s.task_id ?? i} className={`submission${s.returned ? " submission-returned" : ""}`} data-testid="submission">
              <div className="submission-head">
                <h3>{s.name}</h3>
                {s.returned && <span className="chip return-chip">Trả lại</span>}
                <span className="when">
                  {s.actor_name || s.actor || "Hệ thống"} · {fmtStamp(s.at)}
                </span>
              </div>
              {s.returned && (
                <p className="return-reason" data-testid="return-reason">
                  <strong>Lý do trả lại:</strong> {s.return_reason || "(không ghi lý do)"}
                </p>
              )}
              {fields.length ? <FieldList fields={fields} /> : !s.returned && <p className="muted">Bước không có dữ liệu nhập.</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The audit trail, each action named in Vietnamese with only its own comment. */
export function Timeline({ events, testId }) {
  if (!events) return <Loading what="nhật ký" />;
  const shown = events.filter((e) => e.kind !== "task_ready");
  if (!shown.length) return <p className="muted">Chưa có bước nào được xử lý.</p>;
  return (
    <ol className="timeline" data-testid={testId}>
      {shown.map((e) => (
        <li key={e.id} className={e.returned ? "event-return" : undefined}>
          <strong>{e.label || eventLabel(e.kind)}</strong>
          <div className="when">
            {fmtStamp(e.at)} · {e.actor_name || e.actor || "Hệ thống"}
          </div>
          {e.comment && (
            <div className="comment">
              <em>{e.comment}</em>
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
