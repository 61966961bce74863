// The modeler's local draft (localStorage): the diagram as last edited, per user and process, with the version
// it was edited from; offered back when that process is opened again, removed once deployed or discarded.
const PREFIX = "cchc.modeler:";

export function modelerDraftKey(user, processKey) {
  return `${PREFIX}${user || ""}:${processKey}`;
}

export function readModelerDraft(key) {
  try {
    const draft = JSON.parse(window.localStorage.getItem(key) || "null");
    return draft && typeof draft.xml === "string" ? draft : null;
  } catch {
    return null;
  }
}

export function writeModelerDraft(key, xml, version) {
  try {
    window.localStorage.setItem(key, JSON.stringify({ xml, version, saved_at: new Date().toISOString() }));
  } catch {
    // storage full or disabled: the modeler still works, only without a draft
  }
}

export function removeModelerDraft(key) {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // nothing to remove
  }
}
