// Uploaded documents (docs/documents.md): their sizes in Vietnamese, the list shown on the task, instance and plan
// pages (name, size, "Xem", "Tải xuống") and the in-page preview: PDFs through pdf.js (lib/pdf-view.jsx, loaded only
// when a PDF is opened), images as <img>, every other type downloaded.
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Loading } from "./ui.jsx";
import "../styles/documents.css";

const PdfView = lazy(() => import("./pdf-view.jsx"));

/** The extensions a form field may accept (``x-document.accept``) and what each one is. */
export const DOCUMENT_EXTENSIONS = {
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  jpg: "image/jpeg",
  png: "image/png",
};

const NUMBER = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
const UNITS = ["byte", "KB", "MB", "GB"];

/** A size in Vietnamese: "820 byte", "35,4 KB", "1,2 MB". */
export function fmtSize(bytes) {
  if (bytes == null || Number.isNaN(Number(bytes))) return "";
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${NUMBER.format(unit === 0 ? value : Math.round(value * 10) / 10)} ${UNITS[unit]}`;
}

/** The URL of a document's bytes (an attachment; the download is audited). */
export const contentUrl = (id) => `/api/v1/documents/${id}/content`;

/** "pdf", "image" or null (download only). */
export function previewKind(doc) {
  const type = (doc && doc.content_type) || "";
  if (type === "application/pdf") return "pdf";
  if (type === "image/png" || type === "image/jpeg") return "image";
  return null;
}

/** The preview of one document in a modal dialog: Escape, "Đóng" or a click beside it closes it. */
export function DocumentPreview({ doc, onClose }) {
  const ref = useRef(null);
  const kind = previewKind(doc);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog && dialog.open && dialog.close();
  }, []);
  return (
    // the native <dialog>: focus kept inside, Escape fires "cancel"
    <dialog
      ref={ref}
      className="doc-preview"
      aria-labelledby="doc-preview-title"
      data-testid="document-preview"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => e.target === ref.current && onClose()}
    >
      <div className="doc-preview-head">
        <h2 id="doc-preview-title">{doc.name}</h2>
        <span className="muted">{fmtSize(doc.size)}</span>
        <a className="btn btn-small" href={contentUrl(doc.id)} download={doc.name}>
          Tải xuống
        </a>
        <button type="button" className="btn btn-small" onClick={onClose} autoFocus>
          Đóng
        </button>
      </div>
      <div className="doc-preview-body">
        {kind === "pdf" && (
          <Suspense fallback={<Loading what="trình xem PDF" />}>
            <PdfView doc={doc} />
          </Suspense>
        )}
        {kind === "image" && <img className="doc-image" src={contentUrl(doc.id)} alt={doc.name} data-testid="image-preview" />}
        {!kind && <p>Không xem trước được loại tệp này; hãy bấm «Tải xuống».</p>}
      </div>
    </dialog>
  );
}

/** One document: its name and size, "Xem" (PDF, image) and "Tải xuống"; ``children`` adds a line under it. */
export function DocumentItem({ doc, onPreview, actions, children }) {
  if (!doc.name) {
    return (
      <li className="doc-item doc-gone" data-document-id={doc.id}>
        <span className="muted" title="Tài liệu đã bị xóa hoặc bạn không có quyền xem">
          Tài liệu không còn
        </span>
      </li>
    );
  }
  return (
    <li className="doc-item" data-document-id={doc.id}>
      <div className="doc-line">
        <span className="doc-name">{doc.name}</span>
        <span className="doc-size muted">{fmtSize(doc.size)}</span>
        <span className="doc-actions">
          {previewKind(doc) && onPreview && (
            <button type="button" className="btn btn-small" onClick={() => onPreview(doc)} aria-label={`Xem ${doc.name}`}>
              Xem
            </button>
          )}
          <a className="btn btn-small" href={contentUrl(doc.id)} download={doc.name} aria-label={`Tải xuống ${doc.name}`}>
            Tải xuống
          </a>
          {actions}
        </span>
      </div>
      {children}
    </li>
  );
}

/** The preview dialog's state: ``[dialog, open]`` — render ``dialog``, call ``open(doc)``. */
export function usePreview() {
  const [doc, setDoc] = useState(null);
  const dialog = doc ? <DocumentPreview doc={doc} onClose={() => setDoc(null)} /> : null;
  return [dialog, setDoc];
}

/** Documents as a list; ``extra(doc)`` renders a line under each one (a product's number and date). */
export function DocumentList({ documents, testId, extra }) {
  const [dialog, preview] = usePreview();
  if (!documents || !documents.length) return null;
  return (
    <>
      <ul className="doc-list" data-testid={testId} data-kind="documents">
        {documents.map((d, i) => (
          <DocumentItem key={d.id ?? i} doc={d} onPreview={preview}>
            {extra ? extra(d) : null}
          </DocumentItem>
        ))}
      </ul>
      {dialog}
    </>
  );
}
