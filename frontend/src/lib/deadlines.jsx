// Hai thời hạn cạnh nhau: the step's own deadline (Hạn xử lý bước) and its activity's (Hạn hoàn thành hoạt
// động: the instance's due date), with one sentence when they disagree.
import { fmtDate, toDate } from "./format.js";

/** Why the two deadlines disagree, or null when they tell the same story. */
export function deadlineNote(stepDue, activityDue, now = new Date()) {
  const step = toDate(stepDue);
  const activity = toDate(activityDue);
  if (!step || !activity) return null;
  const stepLate = step < now;
  const activityLate = activity < now;
  if (activityLate && !stepLate) {
    return `Hoạt động đã quá hạn hoàn thành (${fmtDate(activity)}); bước này còn hạn xử lý đến ${fmtDate(step)}.`;
  }
  if (stepLate && !activityLate) {
    return `Bước này đã quá hạn xử lý (${fmtDate(step)}); hoạt động còn hạn hoàn thành đến ${fmtDate(activity)}.`;
  }
  if (stepLate && activityLate) return "Cả bước này và hoạt động đều đã quá hạn.";
  if (step > activity) {
    return `Hạn xử lý bước (${fmtDate(step)}) muộn hơn hạn hoàn thành hoạt động (${fmtDate(activity)}): cần xử lý sớm để hoạt động kịp hạn.`;
  }
  return null;
}

/** Both deadlines of an open step, side by side; the activity's from the instance (or its start data). */
export function Deadlines({ task }) {
  const instance = task.instance || {};
  const activityDue = instance.due_at || (instance.data && instance.data.deadline) || null;
  if (!activityDue || task.status !== "ready") return null;
  const activityLate = toDate(activityDue) < new Date();
  const note = deadlineNote(task.due_at, activityDue);
  return (
    <div className="deadlines" data-testid="deadlines">
      <div className="deadline-box">
        <div className="label">Hạn xử lý bước</div>
        <div data-testid="step-deadline">{task.due_at ? fmtDate(task.due_at) : "Không có hạn"}</div>
      </div>
      <div className={`deadline-box${activityLate ? " deadline-late" : ""}`}>
        <div className="label">Hạn hoàn thành hoạt động</div>
        <div data-testid="activity-deadline">
          {fmtDate(activityDue)} {activityLate && <span className="chip state-overdue">Hoạt động quá hạn</span>}
        </div>
      </div>
      {note && (
        <p className="deadline-note" role="note" data-testid="deadline-note">
          {note}
        </p>
      )}
    </div>
  );
}
