// Preloaded into jsii's kernel by tools/kernel/kernel: loads the packages
// that tools/kernel/bundle.mjs bundled (cdktf) from their bundle, one file,
// instead of from the ~1000 modules of the package the kernel extracted.
// Same code, same exports; the load of cdktf takes ~25 ms less.
//
// A package is loaded from its bundle only when the kernel resolves the
// package's entry point inside an entry of jsii's package cache whose key
// is the bundle's (the cache names each entry after a sha256 of the tarball
// with the package's name and version): so exactly the tarball the bundle
// was made from. Anything else (another version, the package cache turned
// off, no bundles, a Node without module.registerHooks) loads as without
// this file. What the bundle requires itself (its peer dependencies, such
// as constructs) resolves as from the package's own entry point, so the
// bundle shares the kernel's copies of them. With JSII_DEBUG set, each use
// of a bundle is printed to stderr.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const mod = require("node:module");
const { pathToFileURL, fileURLToPath } = require("node:url");

// JSII_KERNEL_BUNDLE_DIR moves the bundles (tests).
const dir = process.env.JSII_KERNEL_BUNDLE_DIR || path.join(__dirname, "..", "..", ".gen", "jsii-kernel", "bundles");

function readIndex() {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
  } catch {
    return undefined;
  }
}

const index = typeof mod.registerHooks === "function" ? readIndex() : undefined;
if (index) {
  const debug = !!process.env.JSII_DEBUG;
  // The entry point's path below a package folder, per bundled package.
  const entries = Object.entries(index).map(([name, b]) => ({
    name,
    ...b,
    suffix: `/node_modules/${name}/${b.main}`,
    url: pathToFileURL(path.join(dir, b.file)).href,
  }));
  const redirect = new Map(); // resolved URL → bundle URL, or null: checked once
  const origin = new Map(); // bundle URL → the entry point it stands for
  const bundleFor = (url) => {
    if (!url.startsWith("file:")) return null;
    const b = entries.find((e) => url.endsWith(e.suffix));
    if (!b) return null;
    const file = fileURLToPath(url);
    const pkgDir = file.slice(0, file.length - b.main.length - 1);
    let real;
    try {
      real = fs.realpathSync(pkgDir);
    } catch {
      return null;
    }
    if (path.basename(real) !== b.key) {
      if (debug) console.error(`[tools/kernel] ${b.name}: not from its bundle (${real} is not the package cache entry ${b.key})`);
      return null;
    }
    if (!origin.has(b.url)) origin.set(b.url, file);
    if (debug) console.error(`[tools/kernel] ${b.name} ${b.version}: loaded from its bundle ${path.join(dir, b.file)}`);
    return b.url;
  };
  mod.registerHooks({
    resolve(specifier, context, next) {
      const from = origin.get(context.parentURL);
      if (from !== undefined && !mod.isBuiltin(specifier)) {
        const url = pathToFileURL(mod.createRequire(from).resolve(specifier)).href;
        return { url, format: "commonjs", shortCircuit: true };
      }
      const resolved = next(specifier, context);
      let url = redirect.get(resolved.url);
      if (url === undefined) {
        url = bundleFor(resolved.url);
        redirect.set(resolved.url, url);
      }
      return url ? { url, format: "commonjs", shortCircuit: true } : resolved;
    },
  });
}
