// A modal dialog on the native <dialog> (focus kept inside, Escape cancels) and a confirmation built on it: our own
// Vietnamese buttons, never the browser's confirm() with its English ones.
import { useEffect, useRef } from "react";

export function Dialog({ title, onCancel, children, testId, labelId = "dialog-title" }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog && dialog.open && dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={labelId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** "Are you sure?" with the action's own words on the confirming button; Escape or "Hủy" cancels. */
export function ConfirmDialog({ title, children, confirmLabel, cancelLabel = "Hủy", danger = false, busy = false, onConfirm, onCancel }) {
  return (
    <Dialog title={title} onCancel={onCancel} testId="confirm-dialog" labelId="confirm-title">
      <div className="modal-body">{children}</div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onCancel} autoFocus>
          {cancelLabel}
        </button>
        <button type="button" className={`btn ${danger ? "btn-danger" : "btn-primary"}`} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
