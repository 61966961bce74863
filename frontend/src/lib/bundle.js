// The multipart body of the definition endpoints (Kiểm tra, Chạy kịch bản, Triển khai).

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
