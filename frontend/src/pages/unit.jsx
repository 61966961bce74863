// Việc của đơn vị: every open step of the head's unit, whoever holds it, with Giao việc / Giao lại per row
// (overseers: every unit, or one picked in the unit filter); the overdue list as Excel (lib/report-exports.jsx).
import { OverdueExport } from "../lib/report-exports.jsx";
import { TaskList } from "../lib/tasklist.jsx";
import { mount } from "../lib/ui.jsx";

function UnitTasks({ user, overseer }) {
  return (
    <>
      <p className="muted" data-testid="unit-scope">
        {overseer ? "Các bước đang mở của mọi đơn vị (chọn một đơn vị để thu hẹp)." : `Các bước đang mở của ${user.unit_name || "đơn vị"}, dù ai đang giữ.`}
      </p>
      <OverdueExport />
      <TaskList user={user} scope="unit" noun="công việc" empty="Đơn vị không có bước nào đang mở." unitFilter={!!overseer} />
    </>
  );
}

mount(UnitTasks);
