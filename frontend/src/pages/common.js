// On every page: the unread-notifications count in the header, kept live (lib/unread.js).
import { startUnreadBadge } from "../lib/unread.js";

startUnreadBadge();
