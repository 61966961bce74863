// Bundles the pages of frontend/src/pages into api/web/static/dist (ES modules, shared chunks, CSS next to JS).
import { build } from "esbuild";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../api/web/static/dist");
const pages = readdirSync(join(here, "src/pages")).filter((f) => /\.(jsx?|css)$/.test(f));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: pages.map((f) => join(here, "src/pages", f)),
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  sourcemap: false,
  jsx: "automatic",
  legalComments: "linked",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file", ".png": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
// the pdf.js worker (lib/pdf-view.jsx loads it from here, never from a CDN): its own module, already transpiled
// (the legacy build, which carries its polyfills for older browsers)
await build({
  entryPoints: { "pdf.worker": join(here, "node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs") },
  outdir,
  bundle: true,
  format: "esm",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
});
// the data pdf.js fetches on demand: standard fonts (PDFs that do not embed them), CMaps, wasm decoders, ICC profiles
for (const dir of ["standard_fonts", "cmaps", "wasm", "iccs"]) {
  cpSync(join(here, "node_modules/pdfjs-dist", dir), join(outdir, "pdfjs", dir), { recursive: true });
}
console.log(`built ${pages.length} pages and the pdf.js worker into ${outdir}`);
