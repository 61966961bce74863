// The file widget of the forms: every array property with "x-document" (a list of document ids, docs/documents.md)
// is drawn by DocumentsField instead of rjsf's ArrayField — no uiSchema needed (VI_FORM_PROPS swaps ArrayField).
// Choosing or dropping files uploads each one (POST /api/v1/documents) and adds its id; "Gỡ bỏ" takes it out of the
// field (and deletes an upload this page made, which no step uses yet). Ids from a draft or an earlier round are
// looked up again (GET /api/v1/documents/{id}); one that no longer exists is dropped with a notice.
import { getDefaultRegistry } from "@rjsf/core";
import { useEffect, useRef, useState } from "react";
import { api } from "./api.js";
import { DOCUMENT_EXTENSIONS, DocumentItem, usePreview } from "./documents.jsx";

const { ArrayField } = getDefaultRegistry().fields;
const known = new Map(); // id → metadata, shared by the fields of the page
const uploadedHere = new Set(); // ids this page uploaded: "Gỡ bỏ" may delete them

const extension = (name) => (/\.([^./\\]+)$/.exec(name || "") || [])[1]?.toLowerCase() || "";

function acceptedExtensions(schema) {
  const accept = (schema["x-document"] || {}).accept;
  return Array.isArray(accept) && accept.length ? accept.map((e) => String(e).toLowerCase()) : Object.keys(DOCUMENT_EXTENSIONS);
}

async function lookUp(id) {
  if (known.has(id)) return known.get(id);
  try {
    const meta = await api(`documents/${id}`);
    known.set(id, meta);
    return meta;
  } catch (e) {
    if (e.status === 404) return null; // gone (removed unused, or never the user's)
    throw e;
  }
}

function DocumentsField({ schema, uiSchema, formData, onChange, fieldPathId, disabled, readonly, rawErrors, required, name, title }) {
  const ids = Array.isArray(formData) ? formData.filter((v) => Number.isInteger(v)) : [];
  const latest = useRef(ids);
  latest.current = ids;
  const [metas, setMetas] = useState(() => Object.fromEntries(ids.filter((id) => known.has(id)).map((id) => [id, known.get(id)])));
  const [uploading, setUploading] = useState([]);
  const [errors, setErrors] = useState([]);
  const [notice, setNotice] = useState(null);
  const [over, setOver] = useState(false);
  const [dialog, preview] = usePreview();
  const input = useRef(null);
  const id = fieldPathId.$id;
  const path = fieldPathId.path;
  const label = (uiSchema && uiSchema["ui:title"]) || schema.title || title || name;
  const accept = acceptedExtensions(schema);
  const max = Number.isInteger(schema.maxItems) ? schema.maxItems : Infinity;
  const locked = disabled || readonly;
  const room = max - ids.length - uploading.length;

  const set = (next) => {
    latest.current = next;
    onChange(next.length ? next : undefined, path);
  };

  // ids without a name yet (a restored draft, the data of a step returned for revision): ask the store
  const missing = ids.filter((x) => !metas[x]).join(",");
  useEffect(() => {
    if (!missing) return undefined;
    let live = true;
    (async () => {
      const wanted = missing.split(",").map(Number);
      const gone = [];
      const found = {};
      const failed = [];
      for (const x of wanted) {
        try {
          const meta = await lookUp(x);
          if (meta) found[x] = meta;
          else gone.push(x);
        } catch (e) {
          failed.push(e.message);
        }
      }
      if (!live) return;
      setMetas((m) => ({ ...m, ...found }));
      if (failed.length) setErrors((list) => [...list, ...failed]);
      if (gone.length) {
        set(latest.current.filter((x) => !gone.includes(x)));
        setNotice(
          gone.length === 1
            ? "Một tệp đính kèm đã chọn trước đây không còn trên hệ thống (tệp chưa gửi chỉ được giữ tạm một thời gian) nên đã được gỡ khỏi danh sách. Vui lòng tải lên lại."
            : `${gone.length} tệp đính kèm đã chọn trước đây không còn trên hệ thống (tệp chưa gửi chỉ được giữ tạm một thời gian) nên đã được gỡ khỏi danh sách. Vui lòng tải lên lại.`,
        );
      }
    })();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [missing]);

  const upload = async (files) => {
    const problems = [];
    let chosen = [...files];
    const wrong = chosen.filter((f) => !accept.includes(extension(f.name)));
    for (const f of wrong) {
      problems.push(`Tệp «${f.name}» không thuộc loại được nhận ở trường này (chỉ nhận ${accept.map((e) => e.toUpperCase()).join(", ")}).`);
    }
    chosen = chosen.filter((f) => !wrong.includes(f));
    if (chosen.length > room) {
      const left = chosen.slice(room);
      problems.push(`Trường này nhận tối đa ${max} tệp; không tải lên: ${left.map((f) => `«${f.name}»`).join(", ")}.`);
      chosen = chosen.slice(0, Math.max(0, room));
    }
    setErrors(problems);
    setNotice(null);
    if (!chosen.length) return;
    const pending = chosen.map((f, i) => ({ key: `${Date.now()}-${i}`, name: f.name, size: f.size }));
    setUploading((u) => [...u, ...pending]);
    for (const [i, file] of chosen.entries()) {
      const body = new FormData();
      body.append("file", file, file.name);
      try {
        const meta = await api("documents", { method: "POST", body });
        known.set(meta.id, meta);
        uploadedHere.add(meta.id);
        setMetas((m) => ({ ...m, [meta.id]: meta }));
        set([...latest.current, meta.id]);
      } catch (e) {
        const why = e.status ? e.message : "lỗi kết nối, vui lòng thử lại";
        problems.push(`Không tải lên được «${file.name}»: ${why}`);
        setErrors([...problems]);
      } finally {
        setUploading((u) => u.filter((p) => p.key !== pending[i].key));
      }
    }
  };

  const remove = (docId) => {
    set(latest.current.filter((x) => x !== docId));
    setErrors([]);
    if (uploadedHere.has(docId)) {
      uploadedHere.delete(docId);
      known.delete(docId);
      // still unused: delete it now rather than leave it to the worker's clean-up (a 409: a step uses it; keep it)
      api(`documents/${docId}`, { method: "DELETE" }).catch(() => {});
    }
  };

  const onFiles = (e) => {
    const files = e.target.files ? [...e.target.files] : [];
    e.target.value = "";
    if (files.length) upload(files);
  };
  const onDrop = (e) => {
    e.preventDefault();
    setOver(false);
    if (locked || room <= 0) return;
    const files = [...(e.dataTransfer?.files || [])];
    if (!files.length) return;
    // a drop is the user's input too: the page's draft (lib/draft.jsx) listens to input events
    e.currentTarget.dispatchEvent(new Event("input", { bubbles: true }));
    upload(files);
  };

  const errorId = `${id}__upload-errors`;
  const helpId = `${id}__help`;
  const acceptAttr = accept.map((e) => `.${e}`).join(",");
  return (
    <div className="documents-field" data-testid="documents-field" data-field={name}>
      {room > 0 && !locked ? (
        <label className="label" htmlFor={id}>
          {label}
          {required ? <span className="required"> *</span> : null}
        </label>
      ) : (
        <span className="label">{label}</span>
      )}
      {schema.description && <p className="field-description muted">{schema.description}</p>}
      {notice && (
        <p className="alert alert-warn" role="status">
          {notice}
        </p>
      )}
      {(ids.length > 0 || uploading.length > 0) && (
        <ul className="doc-list">
          {ids.map((x) => {
            const meta = metas[x];
            if (!meta) {
              return (
                <li key={x} className="doc-item" data-document-id={x}>
                  <span className="muted">Đang tải thông tin tệp…</span>
                </li>
              );
            }
            return (
              <DocumentItem
                key={x}
                doc={meta}
                onPreview={preview}
                actions={
                  !locked && (
                    <button type="button" className="btn btn-small btn-remove" onClick={() => remove(x)} aria-label={`Gỡ bỏ ${meta.name}`}>
                      Gỡ bỏ
                    </button>
                  )
                }
              />
            );
          })}
          {uploading.map((p) => (
            <li key={p.key} className="doc-item doc-uploading" role="status">
              <span className="doc-name">{p.name}</span>
              <span className="muted">Đang tải lên…</span>
              <progress aria-label={`Đang tải lên ${p.name}`} />
            </li>
          ))}
        </ul>
      )}
      {room > 0 && !locked && (
        <div
          className={`doc-drop${over ? " doc-drop-over" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          <input
            ref={input}
            id={id}
            className="sr-only doc-input"
            type="file"
            accept={acceptAttr}
            multiple={room > 1}
            onChange={onFiles}
            aria-describedby={`${helpId}${errors.length ? ` ${errorId}` : ""}`}
            aria-invalid={errors.length > 0 || (rawErrors && rawErrors.length > 0) || undefined}
          />
          <button type="button" className="btn" onClick={() => input.current && input.current.click()}>
            Chọn tệp…
          </button>
          <span id={helpId} className="muted">
            hoặc kéo thả tệp vào đây · {accept.map((e) => e.toUpperCase()).join(", ")}
            {Number.isFinite(max) ? ` · tối đa ${max} tệp` : ""}
          </span>
        </div>
      )}
      {errors.length > 0 && (
        <ul id={errorId} className="alert alert-error doc-errors" role="alert" data-testid="upload-errors">
          {errors.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      {dialog}
    </div>
  );
}

/** rjsf's ArrayField, except for document lists ("x-document"), which get the file widget. */
export function DocumentAwareArrayField(props) {
  if (props.schema && props.schema["x-document"]) return <DocumentsField {...props} />;
  return <ArrayField {...props} />;
}
