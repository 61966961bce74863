// Unsaved changes: while ``dirty``, leaving asks first. Our own Vietnamese dialog for what the page controls (its
// buttons through ``guard(action)``, every link, the header's logout form); the browser's own question for a
// reload, a closed tab or a typed address (beforeunload: browsers show only their own text there).
import { useCallback, useEffect, useRef, useState } from "react";
import { ConfirmDialog } from "./dialog.jsx";

function leavesThePage(event, link) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (link.target && link.target !== "_self") return false;
  if (link.hasAttribute("download")) return false;
  const to = new URL(link.href, window.location.href);
  const here = window.location;
  return !(to.origin === here.origin && to.pathname === here.pathname && to.search === here.search && to.hash);
}

/** ``{ guard, dialog }``: ``guard(action)`` runs ``action`` at once when nothing is unsaved, else after a "Rời đi";
 * render ``dialog``. ``message``: what is lost and what is kept. */
export function useLeaveGuard(dirty, { title, message }) {
  const [pending, setPending] = useState(null);
  const leaving = useRef(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const guard = useCallback((action) => {
    if (!dirtyRef.current) action();
    else setPending(() => action);
  }, []);

  useEffect(() => {
    if (!dirty) return undefined;
    const onBeforeUnload = (event) => {
      if (leaving.current) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    };
    const onClick = (event) => {
      const link = event.target instanceof Element && event.target.closest("a[href]");
      if (!link || !leavesThePage(event, link)) return;
      event.preventDefault();
      setPending(() => () => {
        leaving.current = true;
        window.location.assign(link.href);
      });
    };
    const onSubmit = (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || form.closest("#app")) return; // the page's own forms stay
      event.preventDefault();
      setPending(() => () => {
        leaving.current = true;
        form.submit();
      });
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    document.addEventListener("submit", onSubmit, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
      document.removeEventListener("submit", onSubmit, true);
    };
  }, [dirty]);

  const dialog = pending ? (
    <ConfirmDialog
      title={title}
      confirmLabel="Rời đi"
      cancelLabel="Ở lại"
      danger
      onCancel={() => setPending(null)}
      onConfirm={() => {
        const action = pending;
        setPending(null);
        action();
      }}
    >
      <p>{message}</p>
    </ConfirmDialog>
  ) : null;
  return { guard, dialog };
}
