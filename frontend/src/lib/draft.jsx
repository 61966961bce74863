// Local drafts of a form (localStorage): saved while typing (debounced), when the tab is hidden or closed and
// before an expired session goes to the login page; restored with a notice when the page opens again.
//
//   const draft = useDraft({ user: user.username, page: "task", id: taskId }, formData, setFormData);
//   <div {...draft.watch}>                   // the user's input inside it makes the changes a draft
//     <DraftNotice draft={draft} />          // "Đã khôi phục bản nháp chưa gửi…" + "Bỏ bản nháp"
//     <Form formData={formData} onChange={(e) => setFormData(e.formData)} … />
//   </div>
//   draft.clear();                           // after a successful submit
//
// ``formData`` is the form's controlled state, null while it loads: the first non-null value is the form as the
// server gave it — a draft equal to it (as the form settled it, defaults filled in) is no draft.
// ``enabled: false`` (a form the user cannot send) neither restores nor saves.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { beforeLogin } from "./api.js";
import { fmtDateTime } from "./format.js";

const PREFIX = "cchc.draft:";
const MAX_AGE_MS = 30 * 24 * 3600 * 1000; // a draft nobody came back to for a month is dropped

/** The storage key of a draft: one per user, page and object (task id, process key…). */
export function draftKey({ user, page, id }) {
  return `${PREFIX}${user}:${page}:${id ?? ""}`;
}

function read(key) {
  try {
    const draft = JSON.parse(window.localStorage.getItem(key) || "null");
    return draft && typeof draft === "object" && "data" in draft ? draft : null;
  } catch {
    return null;
  }
}

function write(key, data) {
  try {
    window.localStorage.setItem(key, JSON.stringify({ data, saved_at: new Date().toISOString() }));
  } catch {
    // storage full or disabled: the form still works, only without a draft
  }
}

function remove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // nothing to remove
  }
}

function dropOldDrafts() {
  try {
    const now = Date.now();
    for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
      const key = window.localStorage.key(i);
      if (!key || !key.startsWith(PREFIX)) continue;
      const draft = read(key);
      const at = draft ? Date.parse(draft.saved_at) : Number.NaN;
      if (!(now - at < MAX_AGE_MS)) remove(key);
    }
  } catch {
    // storage unavailable
  }
}

/** The draft of one form; returns ``{ restored, discard, clear, save, watch }`` (restored: ``{ savedAt }`` or null).
 * Spread ``watch`` on the element around the form: only changes after the user's own input there (typing, a
 * click, a key) are a draft — the form library filling in its defaults is not. */
export function useDraft(scope, formData, setFormData, { enabled = true, delay = 800 } = {}) {
  const key = enabled && scope && scope.user ? draftKey(scope) : null;
  const [restored, setRestored] = useState(null);
  const original = useRef(undefined); // JSON of the form as the server gave it ("Bỏ bản nháp" goes back to it)
  const baseline = useRef(undefined); // JSON a draft must differ from: the original as the form settled it
  const touched = useRef(false); // the user has acted inside the form since it (re)loaded
  const fromDraft = useRef(false); // the form shows a restored draft
  const latest = useRef(formData);
  const finished = useRef(false); // submitted: nothing more to keep
  const timer = useRef(null);
  const setter = useRef(setFormData);
  latest.current = formData;
  setter.current = setFormData;

  const save = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = null;
    if (!key || finished.current || !touched.current || baseline.current === undefined || latest.current == null) return;
    if (JSON.stringify(latest.current) === baseline.current) remove(key);
    else write(key, latest.current);
  }, [key]);

  // once the form has its data: take a draft of an earlier visit, if it differs from what the server gave
  useEffect(() => {
    if (!key || formData == null || original.current !== undefined) return;
    original.current = JSON.stringify(formData);
    baseline.current = original.current;
    dropOldDrafts();
    const draft = read(key);
    if (!draft) return;
    if (JSON.stringify(draft.data) === original.current) {
      remove(key);
      return;
    }
    fromDraft.current = true;
    setter.current(draft.data);
    setRestored({ savedAt: draft.saved_at });
  }, [key, formData]);

  // a change: the user's (save a moment after the last one) or the form's own (it settles the baseline)
  useEffect(() => {
    if (!key || formData == null || original.current === undefined || finished.current) return undefined;
    if (!touched.current) {
      if (!fromDraft.current) baseline.current = JSON.stringify(formData);
      return undefined;
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(save, delay);
    return undefined;
  }, [key, formData, save, delay]);

  // leaving: the session expired (api.js), the tab is hidden, closed or reloaded
  useEffect(() => {
    if (!key) return undefined;
    const onHidden = () => document.visibilityState === "hidden" && save();
    const off = beforeLogin(save);
    window.addEventListener("pagehide", save);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      off();
      window.removeEventListener("pagehide", save);
      document.removeEventListener("visibilitychange", onHidden);
      clearTimeout(timer.current);
    };
  }, [key, save]);

  const clear = useCallback(() => {
    finished.current = true;
    clearTimeout(timer.current);
    if (key) remove(key);
    setRestored(null);
  }, [key]);

  const discard = useCallback(() => {
    clearTimeout(timer.current);
    if (key) remove(key);
    setRestored(null);
    touched.current = false;
    fromDraft.current = false;
    if (original.current !== undefined) setter.current(JSON.parse(original.current));
  }, [key]);

  const watch = useMemo(() => {
    const act = () => {
      touched.current = true;
    };
    return { onInput: act, onChange: act, onKeyDown: act, onPointerDown: act };
  }, []);

  return { restored, discard, clear, save, watch };
}

/** The notice above a restored form, with the button that throws the draft away. */
export function DraftNotice({ draft }) {
  if (!draft || !draft.restored) return null;
  const at = draft.restored.savedAt ? fmtDateTime(draft.restored.savedAt) : "";
  return (
    <div className="alert alert-warn draft-notice" role="status" data-testid="draft-notice">
      <span>
        Đã khôi phục bản nháp chưa gửi{at ? ` (lưu lúc ${at})` : ""}. Vui lòng kiểm tra lại trước khi gửi.
      </span>
      <button type="button" className="btn" onClick={draft.discard}>
        Bỏ bản nháp
      </button>
    </div>
  );
}
