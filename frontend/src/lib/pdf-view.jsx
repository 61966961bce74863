// A PDF in the page with pdf.js (pdfjs-dist, the legacy build for older browsers): one page at a time on a canvas,
// "Trang 1/3" with previous/next (also ← → PageUp PageDown), zoom. Loaded on demand by lib/documents.jsx; the
// worker and pdf.js's data files are served from our own static dist (build.mjs), never from a CDN.
import { GlobalWorkerOptions, getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { useEffect, useRef, useState } from "react";
import { api } from "./api.js";
import { contentUrl } from "./documents.jsx";

// this module sits in dist/ or dist/chunks/: the worker (its hashed name, build.mjs) and the data (a folder named
// by pdf.js's version) are in dist/
const DIST = import.meta.url.replace(/\/dist\/.*$/, "/dist/");
GlobalWorkerOptions.workerSrc = `${DIST}${__PDF_WORKER__}`;
const DATA = {
  standardFontDataUrl: `${DIST}${__PDFJS_DATA__}/standard_fonts/`,
  cMapUrl: `${DIST}${__PDFJS_DATA__}/cmaps/`,
  wasmUrl: `${DIST}${__PDFJS_DATA__}/wasm/`,
  iccUrl: `${DIST}${__PDFJS_DATA__}/iccs/`,
};
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

function pdfError(error) {
  if (error && error.name === "PasswordException") return "Tệp PDF có mật khẩu nên không xem trước được; hãy tải xuống để mở.";
  if (error && error.name === "InvalidPDFException") return "Tệp không phải PDF hợp lệ hoặc đã bị hỏng; hãy tải xuống để kiểm tra.";
  return error && error.status ? error.message : "Không mở được tệp PDF để xem trước; hãy tải xuống để mở.";
}

export default function PdfView({ doc }) {
  const [pdf, setPdf] = useState(null);
  const [error, setError] = useState(null);
  const [page, setPage] = useState(1);
  const [zoom, setZoom] = useState(null); // null: fit the width
  const [fitScale, setFitScale] = useState(1);
  const [rendered, setRendered] = useState(0);
  const canvas = useRef(null);
  const box = useRef(null);

  // the bytes through api() (session, errors in Vietnamese), then pdf.js
  useEffect(() => {
    let task = null;
    let live = true;
    (async () => {
      try {
        const response = await api(contentUrl(doc.id), { raw: true });
        const data = new Uint8Array(await response.arrayBuffer());
        if (!live) return;
        task = getDocument({ data, isEvalSupported: false, ...DATA });
        const loaded = await task.promise;
        if (live) setPdf(loaded);
      } catch (e) {
        if (live) setError(pdfError(e));
      }
    })();
    return () => {
      live = false;
      if (task) task.destroy(); // the document and its worker with it
    };
  }, [doc.id]);

  // draw the page: at the box's width unless zoomed, sharp on high-density screens
  useEffect(() => {
    if (!pdf) return undefined;
    let renderTask = null;
    let live = true;
    (async () => {
      try {
        const p = await pdf.getPage(page);
        const natural = p.getViewport({ scale: 1 });
        const width = box.current ? box.current.clientWidth - 16 : natural.width;
        const fit = Math.max(0.25, Math.min(3, width / natural.width));
        if (!live) return;
        setFitScale(fit);
        const scale = zoom ?? fit;
        const ratio = window.devicePixelRatio || 1;
        const viewport = p.getViewport({ scale: scale * ratio });
        const el = canvas.current;
        el.width = Math.floor(viewport.width);
        el.height = Math.floor(viewport.height);
        el.style.width = `${Math.floor(viewport.width / ratio)}px`;
        el.style.height = `${Math.floor(viewport.height / ratio)}px`;
        renderTask = p.render({ canvas: el, canvasContext: el.getContext("2d"), viewport });
        await renderTask.promise;
        if (live) setRendered(page);
      } catch (e) {
        if (live && e && e.name !== "RenderingCancelledException") setError(pdfError(e));
      }
    })();
    return () => {
      live = false;
      if (renderTask) renderTask.cancel();
    };
  }, [pdf, page, zoom]);

  if (error) {
    return (
      <p className="alert alert-error" role="alert">
        {error}
      </p>
    );
  }
  const pages = pdf ? pdf.numPages : 0;
  const scale = zoom ?? fitScale;
  const go = (n) => setPage((current) => Math.min(Math.max(1, current + n), pages || 1));
  const zoomBy = (step) => {
    const next = step > 0 ? ZOOMS.find((z) => z > scale + 0.01) : [...ZOOMS].reverse().find((z) => z < scale - 0.01);
    if (next) setZoom(next);
  };
  const onKey = (e) => {
    if (e.key === "ArrowRight" || e.key === "PageDown") go(1);
    else if (e.key === "ArrowLeft" || e.key === "PageUp") go(-1);
    else return;
    e.preventDefault();
  };
  return (
    <div className="pdf-view" onKeyDown={onKey}>
      <div className="toolbar pdf-toolbar" role="toolbar" aria-label="Điều khiển trình xem PDF">
        <button type="button" className="btn btn-small" onClick={() => go(-1)} disabled={!pdf || page <= 1}>
          ‹ Trang trước
        </button>
        <span className="pdf-page" data-testid="pdf-page" aria-live="polite">
          {pdf ? `Trang ${page}/${pages}` : "Đang mở tệp PDF…"}
        </span>
        <button type="button" className="btn btn-small" onClick={() => go(1)} disabled={!pdf || page >= pages}>
          Trang sau ›
        </button>
        <span className="pdf-zoom">
          <button type="button" className="btn btn-small" onClick={() => zoomBy(-1)} disabled={!pdf} aria-label="Thu nhỏ">
            −
          </button>
          <span aria-label="Tỷ lệ">{Math.round(scale * 100)}%</span>
          <button type="button" className="btn btn-small" onClick={() => zoomBy(1)} disabled={!pdf} aria-label="Phóng to">
            +
          </button>
          <button type="button" className="btn btn-small" onClick={() => setZoom(null)} disabled={!pdf || zoom === null}>
            Vừa khung
          </button>
        </span>
      </div>
      <div className="pdf-canvas-box" ref={box} tabIndex={0} aria-label={`Nội dung ${doc.name}, trang ${page}`}>
        <canvas ref={canvas} data-testid="pdf-canvas" data-rendered={rendered || undefined} />
      </div>
    </div>
  );
}
