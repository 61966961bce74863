// Quản trị → Người dùng: the accounts, adding one, editing (name, unit, roles, e-mail), resetting a password and
// locking an account after a confirmation. The forms check themselves in Vietnamese (noValidate: never the
// browser's English bubbles); the server's rules (workflows/accounts.py: at least 8 characters, not a common
// password) come back as field messages.
import { useMemo, useState } from "react";
import { api } from "./api.js";
import { FieldError, Feedback, fieldErrors, invalid, useAction } from "./admin-ui.jsx";
import { ConfirmDialog, Dialog } from "./dialog.jsx";
import { useApi } from "./hooks.js";
import { ErrorBox, Loading } from "./ui.jsx";

export const ROLES = {
  admin: "Quản trị viên",
  leader: "Chủ tịch / Phó Chủ tịch UBND",
  head: "Trưởng / Phó Trưởng phòng",
  staff: "Chuyên viên",
  clerk: "Văn thư",
  coordinator: "Cán bộ đầu mối CCHC",
  appraiser: "Thành viên Hội đồng thẩm định",
  province: "Sở Nội vụ (cấp tỉnh)",
};
const PASSWORD_MIN = 8; // workflows/accounts.py PASSWORD_MIN_LENGTH
const USERNAME = /^[a-z0-9._-]{2,100}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkPassword(password, errors) {
  if (!password) errors.password = "Hãy nhập mật khẩu.";
  else if ([...password].length < PASSWORD_MIN) errors.password = `Mật khẩu phải có ít nhất ${PASSWORD_MIN} ký tự.`;
}

function checkAccount(form, { creating }) {
  const errors = {};
  if (creating) {
    if (!form.username) errors.username = "Hãy nhập tên đăng nhập.";
    else if (!USERNAME.test(form.username)) errors.username = "Tên đăng nhập gồm 2–100 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang.";
    checkPassword(form.password, errors);
  }
  if (!form.full_name.trim()) errors.full_name = "Hãy nhập họ tên.";
  if (form.email && !EMAIL.test(form.email)) errors.email = "Địa chỉ thư điện tử không hợp lệ.";
  if (!form.roles.length) errors.roles = "Hãy chọn ít nhất một vai trò.";
  return errors;
}

function AccountFields({ form, setForm, errors, units, creating, prefix }) {
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const id = (k) => `${prefix}-${k}`;
  return (
    <>
      {creating && (
        <div className="field">
          <label htmlFor={id("username")}>Tên đăng nhập</label>
          <input id={id("username")} value={form.username} onChange={set("username")} autoComplete="off" {...invalid(id("username"), errors.username)} />
          <FieldError id={id("username")} message={errors.username} />
        </div>
      )}
      <div className="field">
        <label htmlFor={id("full_name")}>Họ tên</label>
        <input id={id("full_name")} value={form.full_name} onChange={set("full_name")} {...invalid(id("full_name"), errors.full_name)} />
        <FieldError id={id("full_name")} message={errors.full_name} />
      </div>
      {creating && (
        <div className="field">
          <label htmlFor={id("password")}>Mật khẩu (ít nhất {PASSWORD_MIN} ký tự)</label>
          <input id={id("password")} type="password" value={form.password} onChange={set("password")} autoComplete="new-password" {...invalid(id("password"), errors.password)} />
          <FieldError id={id("password")} message={errors.password} />
        </div>
      )}
      <div className="field">
        <label htmlFor={id("email")}>Thư điện tử</label>
        <input id={id("email")} type="email" value={form.email} onChange={set("email")} {...invalid(id("email"), errors.email)} />
        <FieldError id={id("email")} message={errors.email} />
      </div>
      <div className="field">
        <label htmlFor={id("unit_code")}>Đơn vị</label>
        <select id={id("unit_code")} value={form.unit_code} onChange={set("unit_code")} {...invalid(id("unit_code"), errors.unit_code)}>
          {(creating || !form.unit_code) && <option value="">Không thuộc đơn vị</option>}
          {units.map((u) => (
            <option key={u.code} value={u.code}>
              {u.name}
            </option>
          ))}
        </select>
        <FieldError id={id("unit_code")} message={errors.unit_code} />
      </div>
      <fieldset className="field" {...invalid(id("roles"), errors.roles)}>
        <legend className="label">Vai trò</legend>
        {Object.entries(ROLES).map(([code, name]) => (
          <label key={code} style={{ fontWeight: 400 }}>
            <input
              type="checkbox"
              checked={form.roles.includes(code)}
              onChange={(e) => setForm({ ...form, roles: e.target.checked ? [...form.roles, code] : form.roles.filter((r) => r !== code) })}
            />{" "}
            {name}
          </label>
        ))}
        <FieldError id={id("roles")} message={errors.roles} />
      </fieldset>
    </>
  );
}

/** Submit ``body`` after the checks; a 422's field messages land on their fields, anything else on top. */
function useAccountForm(check, send) {
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (form) => {
    const found = check(form);
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) return false;
    setBusy(true);
    try {
      await send(form);
      return true;
    } catch (e) {
      const fields = fieldErrors(e);
      setErrors(fields);
      if (!Object.keys(fields).length || e.status !== 422) setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { errors, error, busy, submit };
}

function EditDialog({ user, units, onClose, onSaved }) {
  const [form, setForm] = useState({ full_name: user.full_name, email: user.email || "", unit_code: user.unit_code || "", roles: [...user.roles] });
  const { errors, error, busy, submit } = useAccountForm(
    (f) => checkAccount(f, { creating: false }),
    (f) => {
      const body = { full_name: f.full_name.trim(), roles: f.roles, email: f.email || null };
      if (f.unit_code) body.unit_code = f.unit_code;
      return api(`users/${user.username}`, { method: "PATCH", json: body });
    },
  );
  const save = async (e) => {
    e.preventDefault();
    if (await submit(form)) onSaved(`Đã lưu tài khoản ${user.username}.`);
  };
  return (
    <Dialog title={`Sửa tài khoản ${user.username}`} onCancel={onClose} testId="user-edit" labelId="user-edit-title">
      <form onSubmit={save} noValidate>
        <ErrorBox error={error} />
        <AccountFields form={form} setForm={setForm} errors={errors} units={units} creating={false} prefix="e" />
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Hủy
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Lưu thay đổi
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PasswordDialog({ user, onClose, onSaved }) {
  const [form, setForm] = useState({ password: "", again: "" });
  const { errors, error, busy, submit } = useAccountForm(
    (f) => {
      const found = {};
      checkPassword(f.password, found);
      if (!found.password && f.again !== f.password) found.again = "Hai lần nhập mật khẩu không khớp.";
      return found;
    },
    (f) => api(`users/${user.username}`, { method: "PATCH", json: { password: f.password } }),
  );
  const save = async (e) => {
    e.preventDefault();
    if (await submit(form)) onSaved(`Đã đặt lại mật khẩu của ${user.username}.`);
  };
  return (
    <Dialog title={`Đặt lại mật khẩu của ${user.username}`} onCancel={onClose} testId="user-password" labelId="user-password-title">
      <form onSubmit={save} noValidate>
        <ErrorBox error={error} />
        <div className="field">
          <label htmlFor="p-password">Mật khẩu mới (ít nhất {PASSWORD_MIN} ký tự)</label>
          <input id="p-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} {...invalid("p-password", errors.password)} />
          <FieldError id="p-password" message={errors.password} />
        </div>
        <div className="field">
          <label htmlFor="p-again">Nhập lại mật khẩu mới</label>
          <input id="p-again" type="password" autoComplete="new-password" value={form.again} onChange={(e) => setForm({ ...form, again: e.target.value })} {...invalid("p-again", errors.again)} />
          <FieldError id="p-again" message={errors.again} />
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Hủy
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Đặt lại mật khẩu
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const EMPTY = { username: "", full_name: "", password: "", email: "", unit_code: "", roles: ["staff"] };

export function Users({ units, me }) {
  const users = useApi("users");
  const [state, run] = useAction();
  const [form, setForm] = useState(EMPTY);
  const [open, setOpen] = useState(null); // {kind: "edit" | "password" | "lock", user}
  const unitName = useMemo(() => Object.fromEntries(units.map((u) => [u.code, u.name])), [units]);
  const creating = useAccountForm(
    (f) => checkAccount(f, { creating: true }),
    (f) => api("users", { method: "POST", json: { ...f, full_name: f.full_name.trim(), unit_code: f.unit_code || null, email: f.email || null } }),
  );
  const say = (message) => run(async () => {}, message);
  const create = async (e) => {
    e.preventDefault();
    if (await creating.submit(form)) {
      say(`Đã tạo tài khoản ${form.username}.`);
      setForm(EMPTY);
      users.reload();
    }
  };
  const done = (message) => {
    setOpen(null);
    say(message);
    users.reload();
  };
  const setActive = async (u, active) => {
    const ok = await run(() => api(`users/${u.username}`, { method: "PATCH", json: { active } }), active ? `Đã mở khóa tài khoản ${u.username}.` : `Đã khóa tài khoản ${u.username}.`);
    setOpen(null);
    if (ok) users.reload();
  };
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Người dùng</h2>
      <Feedback state={state} />
      <ErrorBox error={users.error} />
      {!users.data ? (
        <Loading what="người dùng" />
      ) : (
        <div className="table-wrap">
          <table className="responsive" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Tên đăng nhập</th>
                <th scope="col">Họ tên</th>
                <th scope="col">Đơn vị</th>
                <th scope="col">Vai trò</th>
                <th scope="col">Trạng thái</th>
                <th scope="col">Thao tác</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.username} data-username={u.username}>
                  <td data-label="Tên đăng nhập">{u.username}</td>
                  <td data-label="Họ tên">{u.full_name}</td>
                  <td data-label="Đơn vị">{unitName[u.unit_code] || u.unit_name || u.unit_code || "—"}</td>
                  <td data-label="Vai trò">{u.roles.map((r) => ROLES[r] || r).join(", ")}</td>
                  <td data-label="Trạng thái">{u.active ? "Đang hoạt động" : "Đã khóa"}</td>
                  <td data-label="Thao tác" className="actions">
                    <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: "edit", user: u })}>
                      Sửa
                    </button>{" "}
                    <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: "password", user: u })}>
                      Đặt lại mật khẩu
                    </button>{" "}
                    {u.active ? (
                      <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: "lock", user: u })} disabled={state.busy || u.username === me}>
                        Khóa
                      </button>
                    ) : (
                      <button type="button" className="btn btn-small" onClick={() => setActive(u, true)} disabled={state.busy}>
                        Mở khóa
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && open.kind === "edit" && <EditDialog user={open.user} units={units} onClose={() => setOpen(null)} onSaved={done} />}
      {open && open.kind === "password" && <PasswordDialog user={open.user} onClose={() => setOpen(null)} onSaved={done} />}
      {open && open.kind === "lock" && (
        <ConfirmDialog title={`Khóa tài khoản ${open.user.username}?`} confirmLabel="Khóa tài khoản" danger busy={state.busy} onCancel={() => setOpen(null)} onConfirm={() => setActive(open.user, false)}>
          <p>
            {open.user.full_name} sẽ không đăng nhập được nữa; công việc đang giao cho người này vẫn giữ nguyên. Có thể mở khóa lại bất cứ lúc nào.
          </p>
        </ConfirmDialog>
      )}
      <h3>Thêm tài khoản</h3>
      <form onSubmit={create} className="grid grid-3" noValidate data-testid="user-create">
        <ErrorBox error={creating.error} />
        <AccountFields form={form} setForm={setForm} errors={creating.errors} units={units} creating prefix="u" />
        <div>
          <button type="submit" className="btn btn-primary" disabled={creating.busy}>
            Thêm tài khoản
          </button>
        </div>
      </form>
    </section>
  );
}
