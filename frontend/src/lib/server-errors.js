// A 422 answer's field errors ({"field": ["message"], "a.b": [...]}) as an @rjsf error schema, so that each
// message shows next to its field; the keys that are not fields of the form are returned apart.

/** Split ``details`` into an rjsf ``extraErrors`` object (fields of ``schema``) and the other messages. */
export function serverErrorSchema(details, schema) {
  const fields = (schema && schema.properties) || {};
  const errorSchema = {};
  const other = {};
  if (!details || typeof details !== "object" || Array.isArray(details)) return { errorSchema, other };
  for (const [key, value] of Object.entries(details)) {
    const messages = (Array.isArray(value) ? value : [value]).filter((m) => typeof m === "string");
    const path = key.split(".");
    if (!(path[0] in fields)) {
      other[key] = messages;
      continue;
    }
    let node = errorSchema;
    for (const part of path) node = node[part] ||= {};
    node.__errors = [...(node.__errors || []), ...messages];
  }
  return { errorSchema, other };
}
