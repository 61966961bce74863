// What the modeler and the diff share: the spiffworkflow moddle extension, a version's XML, the deploy body.
import spiffModdle from "../bpmn/spiffworkflow-moddle.json";
import { api } from "./api.js";

export const MODDLE = { spiffworkflow: spiffModdle };

export async function fetchXml(key, version) {
  const response = await api(`/api/v1/process-definitions/${key}/versions/${version}/bpmn`, { raw: true });
  return response.text();
}

/** The diagram plus the form/DMN files of the version it came from, as the deploy endpoint's multipart body. */
export function bundle(xml, files, fields = {}) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append("bpmn", new Blob([xml], { type: "application/xml" }), "diagram.bpmn");
  for (const [name, text] of Object.entries(files || {})) {
    body.append("files", new Blob([text], { type: name.endsWith(".json") ? "application/json" : "application/xml" }), name);
  }
  return body;
}
