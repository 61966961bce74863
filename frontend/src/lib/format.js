// Vietnamese labels and dd/mm/yyyy dates (Asia/Ho_Chi_Minh).

const TZ = "Asia/Ho_Chi_Minh";
const parts = (d, opts) =>
  Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: TZ, ...opts }).formatToParts(d).map((p) => [p.type, p.value]));

export function toDate(value) {
  if (!value) return null;
  if (value instanceof Date) return value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00+07:00`);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtDate(value) {
  const d = toDate(value);
  if (!d) return "";
  const p = parts(d, { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.day}/${p.month}/${p.year}`;
}

export function fmtDateTime(value) {
  const d = toDate(value);
  if (!d) return "";
  const p = parts(d, { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

/** ISO date (YYYY-MM-DD) of a moment in Vietnam. */
export function isoLocalDate(value = new Date()) {
  const p = parts(toDate(value), { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.year}-${p.month}-${p.day}`;
}

export const INSTANCE_STATUS = {
  running: "Đang thực hiện",
  waiting: "Đang chờ",
  completed: "Đã hoàn thành",
  cancelled: "Đã hủy",
  error: "Gặp sự cố",
};

export const TASK_STATUS = { ready: "Đang chờ xử lý", completed: "Đã hoàn thành", cancelled: "Đã hủy" };

export const DEADLINE_STATES = {
  overdue: "Quá hạn",
  due_soon: "Sắp đến hạn",
  on_track: "Trong hạn",
  none: "Không có hạn",
  early: "Hoàn thành trước hạn",
  on_time: "Hoàn thành đúng hạn",
  late: "Hoàn thành quá hạn",
};

export const PLAN_STATUS = {
  not_started: "Chưa thực hiện",
  in_progress: "Đang thực hiện",
  done_early: "Hoàn thành trước hạn",
  done_on_time: "Hoàn thành đúng hạn",
  done_late: "Hoàn thành quá hạn",
  overdue: "Quá hạn chưa hoàn thành",
};

export const PLAN_STATUS_COLORS = {
  not_started: "#9ca3af",
  in_progress: "#2563eb",
  done_early: "#059669",
  done_on_time: "#16a34a",
  done_late: "#d97706",
  overdue: "#dc2626",
};

export const EVENT_KINDS = {
  instance_started: "Khởi tạo hồ sơ",
  instance_completed: "Hồ sơ hoàn thành",
  instance_cancelled: "Hủy hồ sơ",
  instance_failed: "Hồ sơ gặp sự cố",
  instance_retried: "Chạy lại bước lỗi",
  task_ready: "Bước xử lý sẵn sàng",
  task_claimed: "Nhận xử lý",
  task_unclaimed: "Trả lại hàng chờ",
  task_assigned: "Giao việc",
  task_completed: "Hoàn thành bước",
  task_cancelled: "Hủy bước",
  timer_fired: "Đến hạn hẹn giờ",
  definition_deployed: "Triển khai quy trình",
  script_failed: "Tập lệnh bị lỗi",
};

export const eventLabel = (kind) => EVENT_KINDS[kind] || kind.replaceAll("_", " ");

const DAY_MS = 86400000;

/** Working days (Mon–Fri) after ``from`` up to ``to``: the client-side fallback when the server's calendar is not asked. */
export function weekdaysBetween(from, to) {
  const a = toDate(isoLocalDate(from));
  const b = toDate(isoLocalDate(to));
  const sign = b >= a ? 1 : -1;
  const [lo, hi] = sign > 0 ? [a, b] : [b, a];
  let n = 0;
  for (let t = lo.getTime() + DAY_MS; t <= hi.getTime(); t += DAY_MS) {
    const day = new Date(t + 7 * 3600000).getUTCDay();
    if (day !== 0 && day !== 6) n += 1;
  }
  return sign * n;
}

export const DUE_SOON_WORKING_DAYS = 2;

/** trong hạn / sắp đến hạn / quá hạn: the API's ``deadline_state`` when given, else computed from the due date. */
export function deadlineState(task, now = new Date()) {
  const given = DEADLINE_STATES[task.deadline_state] ? task.deadline_state : null;
  const due = toDate(task.due_at);
  if (task.status && task.status !== "ready") return given || "none";
  if (!due) return given || "none";
  if (due < now) return "overdue"; // the stored classification may predate the deadline
  if (given) return given;
  return weekdaysBetween(now, due) <= DUE_SOON_WORKING_DAYS ? "due_soon" : "on_track";
}

/** dd/mm/yyyy HH:mm in Vietnam (records: submissions, timeline). */
export function fmtStamp(value) {
  const d = toDate(value);
  if (!d) return "";
  const p = parts(d, { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}
