// Paged lists: state kept in the URL's query string (back/forward and reload keep it), a debounced search box,
// a pager ("Trang 2/8", Trước/Sau, the total) and a sort select. The API answers a page; X-Total-Count the total;
// X-Next-Cursor where the next page starts.
import { useCallback, useEffect, useState } from "react";
import { api, query } from "./api.js";

export const PAGE_SIZE = 50;

function readUrl(defaults) {
  const params = new URLSearchParams(window.location.search);
  const state = { ...defaults };
  for (const key of Object.keys(defaults)) if (params.has(key)) state[key] = params.get(key);
  return state;
}

/** Filters, search and page held in the URL: ``set({...})`` pushes a history entry; back/forward restore it. */
export function useUrlState(defaults) {
  const [state, setState] = useState(() => readUrl(defaults));
  useEffect(() => {
    const onPop = () => setState(readUrl(defaults));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const set = useCallback(
    (changes) => {
      setState((current) => {
        const next = { ...current, ...changes };
        if (!("page" in changes)) next.page = defaults.page || "1"; // a new filter starts at the first page
        if (Object.keys(next).every((key) => next[key] === current[key])) return current; // no new history entry
        const params = new URLSearchParams(window.location.search);
        for (const [key, value] of Object.entries(next)) {
          if (value === undefined || value === null || value === "" || value === defaults[key]) params.delete(key);
          else params.set(key, value);
        }
        const search = params.toString();
        window.history.pushState(null, "", `${window.location.pathname}${search ? `?${search}` : ""}`);
        return next;
      });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  return [state, set];
}

// Keyset paging (docs/lists.md "Cursor"): the X-Next-Cursor each page gave, so that "Sau" asks for the rows after
// it instead of skipping ``offset`` rows (as fast deep in a long list as on its first page). Kept per list (base
// and filters) for this page's life; a page without a known cursor (a reload, a link) goes by offset.
const cursors = new Map(); // list key → Map(page number → cursor)
const totals = new Map(); // list key → the total its counted pages gave (cursor pages are not counted)
const pages = new Map(); // API path → [list key, page number]

/** One page of ``path`` (from ``pagePath``): the rows and the X-Total-Count total. */
export function usePage(path) {
  const [state, setState] = useState({ rows: null, total: 0, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api(path, { raw: true })
      .then(async (response) => {
        const rows = await response.json();
        const [key, n] = pages.get(path) || [path, 1];
        const next = response.headers.get("X-Next-Cursor");
        if (next) {
          if (!cursors.has(key)) cursors.set(key, new Map());
          cursors.get(key).set(n + 1, next);
        }
        const counted = response.headers.get("X-Total-Count");
        if (counted !== null) totals.set(key, Number(counted));
        const total = counted !== null ? Number(counted) : (totals.get(key) ?? rows.length);
        if (live) setState({ rows, total, error: null, loading: false });
      })
      .catch((error) => live && setState({ rows: null, total: 0, error, loading: false }));
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The API path of page ``page`` (1-based) of ``base`` with ``params``. */
export function pagePath(base, params, page, size = PAGE_SIZE) {
  const n = Math.max(1, Number(page) || 1);
  const key = `${base}${query({ ...params, limit: size })}`;
  const cursor = n > 1 && totals.has(key) ? cursors.get(key)?.get(n) : undefined;
  const path = cursor
    ? `${base}${query({ ...params, limit: size, cursor })}`
    : `${base}${query({ ...params, limit: size, offset: (n - 1) * size })}`;
  pages.set(path, [key, n]);
  return path;
}

/** A search box that reports its text after the user pauses typing (and at once on Enter). */
export function SearchBox({ id = "f-q", label = "Tìm kiếm", value, onSearch, placeholder }) {
  const [text, setText] = useState(value || "");
  useEffect(() => setText(value || ""), [value]);
  useEffect(() => {
    if (text.trim() === (value || "")) return undefined;
    const timer = setTimeout(() => onSearch(text.trim()), 400);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <div className="field field-search">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={text}
        maxLength={200}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onSearch(text.trim());
          }
        }}
      />
    </div>
  );
}

/** "350 công việc · Trang 2/8" with Trước / Sau. */
export function Pager({ total, page, onPage, noun, size = PAGE_SIZE }) {
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, Number(page) || 1), pages);
  return (
    <nav className="pager" aria-label={`Phân trang ${noun}`}>
      <span data-testid="list-total">
        {total.toLocaleString("vi-VN")} {noun}
      </span>
      <button type="button" className="btn" disabled={current <= 1} onClick={() => onPage(String(current - 1))}>
        Trước
      </button>
      <span data-testid="page-of" aria-live="polite">
        Trang {current}/{pages}
      </span>
      <button type="button" className="btn" disabled={current >= pages} onClick={() => onPage(String(current + 1))}>
        Sau
      </button>
    </nav>
  );
}

/** The sort select: ``options`` are [value, label] pairs, the first one the list's default ("" = the API's). */
export function SortSelect({ value, onChange, options }) {
  return (
    <div className="field">
      <label htmlFor="f-sort">Sắp xếp</label>
      <select id="f-sort" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export const TASK_SORTS = [
  ["", "Hạn xử lý gần nhất trước"],
  ["-due_at", "Hạn xử lý xa nhất trước"],
  ["-updated_at", "Hồ sơ mới cập nhật trước"],
  ["updated_at", "Hồ sơ cập nhật lâu nhất trước"],
];
