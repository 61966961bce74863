// Paged lists: state kept in the URL's query string (back/forward and reload keep it), a debounced search box,
// a pager ("Trang 2/8", Trước/Sau, the total) and a sort select. The API answers a page; X-Total-Count the total,
// or X-Total-Count-More-Than when the list has more rows than the server counts (10.000: "hơn 10.000", pages then
// unknown); X-Next-Cursor where the next page starts.
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
const totals = new Map(); // list key → {total, more} its counted pages gave (cursor pages are not counted)
const pages = new Map(); // API path → [list key, page number]

/** The total a response's headers give: {total, more} (more: the list has more than ``total`` rows), or null. */
function countOf(response) {
  const exact = response.headers.get("X-Total-Count");
  if (exact !== null) return { total: Number(exact), more: false };
  const moreThan = response.headers.get("X-Total-Count-More-Than");
  return moreThan !== null ? { total: Number(moreThan), more: true } : null;
}

/** "1.234" or, when the list was counted only up to ``total``, "hơn 10.000". */
export function totalText({ total, more }) {
  return `${more ? "hơn " : ""}${total.toLocaleString("vi-VN")}`;
}

/** One page of ``path`` (from ``pagePath``): the rows, the total ({total, more}) and whether a next page exists. */
export function usePage(path) {
  const [state, setState] = useState({ rows: null, total: 0, more: false, hasNext: false, error: null, loading: true });
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
        const counted = countOf(response);
        if (counted !== null) totals.set(key, counted);
        const { total, more } = counted ?? totals.get(key) ?? { total: rows.length, more: false };
        if (live) setState({ rows, total, more, hasNext: Boolean(next), error: null, loading: false });
      })
      .catch((error) => live && setState({ rows: null, total: 0, more: false, hasNext: false, error, loading: false }));
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

/** "350 công việc · Trang 2/8" with Trước / Sau; a list counted only in part (``more``): "hơn 10.000 công việc ·
 * Trang 2", and "Sau" while the server gives a next page. */
export function Pager({ total, more = false, hasNext = false, page, onPage, noun, size = PAGE_SIZE }) {
  const pages = Math.max(1, Math.ceil(total / size));
  const asked = Math.max(1, Number(page) || 1);
  const current = more ? asked : Math.min(asked, pages);
  const last = more ? !hasNext : current >= pages;
  return (
    <nav className="pager" aria-label={`Phân trang ${noun}`}>
      <span data-testid="list-total">
        {totalText({ total, more })} {noun}
      </span>
      <button type="button" className="btn" disabled={current <= 1} onClick={() => onPage(String(current - 1))}>
        Trước
      </button>
      <span data-testid="page-of" aria-live="polite">
        {more ? `Trang ${current}` : `Trang ${current}/${pages}`}
      </span>
      <button type="button" className="btn" disabled={last} onClick={() => onPage(String(current + 1))}>
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
