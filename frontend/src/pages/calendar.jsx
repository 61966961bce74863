// Lịch làm việc of one's organisation (a coordinator): its extra days off and make-up days beside the shared ones.
import { WorkingCalendar } from "../lib/calendar.jsx";
import { mount } from "../lib/ui.jsx";

function CalendarPage({ may_share: mayShare, own_organisation: own }) {
  return <WorkingCalendar mayShare={mayShare} own={own} />;
}

mount(CalendarPage);
