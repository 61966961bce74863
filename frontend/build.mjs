// Bundles the pages of frontend/src/pages into api/web/static/dist (ES modules, shared chunks, CSS next to JS).
// Every file name carries a hash of its content (served with immutable caching, docs/web-assets.md); manifest.json
// maps each page's logical name ("task.js", "task.css") to its file and lists what it loads; every text file also
// gets a precompressed .gz and .br beside it, which the server sends to a browser that accepts them.
import { build } from "esbuild";
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants as zlib, gzip } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../api/web/static/dist");
const pages = readdirSync(join(here, "src/pages")).filter((f) => /\.(jsx?|css)$/.test(f));
const pdfjsVersion = JSON.parse(readFileSync(join(here, "node_modules/pdfjs-dist/package.json"), "utf8")).version;
// pdf.js's data files keep their own names: the folder carries the version instead of a hash
const pdfjsData = `pdfjs-${pdfjsVersion}`;

const distPath = (file) => relative(outdir, resolve(here, file)).split(sep).join("/");

rmSync(outdir, { recursive: true, force: true });

// the pdf.js worker first (lib/pdf-view.jsx loads it from our dist, never from a CDN): its own module, already
// transpiled (the legacy build, which carries its polyfills for older browsers); its hashed name goes into the pages
const worker = await build({
  absWorkingDir: here,
  entryPoints: { "pdf.worker": join(here, "node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs") },
  outdir,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  minify: true,
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});
const workerFile = Object.keys(worker.metafile.outputs).map(distPath).find((f) => f.endsWith(".js"));

const result = await build({
  absWorkingDir: here, // the metafile's paths are relative to it
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
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file", ".png": "file" },
  define: {
    "process.env.NODE_ENV": '"production"',
    __PDF_WORKER__: JSON.stringify(workerFile),
    __PDFJS_DATA__: JSON.stringify(pdfjsData),
  },
  metafile: true,
  logLevel: "warning",
});

// the data pdf.js fetches on demand: standard fonts (PDFs that do not embed them), CMaps, wasm decoders, ICC profiles
for (const dir of ["standard_fonts", "cmaps", "wasm", "iccs"]) {
  cpSync(join(here, "node_modules/pdfjs-dist", dir), join(outdir, pdfjsData, dir), { recursive: true });
}

// entries: "task.js" → its file, the chunks it imports statically (all loaded with the page) and its CSS
const outputs = result.metafile.outputs;
const entries = {};
for (const [file, out] of Object.entries(outputs)) {
  if (!out.entryPoint || !out.entryPoint.startsWith("src/pages/")) continue; // not a lazy chunk (pdf-view)
  const name = basename(out.entryPoint).replace(/\.jsx?$/, ".js");
  if (name.endsWith(".css")) {
    entries[name] = { file: distPath(file), imports: [], lazy: [] };
    continue;
  }
  // imports: what loads with the page (static imports, transitively); lazy: what it may load later (import())
  const closure = (from, kinds) => {
    const seen = new Set();
    const walk = (f) => {
      for (const imp of outputs[f].imports) {
        if (!kinds.includes(imp.kind) || seen.has(imp.path) || !outputs[imp.path]) continue;
        seen.add(imp.path);
        walk(imp.path);
      }
    };
    walk(from);
    return seen;
  };
  const imports = closure(file, ["import-statement"]);
  const lazy = [...closure(file, ["import-statement", "dynamic-import"])].filter((f) => !imports.has(f) && f.endsWith(".js"));
  entries[name] = { file: distPath(file), imports: [...imports].map(distPath).sort(), lazy: lazy.map(distPath).sort() };
  if (out.cssBundle) entries[name.replace(/\.js$/, ".css")] = { file: distPath(out.cssBundle), imports: [], lazy: [] };
}
entries["pdf.worker.js"] = { file: workerFile, imports: [], lazy: [] };

// every file of dist with its sizes; text files compressed once here (gzip -9; brotli 11 for the pages' code, 9 for
// pdf.js's worker and data, loaded only with a PDF, where 11 would triple the build's time), kept only when smaller;
// zlib's asynchronous calls run on libuv's threads, several at once
const COMPRESSIBLE = /\.(js|mjs|css|json|txt|svg|ttf|eot|otf|pfb|bcmap|icc|wasm)$/;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
const paths = [];
const walkDir = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkDir(path);
    else paths.push(path);
  }
};
async function compress(path) {
  const data = readFileSync(path);
  const sizes = { bytes: data.length };
  if (data.length < 1024 || !COMPRESSIBLE.test(path)) return sizes;
  const quality = /(^|\/)(pdfjs-|pdf\.worker)/.test(distPath(path)) ? 9 : 11;
  const [gz, br] = await Promise.all([
    gzipAsync(data, { level: 9 }),
    brotliAsync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: quality, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }),
  ]);
  if (gz.length < data.length * 0.9) {
    writeFileSync(`${path}.gz`, gz);
    sizes.gzip = gz.length;
  }
  if (br.length < data.length * 0.9) {
    writeFileSync(`${path}.br`, br);
    sizes.br = br.length;
  }
  return sizes;
}
walkDir(outdir);
// the biggest first, so that the last one started is not a long one
paths.sort((a, b) => statSync(b).size - statSync(a).size);
const files = {};
const sizes = await Promise.all(paths.map(compress));
paths.forEach((path, i) => (files[distPath(path)] = sizes[i]));
writeFileSync(join(outdir, "manifest.json"), JSON.stringify({ entries, files }, null, 1));
const total = Object.values(files).reduce((n, f) => n + f.bytes, 0);
console.log(`built ${pages.length} pages and the pdf.js worker into ${outdir} (${Object.keys(files).length} files, ${total} bytes)`);
