import { useCallback, useEffect, useState } from "react";
import { api } from "./api.js";

/** Load ``path`` from the API; re-run when ``path`` changes; ``reload()`` fetches again. */
export function useApi(path, { optional = false } = {}) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api(path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error: optional && error.status === 404 ? null : error, loading: false, missing: error.status === 404 }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
