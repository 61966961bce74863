// Calls to /api/v1 with the session cookie; writes carry the page's CSRF token. Errors keep the API's body.

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `Lỗi ${status}`);
    this.status = status;
    this.code = err.code || "http_error";
    this.details = err.details ?? null;
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function api(path, { method = "GET", json, body, headers = {}, raw = false } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRFToken"] = csrfToken();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const url = path.startsWith("/") ? path : `/api/v1/${path}`;
  const response = await fetch(url, init);
  if (raw && response.ok) return response;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = raw ? text : null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The props the server put on #app (ids from the URL) and the logged-in user. */
export function pageProps() {
  const el = document.getElementById("app");
  return {
    el,
    props: JSON.parse(el.dataset.props || "{}"),
    user: JSON.parse(el.dataset.user || "{}"),
  };
}
