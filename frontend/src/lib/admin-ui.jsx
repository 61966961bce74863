// Pieces shared by the administration tabs: one action at a time with its outcome (lib/ui.jsx), and field errors.
export { Feedback, useAction } from "./ui.jsx";

/** The message under a field (``id``-error, referenced by the input's aria-describedby). */
export function FieldError({ id, message }) {
  if (!message) return null;
  return (
    <p className="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
      {message}
    </p>
  );
}

/** Props of an input with an error: aria-invalid and the message it is described by. */
export function invalid(id, message) {
  return message ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
}

/** A 422's field messages ({"password": ["…"]}) as {field: message}. */
export function fieldErrors(error) {
  const details = error && error.details;
  if (!details || typeof details !== "object" || Array.isArray(details)) return {};
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, Array.isArray(v) ? v.join(" ") : String(v)]));
}
