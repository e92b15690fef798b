// Bundles a jsii package for jsii's kernel (tools/kernel/bundle.cjs loads the
// bundle in its place): node tools/kernel/bundle.mjs <dir> <tarball>...
//
// Each tarball is the one a Go module embeds, so the very bytes jsii's
// kernel extracts when the Go runtime loads that package. Its entry point is
// bundled with esbuild (pinned in package-lock.json) into <dir>/<name>.js:
// one file instead of the ~1000 modules cdktf requires at load, which cuts
// the kernel's load of cdktf by ~25 ms (BENCHMARKS.md). The peer
// dependencies stay outside the bundle, so that it shares the kernel's own
// copies of them (constructs). <dir>/index.json records, per package, its
// version, the key of jsii's package cache for that tarball (sha256 of the
// tarball, then "\0" name "\0" version; the preload uses a bundle only for
// a package the kernel took from exactly that cache entry) and the
// tarball's sha256: a tarball already bundled, with its bundle present, is
// left alone, so a ready clone passes through in a few milliseconds.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const [dir, ...tarballs] = process.argv.slice(2);
if (!dir || tarballs.length === 0) {
  console.error("usage: node tools/kernel/bundle.mjs <dir> <tarball>...");
  process.exit(2);
}

const indexFile = path.join(dir, "index.json");
let index = {};
try {
  index = JSON.parse(fs.readFileSync(indexFile, "utf8"));
} catch {
  index = {};
}

// readPackage is the package.json inside a tarball (npm's "package/" prefix).
function readPackage(tarball) {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8", maxBuffer: 1 << 24 }));
}

// cacheKey is jsii's package cache key for the tarball's bytes (its
// digestFile, with the name and version as comments).
function cacheKey(bytes, name, version) {
  const hash = createHash("sha256");
  hash.update(bytes);
  for (const comment of [name, version]) {
    hash.update("\0");
    hash.update(comment);
  }
  return hash.digest("hex");
}

const next = {};
let changed = false;
for (const tarball of tarballs) {
  const bytes = fs.readFileSync(tarball);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const done = Object.entries(index).find(([, b]) => b.tarball === sha256 && fs.existsSync(path.join(dir, b.file)));
  if (done) {
    next[done[0]] = done[1];
    continue;
  }
  const pkg = readPackage(tarball);
  const key = cacheKey(bytes, pkg.name, pkg.version);
  const file = pkg.name.replace(/^@/, "").replace(/\//g, "+") + ".js";
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", work]);
    const root = path.join(work, "package");
    const main = pkg.main || "index.js";
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, file + ".tmp");
    require("esbuild").buildSync({
      entryPoints: [path.join(root, main)],
      bundle: true,
      platform: "node",
      format: "cjs",
      external: Object.keys(pkg.peerDependencies || {}),
      outfile: tmp,
      legalComments: "none",
      logLevel: "warning",
    });
    fs.renameSync(tmp, path.join(dir, file));
    next[pkg.name] = { version: pkg.version, key, main: main.replace(/^\.\//, ""), file, tarball: sha256 };
    changed = true;
    console.error(`setup: bundled ${pkg.name} ${pkg.version} for jsii's kernel (${path.join(dir, file)})`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
if (changed || Object.keys(index).length !== Object.keys(next).length) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(indexFile + ".tmp", JSON.stringify(next, null, 2) + "\n");
  fs.renameSync(indexFile + ".tmp", indexFile);
}
