// Xử lý công việc: instructions, instance context, history, the step's form (JSON schema), claim/unclaim,
// approve / return with a reason, and the deadline with its count of working days.
import Form from "@rjsf/core";
import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../lib/api.js";
import { decisionModel } from "../lib/decision.js";
import { DraftNotice, useDraft } from "../lib/draft.jsx";
import { DEADLINE_STATES, deadlineState, fmtDate, fmtDateTime, isoLocalDate, TASK_STATUS } from "../lib/format.js";
import { Deadlines } from "../lib/deadlines.jsx";
import { useApi } from "../lib/hooks.js";
import { Submissions, Timeline } from "../lib/records.jsx";
import { serverFieldErrors, VI_FORM_PROPS } from "../lib/rjsf-vi.js";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";
import "../styles/task.css";

function WorkingDays({ due, taskId }) {
  const [info, setInfo] = useState(null);
  useEffect(() => {
    if (!due) return;
    const end = isoLocalDate(due);
    const start = isoLocalDate(new Date());
    api(`/ui/api/working-days?start=${start}&end=${end}&task_id=${taskId}`).then(setInfo, () => setInfo(null));
  }, [due, taskId]);
  if (!due || !info) return null;
  const n = info.working_days;
  return (
    <span data-testid="working-days">
      {n > 0 ? `Còn ${n} ngày làm việc` : n === 0 ? "Hạn xử lý là hôm nay" : `Đã quá hạn ${-n} ngày làm việc`}
    </span>
  );
}

function ReturnDialog({ model, onCancel, onConfirm, busy, initial }) {
  const [reason, setReason] = useState(typeof initial === "string" ? initial : "");
  const [error, setError] = useState(null);
  const ref = useRef(null);
  useEffect(() => ref.current && ref.current.focus(), []);
  const submit = (e) => {
    e.preventDefault();
    if (reason.trim().length < model.reasonMin) {
      setError(reason.trim() ? `Lý do trả lại phải có ít nhất ${model.reasonMin} ký tự.` : "Vui lòng nhập lý do trả lại.");
      return;
    }
    onConfirm(reason.trim());
  };
  return (
    <form className="card return-box" onSubmit={submit} aria-labelledby="return-title" noValidate>
      <h3 id="return-title">Trả lại (kèm lý do)</h3>
      <div className="field">
        <label htmlFor="return-reason">Lý do trả lại (bắt buộc)</label>
        <textarea
          id="return-reason"
          ref={ref}
          value={reason}
          required
          aria-invalid={!!error}
          aria-describedby={error ? "return-error" : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
        {error && (
          <span id="return-error" className="alert alert-error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div className="toolbar">
        <button type="submit" className="btn btn-danger" disabled={busy}>
          Xác nhận trả lại
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Hủy
        </button>
      </div>
    </form>
  );
}

function TaskPage({ task_id: taskId, user }) {
  const task = useApi(`tasks/${taskId}`);
  const t = task.data;
  const events = useApi(t ? `process-instances/${t.instance_id}/events` : null);
  const units = useApi("units");
  const definitions = useApi("process-definitions");
  const users = useApi(user.roles.includes("admin") ? "users" : null);
  // the deployed form files keep the author's field order (the API's JSON objects come back key-sorted)
  const files = useApi(t && t.form_schema && t.instance ? `process-definitions/${t.process_key}/versions/${t.instance.definition_version}/files` : null);
  const [formData, setFormData] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [returning, setReturning] = useState(false);
  const [extraErrors, setExtraErrors] = useState(null);
  const formRef = useRef(null);
  const pending = useRef(null);
  // what the user typed survives an expired session, a closed tab or a reload (lib/draft.jsx)
  const editable = !!t && t.status === "ready" && (!t.assignee || t.assignee === user.username);
  const draft = useDraft({ user: user.username, page: "task", id: taskId }, formData, setFormData, { enabled: editable });

  useEffect(() => {
    if (t && formData === null) {
      const props = (t.schema && t.schema.properties) || {};
      // prefill the form with the step's current data (e.g. a draft returned for revision); a decision starts
      // afresh: an earlier round's decision and return reason are not this one's
      const initial = {};
      if (!decisionModel(t.schema)) for (const k of Object.keys(props)) if (t.data && t.data[k] !== undefined) initial[k] = t.data[k];
      setFormData(initial);
    }
  }, [t, formData]);

  const unitName = useMemo(() => Object.fromEntries((units.data || []).map((u) => [u.code, u.name])), [units.data]);
  const userNames = useMemo(() => Object.fromEntries((users.data || []).map((u) => [u.username, u.full_name])), [users.data]);
  const processName = useMemo(() => Object.fromEntries((definitions.data || []).map((d) => [d.key, d.name || d.key])), [definitions.data]);
  const forms = useMemo(() => {
    if (!t) return null;
    const raw = (files.data && files.data.files) || {};
    const parse = (name, fallback) => {
      try {
        return name && raw[name] ? JSON.parse(raw[name]) : fallback;
      } catch {
        return fallback;
      }
    };
    if (t.form_schema && !files.data && !files.error) return null; // still loading
    return { schema: parse(t.form_schema, t.schema), ui: parse(t.ui_schema, t.ui_schema) || {} };
  }, [t, files.data, files.error]);
  const schema = forms ? forms.schema : null;
  const model = useMemo(() => (schema ? decisionModel(schema) : null), [schema]);

  if (task.error) return <ErrorBox error={task.error} />;
  if (!t) return <Loading what="công việc" />;

  const open = t.status === "ready";
  const mine = t.assignee === user.username;
  const takenByOther = t.assignee && !mine;

  const act = async (path) => {
    setBusy(true);
    setError(null);
    try {
      await api(`tasks/${taskId}/${path}`, { method: "POST" });
      task.reload();
      events.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const complete = async (data) => {
    setBusy(true);
    setError(null);
    setExtraErrors(null);
    try {
      const result = await api(`tasks/${taskId}/complete`, { method: "POST", json: { data } });
      draft.clear();
      setDone(result);
      setReturning(false);
      window.scrollTo(0, 0);
    } catch (e) {
      setError(e);
      if (e.status === 422 && e.details) setExtraErrors(serverFieldErrors(e.details, schema));
    } finally {
      setBusy(false);
    }
  };

  // the approve / return buttons set the decision fields, then submit through the form's validation
  const submitWith = (patch) => {
    const next = { ...(formData || {}), ...patch };
    pending.current = next;
    setFormData(next);
    setTimeout(() => formRef.current && formRef.current.submit(), 0);
  };

  const ctx = t.instance || {};
  const data = ctx.data || {};
  const due = t.due_at;
  const state = deadlineState(t);

  if (done) {
    const next = done.next_tasks || [];
    return (
      <div className="card" role="status" data-testid="task-done">
        <p className="alert alert-ok">Đã hoàn thành bước «{t.name}».</p>
        {next.length > 0 ? (
          <>
            <p>Bước tiếp theo:</p>
            <ul>
              {next.map((n) => (
                <li key={n.id}>
                  {n.name} — {unitName[n.unit_code] || n.unit_code || ""} {n.due_at ? `(hạn ${fmtDate(n.due_at)})` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>Hồ sơ không còn bước nào đang chờ.</p>
        )}
        <div className="toolbar">
          <a className="btn btn-primary" href="/">
            Về Việc cần làm
          </a>
          <a className="btn" href={`/instances/${t.instance_id}`}>
            Xem hồ sơ
          </a>
        </div>
      </div>
    );
  }

  // the approve / return buttons set the decision, the return dialog asks for the reason
  const hideDecision = model ? { [Object.keys(model.approve)[0]]: { "ui:widget": "hidden" }, [model.reasonField]: { "ui:widget": "hidden" } } : {};
  const uiSchema = {
    ...((forms && forms.ui) || {}),
    ...(model ? hideDecision : {}),
    "ui:submitButtonOptions": { submitText: model ? "Lưu và gửi" : "Hoàn thành", norender: !!model, props: { className: "btn btn-primary" } },
  };

  return (
    <div className="grid grid-2">
      <section aria-labelledby="task-title">
        <div className="card">
          <h2 id="task-title" data-testid="task-name">
            {t.name}
          </h2>
          <dl className="kv">
            <dt>Quy trình</dt>
            <dd>{processName[t.process_key] || t.process_key}</dd>
            <dt>Trạng thái</dt>
            <dd>{TASK_STATUS[t.status] || t.status}</dd>
            <dt>Người xử lý</dt>
            <dd>{t.assignee ? (mine ? "Tôi" : userNames[t.assignee] || t.assignee) : "Chưa có người nhận"}</dd>
            <dt>Hạn xử lý</dt>
            <dd data-testid="task-due">
              {due ? fmtDate(due) : "Không có hạn"}{" "}
              {due && open && (
                <>
                  <span className={`chip state-${state}`}>{DEADLINE_STATES[state]}</span> <WorkingDays due={due} taskId={t.id} />
                </>
              )}
            </dd>
          </dl>
          <Deadlines task={t} />
          {t.instructions && (
            <>
              <h3>Hướng dẫn</h3>
              <p className="instructions" data-testid="instructions">
                {t.instructions}
              </p>
            </>
          )}
          {open && (
            <div className="toolbar" aria-label="Nhận việc">
              {!t.assignee && (
                <button type="button" className="btn" onClick={() => act("claim")} disabled={busy}>
                  Nhận xử lý
                </button>
              )}
              {mine && (
                <button type="button" className="btn" onClick={() => act("unclaim")} disabled={busy}>
                  Trả lại hàng chờ
                </button>
              )}
            </div>
          )}
        </div>
        <Submissions submissions={t.submissions} />
        <ErrorBox error={error} />
        {extraErrors && extraErrors.length > 0 && (
          <ul className="alert alert-error">
            {extraErrors.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        {open && takenByOther && <p className="alert alert-warn">Bước này đang do {userNames[t.assignee] || t.assignee} xử lý.</p>}
        {open && !takenByOther && schema && formData !== null && (
          <div className="card task-form" data-testid="task-form" {...draft.watch}>
            <DraftNotice draft={draft} />
            <Form
              ref={formRef}
              schema={schema}
              uiSchema={uiSchema}
              formData={formData}
              onChange={(e) => setFormData(e.formData)}
              onSubmit={(e) => complete(pending.current ? { ...e.formData, ...pending.current } : e.formData)}
              onError={() => {
                pending.current = null;
              }}
              {...VI_FORM_PROPS}
              disabled={busy}
            />
            {model && !returning && (
              <div className="toolbar decision-buttons">
                <button type="button" className="btn btn-success" disabled={busy} onClick={() => submitWith(model.approve)}>
                  {model.approveLabel}
                </button>
                <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setReturning(true)}>
                  Trả lại
                </button>
              </div>
            )}
            {model && returning && (
              <ReturnDialog model={model} busy={busy} initial={draft.restored && formData ? formData[model.reasonField] : ""} onCancel={() => setReturning(false)} onConfirm={(reason) => submitWith(model.giveBack(reason))} />
            )}
          </div>
        )}
        {open && !takenByOther && forms && !schema && (
          <div className="card">
            <p>Bước này không có biểu mẫu. Bấm «Hoàn thành» khi đã thực hiện xong.</p>
            <button type="button" className="btn btn-primary" onClick={() => complete({})} disabled={busy}>
              Hoàn thành
            </button>
          </div>
        )}
        {!open && (
          <div className="card">
            <p>
              Bước đã {t.status === "completed" ? "hoàn thành" : "kết thúc"}
              {t.completed_at ? ` lúc ${fmtDateTime(t.completed_at)}` : ""}
              {t.completed_by ? ` bởi ${userNames[t.completed_by] || t.completed_by}` : ""}.
            </p>
          </div>
        )}
      </section>
      <aside aria-label="Thông tin hồ sơ">
        <div className="card">
          <h2>Hồ sơ</h2>
          <dl className="kv">
            <dt>Hồ sơ</dt>
            <dd>
              <a href={`/instances/${t.instance_id}`}>{ctx.title || `Hồ sơ số ${t.instance_id}`}</a>
            </dd>
            <dt>Đơn vị</dt>
            <dd>{unitName[ctx.unit_code] || ctx.unit_code || "—"}</dd>
            {data.plan && (
              <>
                <dt>Kế hoạch</dt>
                <dd>
                  <a href={`/plans?plan=${data.plan.plan_id}`}>{data.plan.title || `Kế hoạch năm ${data.plan.year}`}</a>
                </dd>
              </>
            )}
            {data.activity_code && (
              <>
                <dt>Hoạt động</dt>
                <dd data-testid="activity">
                  {data.activity_code} — {data.activity_title}
                </dd>
              </>
            )}
            {data.period_label && (
              <>
                <dt>Kỳ</dt>
                <dd>{data.period_label}</dd>
              </>
            )}
            {data.deadline && (
              <>
                <dt>Hạn hoàn thành</dt>
                <dd>{fmtDate(data.deadline)}</dd>
              </>
            )}
            {data.output_kind && (
              <>
                <dt>Kết quả / sản phẩm</dt>
                <dd>{data.output_kind}</dd>
              </>
            )}
          </dl>
        </div>
        <div className="card">
          <h2>Lịch sử xử lý</h2>
          <Timeline events={events.data} testId="history" />
        </div>
      </aside>
    </div>
  );
}

mount(TaskPage);
