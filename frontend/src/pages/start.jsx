// Khởi tạo hồ sơ: pick a deployed process and a unit the user may start for, fill the process's start form
// (its start schema, with Vietnamese messages), optionally a title; the server's 422 field errors show next to
// their fields; success opens the new instance.
import Form from "@rjsf/core";
import { useEffect, useMemo, useState } from "react";
import { api } from "../lib/api.js";
import { DraftNotice, useDraft } from "../lib/draft.jsx";
import { useApi } from "../lib/hooks.js";
import { VI_FORM_PROPS } from "../lib/rjsf-vi.js";
import { serverErrorSchema } from "../lib/server-errors.js";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import "../styles/task.css";

const START_SCHEMA = "start.schema.json";
const START_UI_SCHEMA = "start.uischema.json";

function parseFile(files, name, fallback) {
  try {
    return files && files[name] ? JSON.parse(files[name]) : fallback;
  } catch {
    return fallback;
  }
}

function FieldError({ id, messages }) {
  if (!messages || !messages.length) return null;
  return (
    <ul id={id} className="alert alert-error" role="alert">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/** The start form of one process, with its own local draft (lib/draft.jsx): remounted when the process changes. */
function StartForm({ draftScope, schema, uiSchema, extraErrors, busy, onSubmit, onError }) {
  const [formData, setFormData] = useState({});
  const draft = useDraft(draftScope, formData, setFormData);
  return (
    <div data-testid="start-form" {...draft.watch}>
      <DraftNotice draft={draft} />
      <Form
        schema={schema}
        uiSchema={uiSchema}
        formData={formData}
        extraErrors={extraErrors}
        onChange={(e) => setFormData(e.formData)}
        onSubmit={(e) => onSubmit(e.formData, draft.clear)}
        onError={onError}
        {...VI_FORM_PROPS}
        disabled={busy}
      />
    </div>
  );
}

function StartPage({ user }) {
  const params = new URLSearchParams(window.location.search);
  const definitions = useApi("process-definitions");
  const units = useApi("units?startable=true");
  const [processKey, setProcessKey] = useState(params.get("process_key") || "");
  const [unitCode, setUnitCode] = useState("");
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [extraErrors, setExtraErrors] = useState(undefined);
  const [otherErrors, setOtherErrors] = useState({});

  const detail = useApi(processKey ? `process-definitions/${encodeURIComponent(processKey)}` : null);
  const d = detail.data && detail.data.key === processKey ? detail.data : null;
  // the deployed files keep the author's field order (the API's JSON objects come back key-sorted)
  const files = useApi(d && d.start_schema ? `process-definitions/${encodeURIComponent(d.key)}/versions/${d.version}/files` : null);

  useEffect(() => {
    if (unitCode || !units.data || !units.data.length) return;
    const own = units.data.find((u) => u.code === user.unit_code);
    setUnitCode((own || units.data[0]).code);
  }, [units.data, unitCode, user.unit_code]);

  useEffect(() => {
    setExtraErrors(undefined);
    setOtherErrors({});
    setError(null);
  }, [processKey]);

  const form = useMemo(() => {
    if (!d) return null;
    if (!d.start_schema) return { schema: null, ui: {} };
    if (!files.data && !files.error) return null; // still loading
    const raw = (files.data && files.data.files) || {};
    const schema = parseFile(raw, START_SCHEMA, d.start_schema);
    const ui = parseFile(raw, START_UI_SCHEMA, d.start_ui_schema) || {};
    // fields the UI schema hides (e.g. the plan link the launcher fills) are not asked for at all
    const hidden = Object.keys(schema.properties || {}).filter((k) => ui[k] && ui[k]["ui:widget"] === "hidden");
    if (!hidden.length) return { schema, ui };
    const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !hidden.includes(k)));
    const order = Array.isArray(ui["ui:order"]) ? ui["ui:order"].filter((k) => !hidden.includes(k)) : undefined;
    return { schema: { ...schema, properties }, ui: order ? { ...ui, "ui:order": order } : ui };
  }, [d, files.data, files.error]);

  const submit = async (data, clearDraft = () => {}) => {
    setBusy(true);
    setError(null);
    setExtraErrors(undefined);
    setOtherErrors({});
    const body = { process_key: d.key, version: d.version, unit_code: unitCode, data: data || {} };
    if (title.trim()) body.title = title.trim();
    try {
      const created = await api("process-instances", { method: "POST", json: body });
      clearDraft();
      window.location.assign(`/instances/${created.id}`);
    } catch (e) {
      setError(e);
      if (e.status === 422 && e.details) {
        const split = serverErrorSchema(e.details, form && form.schema);
        setExtraErrors(Object.keys(split.errorSchema).length ? split.errorSchema : undefined);
        setOtherErrors(split.other);
      }
      setBusy(false);
    }
  };

  if (definitions.error) return <ErrorBox error={definitions.error} />;
  if (units.error) return <ErrorBox error={units.error} />;
  if (!definitions.data || !units.data) return <Loading what="danh sách quy trình" />;
  if (!units.data.length) return <p className="alert alert-warn">Bạn không có quyền khởi tạo hồ sơ cho đơn vị nào.</p>;

  const uiSchema = {
    ...((form && form.ui) || {}),
    "ui:submitButtonOptions": { submitText: "Khởi tạo hồ sơ", props: { className: "btn btn-primary" } },
  };

  return (
    <section className="card task-form" aria-labelledby="start-title" data-testid="start-page">
      <h2 id="start-title">Chọn quy trình và đơn vị</h2>
      <div className="field">
        <label htmlFor="start-process">Quy trình</label>
        <select id="start-process" value={processKey} onChange={(e) => setProcessKey(e.target.value)} aria-describedby={otherErrors.process_key ? "err-process" : undefined}>
          <option value="">— Chọn quy trình —</option>
          {definitions.data.map((def) => (
            <option key={def.key} value={def.key}>
              {def.name || def.key}
            </option>
          ))}
        </select>
        <FieldError id="err-process" messages={otherErrors.process_key} />
      </div>
      <div className="field">
        <label htmlFor="start-unit">Đơn vị chủ trì (sở hữu hồ sơ)</label>
        <select id="start-unit" value={unitCode} onChange={(e) => setUnitCode(e.target.value)} aria-describedby={otherErrors.unit_code ? "err-unit" : undefined}>
          {units.data.map((u) => (
            <option key={u.code} value={u.code}>
              {u.name} ({u.code})
            </option>
          ))}
        </select>
        <FieldError id="err-unit" messages={otherErrors.unit_code} />
      </div>
      <div className="field">
        <label htmlFor="start-title-input">Tiêu đề hồ sơ (không bắt buộc)</label>
        <input id="start-title-input" type="text" maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} aria-describedby={otherErrors.title ? "err-title" : undefined} />
        <FieldError id="err-title" messages={otherErrors.title} />
      </div>
      {processKey && detail.error && <ErrorBox error={detail.error} />}
      {processKey && !form && !detail.error && <Loading what="biểu mẫu khởi tạo" />}
      {error && <ErrorBox error={error} />}
      {form && form.schema && (
        <StartForm
          key={processKey}
          draftScope={{ user: user.username, page: "start", id: processKey }}
          schema={form.schema}
          uiSchema={uiSchema}
          extraErrors={extraErrors}
          busy={busy}
          onSubmit={submit}
          onError={() => setError(null)}
        />
      )}
      {form && !form.schema && (
        <div data-testid="start-form">
          <p>Quy trình này không cần dữ liệu khởi tạo.</p>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => submit({})}>
            Khởi tạo hồ sơ
          </button>
        </div>
      )}
    </section>
  );
}

mount(StartPage);
