// Bundles the pages of frontend/src/pages into api/web/static/dist (ES modules, shared chunks, CSS next to JS).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
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
console.log(`built ${pages.length} pages into ${outdir}`);
