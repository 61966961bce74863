// Lịch làm việc: the extra days off and make-up days, for every organisation or one, and the due-date calculator.
// A system administrator (``mayShare``) chooses the organisation — or "Mọi tổ chức", the shared calendar — for the
// list, a new day and the calculator; a coordinator (``own``: their organisation) manages only their own days and
// sees the shared ones beside them.
import { useState } from "react";
import { api, query } from "./api.js";
import { fmtDate, fmtDateTime } from "./format.js";
import { useApi } from "./hooks.js";
import { Feedback, Loading, useAction } from "./ui.jsx";

const SHARED = "Mọi tổ chức";

function whose(o) {
  return o.organisation ? o.organisation_name || o.organisation : SHARED;
}

export function WorkingCalendar({ mayShare = false, own = null }) {
  const [year, setYear] = useState(new Date().getFullYear());
  const [org, setOrg] = useState(""); // the administrator's choice: "" = every organisation (the shared calendar)
  const organisations = useApi(mayShare ? "organisations" : null, { optional: true });
  const overrides = useApi(`calendar/overrides${query({ year, organisation_code: mayShare ? org || undefined : undefined })}`, { optional: true });
  const [state, run] = useAction();
  const [form, setForm] = useState({ day: "", working: "false", reason: "" });
  const [calc, setCalc] = useState({ start: "", n: "5" });
  const [due, setDue] = useState(null);
  const target = mayShare ? (org ? organisations.data?.find((o) => o.code === org)?.name || org : SHARED) : own?.name;
  const add = async (e) => {
    e.preventDefault();
    const body = { day: form.day, working: form.working === "true", reason: form.reason || null };
    if (mayShare) body.organisation_code = org || null;
    if (await run(() => api("calendar/overrides", { method: "POST", json: body }), `Đã lưu ngày ${fmtDate(form.day)} (${target}).`)) {
      setForm({ day: "", working: "false", reason: "" });
      overrides.reload();
    }
  };
  const remove = async (o) => {
    const path = `calendar/overrides/${o.day}?organisation_code=${encodeURIComponent(o.organisation || "")}`;
    if (await run(() => api(path, { method: "DELETE" }), `Đã xóa ngày ${fmtDate(o.day)} (${whose(o)}).`)) overrides.reload();
  };
  const mayRemove = (o) => mayShare || (own && o.organisation === own.code);
  const compute = async (e) => {
    e.preventDefault();
    const params = { start: calc.start, working_days: calc.n, organisation_code: mayShare ? org || undefined : undefined };
    await run(async () => setDue(await api(`calendar/due-date${query(params)}`)), null);
  };
  if (overrides.missing) return <p className="card muted">Chức năng lịch làm việc chưa sẵn sàng.</p>;
  return (
    <section className="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">Lịch làm việc</h2>
      <p className="muted">
        Ngày nghỉ lễ theo quy định được tính sẵn; ở đây khai báo ngày nghỉ bổ sung và ngày làm bù. Ngày khai báo cho «{SHARED}» áp dụng cho
        mọi tổ chức; ngày khai báo riêng của một tổ chức được ưu tiên hơn trong tổ chức đó.
      </p>
      <Feedback state={state} />
      <div className="toolbar">
        <div className="field">
          <label htmlFor="c-year">Năm</label>
          <input id="c-year" type="number" min="2000" max="2100" value={year} onChange={(e) => setYear(e.target.value)} style={{ width: "7rem" }} />
        </div>
        {mayShare ? (
          <div className="field">
            <label htmlFor="c-org">Tổ chức</label>
            <select id="c-org" value={org} onChange={(e) => setOrg(e.target.value)}>
              <option value="">{SHARED} (lịch chung)</option>
              {(organisations.data || []).map((o) => (
                <option key={o.code} value={o.code}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          own && (
            <p data-testid="calendar-organisation">
              Tổ chức: <strong>{own.name}</strong>
            </p>
          )
        )}
      </div>
      {!overrides.data ? (
        <Loading what="lịch" />
      ) : overrides.data.length === 0 ? (
        <p className="muted">Năm {year} chưa có ngày điều chỉnh.</p>
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="overrides">
            <thead>
              <tr>
                <th scope="col">Ngày</th>
                <th scope="col">Tổ chức</th>
                <th scope="col">Loại</th>
                <th scope="col">Lý do</th>
                <th scope="col">Người khai báo</th>
                <th scope="col">Thao tác</th>
              </tr>
            </thead>
            <tbody>
              {overrides.data.map((o) => (
                <tr key={`${o.day}/${o.organisation || ""}`}>
                  <td data-label="Ngày">{fmtDate(o.day)}</td>
                  <td data-label="Tổ chức">{whose(o)}</td>
                  <td data-label="Loại">{o.working ? "Ngày làm bù" : "Ngày nghỉ"}</td>
                  <td data-label="Lý do">{o.reason || "—"}</td>
                  <td data-label="Người khai báo">
                    {o.created_by || "—"} {o.created_at ? `(${fmtDateTime(o.created_at)})` : ""}
                  </td>
                  <td data-label="Thao tác">
                    {mayRemove(o) ? (
                      <button type="button" className="btn" onClick={() => remove(o)} disabled={state.busy} aria-label={`Xóa ngày ${fmtDate(o.day)} (${whose(o)})`}>
                        Xóa
                      </button>
                    ) : (
                      <span className="muted">Lịch chung</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Thêm ngày điều chỉnh{target ? ` cho ${target}` : ""}</h3>
      <form onSubmit={add} className="toolbar">
        <div className="field">
          <label htmlFor="o-day">Ngày</label>
          <input id="o-day" type="date" required value={form.day} onChange={(e) => setForm({ ...form, day: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="o-kind">Loại</label>
          <select id="o-kind" value={form.working} onChange={(e) => setForm({ ...form, working: e.target.value })}>
            <option value="false">Ngày nghỉ</option>
            <option value="true">Ngày làm bù</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="o-reason">Lý do</label>
          <input id="o-reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={state.busy}>
          Lưu ngày
        </button>
      </form>
      <h3>Tính hạn xử lý{target ? ` theo lịch của ${target}` : ""}</h3>
      <form onSubmit={compute} className="toolbar">
        <div className="field">
          <label htmlFor="d-start">Từ ngày</label>
          <input id="d-start" type="date" required value={calc.start} onChange={(e) => setCalc({ ...calc, start: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="d-n">Số ngày làm việc</label>
          <input id="d-n" type="number" min="-1000" max="1000" required value={calc.n} onChange={(e) => setCalc({ ...calc, n: e.target.value })} style={{ width: "7rem" }} />
        </div>
        <button type="submit" className="btn">
          Tính
        </button>
      </form>
      {due && (
        <div data-testid="due-date">
          <p>
            Hạn xử lý: <strong>{fmtDate(due.due_date)}</strong> ({due.calendar_days} ngày theo lịch).
          </p>
          {(due.days_off || []).length > 0 && (
            <ul>
              {due.days_off.map((d) => (
                <li key={d.date}>
                  {fmtDate(d.date)}: {d.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
