import { useState } from "react";
import { createRoot } from "react-dom/client";
import { DEADLINE_STATES, deadlineState, fmtDate } from "./format.js";
import { pageProps } from "./api.js";

export function mount(Component) {
  const { el, props, user } = pageProps();
  createRoot(el).render(<Component {...props} user={user} />);
}

export function ErrorBox({ error }) {
  if (!error) return null;
  const details = error.details;
  return (
    <div className="alert alert-error" role="alert">
      <strong>{error.message}</strong>
      {Array.isArray(details) && details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>{typeof d === "string" ? d : d.message || JSON.stringify(d)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what = "dữ liệu" }) {
  return (
    <p className="loading" role="status">
      Đang tải {what}…
    </p>
  );
}

export function DeadlineChip({ task }) {
  const state = deadlineState(task);
  return (
    <span className={`chip state-${state}`} data-state={state}>
      {DEADLINE_STATES[state]}
    </span>
  );
}

export function DueCell({ task }) {
  return (
    <span>
      {task.due_at ? fmtDate(task.due_at) : "—"} <DeadlineChip task={task} />
    </span>
  );
}

/** A labelled filter <select> whose first choice, "Tất cả", means no filter. */
export function FilterSelect({ id, label, value, onChange, options }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Tất cả</option>
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Filters by process and unit, shared by the inbox and the instance list. */
export function ProcessUnitFilters({ definitions, units, processKey, setProcessKey, unit, setUnit }) {
  return (
    <>
      <FilterSelect
        id="f-process"
        label="Quy trình"
        value={processKey}
        onChange={setProcessKey}
        options={(definitions || []).map((d) => [d.key, d.name || d.key])}
      />
      <FilterSelect
        id="f-unit"
        label="Đơn vị"
        value={unit}
        onChange={setUnit}
        options={(units || []).map((u) => [u.code, u.name])}
      />
    </>
  );
}

/** A form action: busy while it runs, then its error or its success message (``run(fn, ok)`` → whether it worked). */
export function useAction() {
  const [state, setState] = useState({ busy: false, error: null, ok: null });
  const run = async (fn, ok) => {
    setState({ busy: true, error: null, ok: null });
    try {
      await fn();
      setState({ busy: false, error: null, ok });
      return true;
    } catch (error) {
      setState({ busy: false, error, ok: null });
      return false;
    }
  };
  return [state, run];
}

/** The outcome of a ``useAction`` action, announced to screen readers. */
export function Feedback({ state }) {
  return (
    <div role="status" aria-live="polite">
      {state.ok && <p className="alert alert-ok">{state.ok}</p>}
      <ErrorBox error={state.error} />
    </div>
  );
}
