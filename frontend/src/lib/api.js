// Calls to /api/v1 with the session cookie; writes carry the page's CSRF token. Errors keep the API's body.
// A 401 (the session expired) saves the drafts (beforeLogin) and goes to the login page, which comes back here;
// a 403 csrf_invalid (the session changed in another tab) fetches a fresh token and retries once.

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `Lỗi ${status}`);
    this.status = status;
    this.code = err.code || "http_error";
    this.details = err.details ?? null;
  }
}

const CSRF_INVALID = "csrf_invalid"; // api/auth.py: check_csrf_header answers 403 with this code
const leaving = new Set();
let redirecting = false;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** Run ``save`` (synchronously) before the page leaves for the login page; returns the unsubscribe function. */
export function beforeLogin(save) {
  leaving.add(save);
  return () => leaving.delete(save);
}

/** The session is gone: keep what the user typed, then log in again and come back to this page. */
export function sessionExpired() {
  for (const save of leaving) {
    try {
      save();
    } catch {
      // a draft that cannot be stored (quota, private mode) must not keep the user from logging in
    }
  }
  if (redirecting) return;
  redirecting = true;
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(here)}&expired=1`);
}

function pageUser() {
  const el = document.getElementById("app");
  try {
    return JSON.parse((el && el.dataset.user) || "{}").username || null;
  } catch {
    return null;
  }
}

/** A fresh CSRF token for this session (GET /ui/api/csrf); false when the session now belongs to someone else. */
async function refreshCsrf() {
  const response = await fetch("/ui/api/csrf", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return response.status;
  const body = await response.json();
  const user = pageUser();
  if (user && body.username !== user) return "other_user";
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) meta.content = body.csrf_token;
  return true;
}

async function parse(response, raw) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return raw ? text : null;
  }
}

/** ``background``: a call the user did not ask for (polling) — a 401 is only reported, it never leaves the page. */
export async function api(path, { method = "GET", json, body, headers = {}, raw = false, background = false } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  const write = method !== "GET" && method !== "HEAD";
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const url = path.startsWith("/") ? path : `/api/v1/${path}`;
  const send = () => {
    if (write) init.headers["X-CSRFToken"] = csrfToken();
    return fetch(url, init);
  };
  let response = await send();
  let data = raw && response.ok ? null : await parse(response, raw);
  if (write && response.status === 403 && data && data.error && data.error.code === CSRF_INVALID) {
    const refreshed = await refreshCsrf();
    if (refreshed === true) {
      response = await send();
      data = raw && response.ok ? null : await parse(response, raw);
    } else if (refreshed === "other_user") {
      throw new ApiError(409, {
        error: {
          code: "session_user_changed",
          message: "Trình duyệt đang đăng nhập bằng tài khoản khác (từ một thẻ khác). Dữ liệu chưa được gửi; hãy đăng nhập lại đúng tài khoản.",
        },
      });
    } else if (refreshed === 401) {
      response = { ok: false, status: 401 };
      data = null;
    }
  }
  if (raw && response.ok) return response;
  if (!response.ok && response.status === 401 && !background) {
    sessionExpired();
    throw new ApiError(401, {
      error: { code: "session_expired", message: "Phiên đăng nhập đã hết hạn. Dữ liệu đang nhập đã được lưu tạm; đang chuyển đến trang đăng nhập…" },
    });
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
