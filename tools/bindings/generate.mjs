#!/usr/bin/env node
// Generates the Go bindings of the cdktf providers the app uses into .gen/.
//
// The prebuilt Go modules (github.com/cdktf/cdktf-provider-{kubernetes,helm}-go)
// cannot be downloaded here, but their npm releases carry the same jsii
// assembly, and `jsii-pacmak --targets go` turns an assembly into the same Go
// module. Generating all of kubernetes (109 submodules, ~9900 types) is slow and
// big, so this script generates only what the app needs:
//
//   1. scan the repository's Go files for imports of the provider modules;
//   2. map each imported Go package to its jsii submodule (with jsii-pacmak's
//      own naming function), add `provider`, and add every submodule that the
//      selected types reference (transitively);
//   3. build a trimmed copy of the npm package: the same package.json, a .jsii
//      holding only the selected submodules and their types, and lib/ holding
//      only their JavaScript plus an index.js that requires only them (this
//      copy is what `npm pack` puts into the tarball embedded in the Go module);
//      cdktf and constructs come from node_modules; constructs in the version
//      go.mod requires (see chooseConstructs: it changes the generated API);
//   4. run jsii-pacmak --code-only on it and move the Go module to .gen/<name>
//      (go.mod: replace <module> => ./.gen/<name>), via a staging directory;
//   5. write .gen/stamp.json, keyed by the locked package versions, go.mod's
//      constructs-go version, the import set and the hash of this file.
//
// The checks: go test ./tools/bindings/ (api_test.go: .gen matches the imports,
// imported APIs equal the full generation's goldens, embedded JS equals npm's)
// and node --test tools/bindings/generate.test.mjs (the trimming logic).
//
// Usage (from anywhere; --root and --out are relative to the current directory):
//   node tools/bindings/generate.mjs            generate .gen/ (always)
//   node tools/bindings/generate.mjs --check    exit 0 if .gen/ is current, 1 if not
//   node tools/bindings/generate.mjs --if-stale generate only if --check would fail
//   node tools/bindings/generate.mjs --full kubernetes --out DIR
//                                               untrimmed module of one provider into DIR
//   node tools/bindings/generate.mjs --api-golden
//                                               full generation of each provider, then
//                                               write tools/bindings/testdata/api/ goldens
//                                               for the imported packages (needs go.mod)
// Options: --root DIR  scan DIR for Go imports instead of the repository root.
//          --keep      keep the scratch npm trees and pacmak logs (printed paths).
//          --quiet     no progress lines (errors still go to stderr).
//
// Needs: node_modules installed from package-lock.json (jsii-pacmak, the
// provider packages, cdktf, constructs, node 22) and npm on PATH (pacmak runs
// `npm pack`). Plain Node, no dependencies of its own.

import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..', '..');
const NODE_MODULES = path.join(REPO, 'node_modules');
const GEN = path.join(REPO, '.gen');
const STAMP = path.join(GEN, 'stamp.json');
const GOLDEN_DIR = path.join(REPO, 'tools', 'bindings', 'testdata', 'api');
const STAMP_SCHEMA = 1;

// The providers whose Go bindings the app may use. `name` is the directory
// under .gen/ and the key in the stamp; the Go module path is derived from the
// npm package's jsii config (targets.go + major version).
const PROVIDERS = [
  { name: 'kubernetes', npm: '@cdktf/provider-kubernetes' },
  { name: 'helm', npm: '@cdktf/provider-helm' },
];
// Go packages generated even if no Go file imports them.
const ALWAYS = ['provider'];
// Directories never scanned for Go files (besides dot-folders).
const SKIP_DIRS = new Set(['node_modules', '.gen', 'cdktf.out', 'testdata']);

// ---------------------------------------------------------------- utilities

let quiet = false;
const t0 = performance.now();
function log(msg) {
  if (!quiet) process.stderr.write(`bindings: ${msg}\n`);
}
function secs(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)}s`;
}
function mb(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}
class UsageError extends Error {}
function fail(msg) {
  throw new Error(msg);
}
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}
// JSON with sorted object keys, so that equal values give equal strings.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
function dirSize(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : fs.lstatSync(p).size;
  }
  return total;
}
function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
  scratchDirs.delete(p);
}
// Scratch and staging directories to remove if the run is interrupted.
const scratchDirs = new Set();
let activeChild = null; // the running jsii-pacmak
function scratch(dir) {
  scratchDirs.add(dir);
  return dir;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (activeChild) {
      activeChild.kill('SIGKILL');
      spawnSync('sleep', ['0.2']);
    }
    for (const d of scratchDirs) fs.rmSync(d, { recursive: true, force: true });
    process.stderr.write(`bindings: interrupted (${sig}); scratch removed, .gen/ not touched\n`);
    process.exit(130);
  });
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { mode: 'generate', root: REPO, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--check': opts.mode = 'check'; break;
      case '--if-stale': opts.mode = 'if-stale'; break;
      case '--api-golden': opts.mode = 'api-golden'; break;
      case '--full': opts.mode = 'full'; opts.full = value(); break;
      case '--out': opts.out = path.resolve(value()); break;
      case '--root': opts.root = path.resolve(value()); break;
      case '--keep': opts.keep = true; break;
      case '--quiet': quiet = true; break;
      case '-h': case '--help': opts.mode = 'help'; break;
      default: throw new UsageError(`unknown argument ${a}`);
    }
  }
  if (opts.mode === 'full') {
    if (!PROVIDERS.some((p) => p.name === opts.full)) {
      throw new UsageError(`--full takes one of ${PROVIDERS.map((p) => p.name).join(', ')}`);
    }
    if (!opts.out) throw new UsageError('--full needs --out DIR');
  } else if (opts.out) {
    throw new UsageError('--out only goes with --full');
  }
  return opts;
}

// ---------------------------------------------------------------- inputs

// Versions of the packages that decide what is generated, from package-lock.json.
function lockedVersions() {
  const lockFile = path.join(REPO, 'package-lock.json');
  if (!fs.existsSync(lockFile)) fail(`${lockFile} not found`);
  const lock = readJson(lockFile);
  const pkgs = lock.packages;
  if (!pkgs) fail('package-lock.json has no "packages" (lockfileVersion >= 2 needed)');
  const version = (name) => {
    const entry = pkgs[`node_modules/${name}`];
    if (!entry?.version) fail(`package-lock.json does not lock ${name}`);
    return entry.version;
  };
  const versions = {};
  for (const p of PROVIDERS) versions[p.npm] = version(p.npm);
  versions['jsii-pacmak'] = version('jsii-pacmak');
  versions.cdktf = version('cdktf');
  // Every installed copy of constructs: which one the bindings are generated
  // against is chosen at generation time (see chooseConstructs).
  versions.constructs = [
    ...new Set(
      Object.entries(pkgs)
        .filter(([k]) => k === 'node_modules/constructs' || k.endsWith('/node_modules/constructs'))
        .map(([, v]) => v.version),
    ),
  ].sort();
  return versions;
}

// Go module path and import prefix of a provider, from its package.json (small,
// so --check stays fast); checked against the assembly when generating.
function goModuleOf(provider) {
  const pkg = readJson(path.join(NODE_MODULES, provider.npm, 'package.json'));
  const go = pkg.jsii?.targets?.go;
  if (!go?.moduleName || !go?.packageName) fail(`${provider.npm}/package.json has no jsii.targets.go`);
  const major = Number(pkg.version.split('.')[0]);
  const suffix = major >= 2 ? `/v${major}` : '';
  return `${go.moduleName}/${go.packageName}${suffix}`;
}

// All *.go files under root, skipping node_modules, .gen, cdktf.out, testdata
// and every directory whose name starts with "." or "_" (Go ignores those too).
function goFiles(root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (dir === root) fail(`cannot read --root ${root}: ${e.message}`);
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || e.name.startsWith('.') || e.name.startsWith('_')) continue;
        walk(p);
      } else if (e.isFile() && e.name.endsWith('.go')) {
        out.push(p);
      }
    }
  };
  walk(root);
  return out.sort();
}

// Import paths of one Go source file: a small lexer that skips comments and
// reads the import declarations that follow the package clause.
function goImports(src) {
  const toks = [];
  let i = 0;
  const n = src.length;
  // Tokenize only as far as the imports go: stop at the first top-level
  // keyword that cannot be part of the preamble.
  outer: while (i < n) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && src[j] !== '"' && src[j] !== '\n') {
        if (src[j] === '\\') { s += src[j + 1]; j += 2; } else { s += src[j]; j++; }
      }
      toks.push({ str: s });
      i = j + 1;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      toks.push({ str: src.slice(i + 1, end < 0 ? n : end) });
      i = end < 0 ? n : end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j])) j++;
      const word = src.slice(i, j);
      if (word === 'func' || word === 'type' || word === 'var' || word === 'const') break outer;
      toks.push({ word });
      i = j;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      toks.push({ punct: c });
      i++;
    }
  }
  const imports = [];
  for (let k = 0; k < toks.length; k++) {
    if (toks[k].word !== 'import') continue;
    if (toks[k + 1]?.punct === '(') {
      for (k += 2; k < toks.length && toks[k].punct !== ')'; k++) {
        if (toks[k].str !== undefined) imports.push(toks[k].str);
      }
    } else {
      // import "path" | import name "path" | import . "path" | import _ "path"
      for (k += 1; k < toks.length && toks[k].str === undefined && k < toks.length; k++);
      if (toks[k]?.str !== undefined) imports.push(toks[k].str);
    }
  }
  return imports;
}

// { kubernetes: ['namespacev1', ...], helm: [...] } as imported under root.
// A path below a package (e.g. .../namespacev1/internal) counts as that package;
// the module root and its jsii package are always generated and are skipped.
function scanImports(root) {
  const start = performance.now();
  const modules = PROVIDERS.map((p) => ({ provider: p, module: goModuleOf(p) }));
  const found = Object.fromEntries(PROVIDERS.map((p) => [p.name, new Set()]));
  const files = goFiles(root);
  for (const file of files) {
    for (const imp of goImports(fs.readFileSync(file, 'utf8'))) {
      for (const { provider, module } of modules) {
        if (!imp.startsWith(`${module}/`)) continue;
        const pkg = imp.slice(module.length + 1).split('/')[0];
        if (pkg && pkg !== 'jsii') found[provider.name].add(pkg);
      }
    }
  }
  const imports = Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v].sort()]));
  return { imports, files: files.length, ms: performance.now() - start };
}

function computeInputs(root) {
  const scan = scanImports(root);
  const inputs = {
    schema: STAMP_SCHEMA,
    generator: sha256(fs.readFileSync(SELF)),
    lock: lockedVersions(),
    goModConstructs: goModConstructs(),
    imports: scan.imports,
  };
  return { inputs, scan };
}

// Why .gen/ is not current, or null if it is.
function staleReason(inputs) {
  if (!fs.existsSync(STAMP)) return '.gen/stamp.json does not exist';
  let stamp;
  try {
    stamp = readJson(STAMP);
  } catch (e) {
    return `.gen/stamp.json is unreadable (${e.message})`;
  }
  const old = stamp.inputs ?? {};
  if (canonical(old) !== canonical(inputs)) {
    const diffs = [];
    if (old.generator !== inputs.generator) diffs.push('generate.mjs changed');
    if (canonical(old.lock) !== canonical(inputs.lock)) diffs.push('locked versions changed');
    if (canonical(old.imports) !== canonical(inputs.imports)) diffs.push('the imported packages changed');
    if (old.goModConstructs !== inputs.goModConstructs) diffs.push("go.mod's constructs-go version changed");
    if (old.schema !== inputs.schema) diffs.push('stamp schema changed');
    return diffs.join(', ') || 'stamp differs';
  }
  for (const p of PROVIDERS) {
    if (!fs.existsSync(path.join(GEN, p.name, 'go.mod'))) return `.gen/${p.name}/go.mod is missing`;
  }
  return null;
}

// ---------------------------------------------------------------- the assembly

const requireFromRepo = createRequire(path.join(NODE_MODULES, 'jsii-pacmak', 'package.json'));

function loadAssembly(dir) {
  const file = path.join(dir, '.jsii');
  const buf = fs.readFileSync(file);
  const asm = JSON.parse(buf.toString('utf8'));
  if (asm.schema === 'jsii/file-redirect') {
    // Compressed assembly (.jsii.gz): let @jsii/spec follow the redirect.
    const spec = requireFromRepo('@jsii/spec');
    return spec.loadAssemblyFromFile(file, false);
  }
  return asm;
}

// jsii-pacmak's own function for a (sub)module's Go package name.
const { goPackageNameForAssembly } = requireFromRepo('jsii-pacmak/lib/targets/go/util');

// Go package path (relative to the module) -> submodule fqn, for every submodule.
function goPackagesOf(asm) {
  const subs = asm.submodules ?? {};
  const byPath = new Map();
  const pathOf = (fqn) => {
    // jsii-reflect gives a Submodule the name fqn.split('.').pop(), and pacmak
    // nests the package directory under its parent submodule's directory.
    const name = goPackageNameForAssembly({ name: fqn.split('.').pop(), targets: subs[fqn].targets });
    const parent = fqn.slice(0, fqn.lastIndexOf('.'));
    return parent in subs ? `${pathOf(parent)}/${name}` : name;
  };
  for (const fqn of Object.keys(subs)) {
    const p = pathOf(fqn);
    if (byPath.has(p)) fail(`${asm.name}: submodules ${byPath.get(p)} and ${fqn} both map to Go package ${p}`);
    byPath.set(p, fqn);
  }
  return byPath;
}

// The submodule that owns a type fqn (asm.name for root types).
function ownerOf(asm, fqn) {
  let s = fqn;
  while (s.includes('.')) {
    s = s.slice(0, s.lastIndexOf('.'));
    if (asm.submodules?.[s]) return s;
    if (s === asm.name) return s;
  }
  return asm.name;
}

// Every type fqn a type definition refers to.
function referencedFqns(node, out) {
  if (Array.isArray(node)) {
    for (const x of node) referencedFqns(x, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'fqn' || k === 'base' || k === 'overrides') && typeof v === 'string') out.add(v);
      else if (k === 'interfaces' && Array.isArray(v)) v.forEach((x) => typeof x === 'string' && out.add(x));
      else if (k !== 'docs') referencedFqns(v, out);
    }
  }
  return out;
}

// The submodules to keep: the wanted ones, their parents, and every submodule
// that a kept type refers to (transitively). Root types are always kept.
function closure(asm, wanted) {
  const typesBy = new Map(); // owner -> [fqn]
  for (const fqn of Object.keys(asm.types)) {
    const o = ownerOf(asm, fqn);
    if (!typesBy.has(o)) typesBy.set(o, []);
    typesBy.get(o).push(fqn);
  }
  const keep = new Set();
  const addedBy = new Map(); // submodule -> the kept submodule that pulled it in
  const queue = [asm.name];
  const add = (sub, why) => {
    if (keep.has(sub)) return;
    keep.add(sub);
    if (why) addedBy.set(sub, why);
    queue.push(sub);
  };
  keep.add(asm.name);
  for (const w of wanted) add(w);
  while (queue.length) {
    const sub = queue.shift();
    // parent submodules must exist for the nested one to be generated
    const parent = sub.slice(0, sub.lastIndexOf('.'));
    if (sub !== asm.name && asm.submodules[parent]) add(parent, sub);
    for (const fqn of typesBy.get(sub) ?? []) {
      for (const ref of referencedFqns(asm.types[fqn], new Set())) {
        if (!ref.startsWith(`${asm.name}.`)) continue; // another assembly (cdktf, constructs)
        if (!asm.types[ref]) fail(`${fqn} refers to ${ref}, which is not in ${asm.name}`);
        add(ownerOf(asm, ref), sub);
      }
    }
  }
  keep.delete(asm.name);
  return { keep, addedBy };
}

function trimAssembly(asm, keep) {
  const out = {};
  for (const [k, v] of Object.entries(asm)) {
    if (k === 'submodules') {
      out.submodules = Object.fromEntries(Object.entries(v).filter(([fqn]) => keep.has(fqn)));
    } else if (k === 'types') {
      out.types = Object.fromEntries(
        Object.entries(v).filter(([fqn]) => {
          const o = ownerOf(asm, fqn);
          return o === asm.name || keep.has(o);
        }),
      );
    } else if (k === 'fingerprint') {
      // Nothing checks the fingerprint (jsii-pacmak's Go target does not use
      // it, the kernel does not verify it). Like @jsii/spec's replaceAssembly,
      // mark the assembly as modified instead of recomputing it.
      out.fingerprint = '*'.repeat(10);
    } else {
      out[k] = v;
    }
  }
  return out;
}

// ---------------------------------------------------------------- npm trees

// lib/index.js of a cdktf provider: `exports.<submodule> = require("./<dir>");`
function libIndex(pkgDir) {
  const src = fs.readFileSync(path.join(pkgDir, 'lib', 'index.js'), 'utf8');
  const map = new Map();
  for (const m of src.matchAll(/^exports\.([A-Za-z0-9_$]+) = require\("\.\/([^"]+)"\);$/gm)) {
    map.set(m[1], m[2]);
  }
  return map;
}

function copyJsTree(src, dst) {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) {
      const r = copyJsTree(s, d);
      files += r.files;
      bytes += r.bytes;
    } else if (e.isFile() && e.name.endsWith('.js')) {
      fs.mkdirSync(dst, { recursive: true });
      fs.copyFileSync(s, d);
      files++;
      bytes += fs.statSync(d).size;
    }
  }
  return { files, bytes };
}

// Every relative require() of the JS files under dir must resolve inside dir's lib.
function checkRelativeRequires(libDir) {
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        const src = fs.readFileSync(p, 'utf8');
        for (const m of src.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
          const target = path.resolve(path.dirname(p), m[1]);
          const ok = [target, `${target}.js`, path.join(target, 'index.js')].some((f) => fs.existsSync(f) && fs.statSync(f).isFile());
          if (!ok) fail(`trimmed ${path.relative(libDir, p)} requires ${m[1]}, which was not kept`);
        }
      }
    }
  };
  walk(libDir);
}

// The constructs-go version the app's go.mod requires (null without go.mod or
// without that requirement).
function goModConstructs() {
  const goMod = path.join(REPO, 'go.mod');
  if (!fs.existsSync(goMod)) return null;
  const m = fs.readFileSync(goMod, 'utf8').match(/^\s*(?:require\s+)?github\.com\/aws\/constructs-go\/constructs\/v\d+\s+v(\S+)/m);
  return m ? m[1] : null;
}

// Which installed `constructs` to generate against. jsii-pacmak writes the
// version of the constructs assembly it loads into the generated go.mod, and
// generates the provider types' inherited members from it (constructs 10.8
// adds Construct.with(), which constructs-go 10.4.2 lacks), so it must be the
// version the Go build uses: the one go.mod requires, or else the one the
// cdktf Go module requires (from its go.mod in the Go module cache).
function chooseConstructs(cdktfVersion, fromGoMod) {
  let wanted = fromGoMod;
  let why = 'required by go.mod';
  if (!wanted) {
    why = `required by cdktf-go v${cdktfVersion}`;
    const r = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
    const modFile = r.status === 0 && path.join(r.stdout.trim(), 'cache', 'download', 'github.com', 'hashicorp', 'terraform-cdk-go', 'cdktf', '@v', `v${cdktfVersion}.mod`);
    if (modFile && fs.existsSync(modFile)) {
      wanted = fs.readFileSync(modFile, 'utf8').match(/github\.com\/aws\/constructs-go\/constructs\/v\d+\s+v(\S+)/)?.[1];
    }
  }
  if (!wanted) {
    fail(
      'cannot tell which constructs version the Go build uses: go.mod does not require ' +
        `github.com/aws/constructs-go/constructs/v10 and github.com/hashicorp/terraform-cdk-go/cdktf@v${cdktfVersion} ` +
        'is not in the Go module cache (go mod download it)',
    );
  }
  const lock = readJson(path.join(REPO, 'package-lock.json')).packages;
  const candidates = Object.entries(lock)
    .filter(([k, v]) => (k === 'node_modules/constructs' || k.endsWith('/node_modules/constructs')) && v.version === wanted)
    .map(([k]) => path.join(REPO, k))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .sort((a, b) => a.length - b.length);
  if (!candidates.length) {
    fail(`constructs ${wanted} (${why}) is not installed in node_modules: add it to package.json (e.g. as an alias) or change go.mod`);
  }
  return { dir: candidates[0], version: wanted, why };
}

// A node_modules/ for jsii-pacmak: the provider package dir (trimmed or full),
// and cdktf and constructs, resolvable from it the way pacmak (jsii-reflect)
// resolves them: require.resolve from the provider dir, realpath'd.
//
// cdktf gets a small shim dir (package.json, .jsii and a copy of its main
// file), so that its own `constructs` dependency resolves to the same copy as
// the provider's (jsii-reflect refuses two versions of one assembly).
function makeNpmTree(work, provider, constructs) {
  const nm = path.join(work, 'node_modules');
  const pkgDir = path.join(nm, ...provider.npm.split('/'));
  fs.mkdirSync(pkgDir, { recursive: true });
  const cdktfSrc = path.join(NODE_MODULES, 'cdktf');
  const cdktfDst = path.join(nm, 'cdktf');
  const cdktfPkg = readJson(path.join(cdktfSrc, 'package.json'));
  fs.mkdirSync(cdktfDst, { recursive: true });
  fs.copyFileSync(path.join(cdktfSrc, 'package.json'), path.join(cdktfDst, 'package.json'));
  fs.symlinkSync(path.join(cdktfSrc, '.jsii'), path.join(cdktfDst, '.jsii'));
  const main = cdktfPkg.main ?? 'index.js';
  fs.mkdirSync(path.dirname(path.join(cdktfDst, main)), { recursive: true });
  fs.copyFileSync(path.join(cdktfSrc, main), path.join(cdktfDst, main));
  fs.symlinkSync(constructs.dir, path.join(nm, 'constructs'), 'dir');
  return pkgDir;
}

// The trimmed package: package.json, README.md, LICENSE as published, the
// trimmed .jsii, and lib/ with the kept submodules' JavaScript.
function writeTrimmedPackage(srcDir, dstDir, asm, trimmed, keep) {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'NOTICE']) {
    if (fs.existsSync(path.join(srcDir, f))) fs.copyFileSync(path.join(srcDir, f), path.join(dstDir, f));
  }
  fs.writeFileSync(path.join(dstDir, '.jsii'), `${JSON.stringify(trimmed, null, 2)}\n`);
  const index = libIndex(srcDir);
  const lines = [];
  let files = 0;
  let bytes = 0;
  for (const [exportName, rel] of index) {
    const fqn = `${asm.name}.${exportName}`;
    if (!keep.has(fqn)) continue;
    const r = copyJsTree(path.join(srcDir, 'lib', rel), path.join(dstDir, 'lib', rel));
    if (r.files === 0) fail(`${asm.name}: lib/${rel} of submodule ${exportName} has no JavaScript`);
    files += r.files;
    bytes += r.bytes;
    lines.push(`exports.${exportName} = require("./${rel}");`);
  }
  for (const fqn of keep) {
    if (!index.has(fqn.slice(asm.name.length + 1))) {
      fail(`${asm.name}: lib/index.js does not export submodule ${fqn}; cannot trim this package`);
    }
  }
  const header = [
    '"use strict";',
    '// lib/index.js of ' + `${asm.name}@${asm.version}` + ', trimmed by tools/bindings/generate.mjs:',
    '// it loads only the submodules the Go bindings were generated for.',
    'Object.defineProperty(exports, "__esModule", { value: true });',
  ];
  fs.writeFileSync(path.join(dstDir, 'lib', 'index.js'), `${[...header, ...lines].join('\n')}\n`);
  checkRelativeRequires(path.join(dstDir, 'lib'));
  return { files, bytes };
}

function copyFullPackage(srcDir, dstDir) {
  fs.cpSync(srcDir, dstDir, {
    recursive: true,
    filter: (s) => path.relative(srcDir, s).split(path.sep)[0] !== 'node_modules',
  });
}

// ---------------------------------------------------------------- jsii-pacmak

function runPacmak(pkgDir, outDir, logFile) {
  const nodeBin = path.join(NODE_MODULES, '.bin', 'node');
  const pacmak = path.join(NODE_MODULES, 'jsii-pacmak', 'bin', 'jsii-pacmak');
  const args = [pacmak, pkgDir, '--targets', 'go', '--code-only', '--outdir', outDir];
  const env = {
    ...process.env,
    // node 22 from node_modules for pacmak and for the `npm pack` it runs
    PATH: `${path.join(NODE_MODULES, '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_loglevel: 'error',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_ignore_scripts: 'true',
  };
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'w');
    const child = spawn(fs.existsSync(nodeBin) ? nodeBin : process.execPath, args, {
      cwd: path.dirname(outDir),
      env,
      stdio: ['ignore', out, out],
    });
    activeChild = child;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      activeChild = null;
      fs.closeSync(out);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`jsii-pacmak failed (${signal ?? `exit ${code}`}); log ${logFile}:\n${tail}`));
    });
  });
}

// Generates one provider's Go module into destDir (which must not exist yet;
// it is created by a rename, on the same file system as destDir's parent).
// packages: Go packages (relative to the module) to generate, or null for all.
async function generateProvider(provider, packages, destDir, { keepScratch }) {
  const start = performance.now();
  const srcDir = path.join(NODE_MODULES, provider.npm);
  const pkgJson = readJson(path.join(srcDir, 'package.json'));
  const pacmakVersion = readJson(path.join(NODE_MODULES, 'jsii-pacmak', 'package.json')).version;
  const lock = lockedVersions();
  for (const [name, version] of [[provider.npm, pkgJson.version], ['jsii-pacmak', pacmakVersion]]) {
    if (lock[name] !== version) fail(`node_modules has ${name} ${version} but package-lock.json locks ${lock[name]}: run npm ci`);
  }
  const tLoad = performance.now();
  const asm = loadAssembly(srcDir);
  const loadTime = secs(tLoad);
  const module = goModuleOf(provider);
  if (asm.name !== provider.npm || asm.version !== pkgJson.version) {
    fail(`${srcDir}/.jsii is ${asm.name}@${asm.version}, package.json says ${provider.npm}@${pkgJson.version}`);
  }
  if (canonical(asm.targets?.go) !== canonical(pkgJson.jsii.targets.go)) {
    fail(`${provider.npm}: targets.go of the assembly and of package.json differ`);
  }
  const byPath = goPackagesOf(asm);
  const allSubs = Object.keys(asm.submodules ?? {});

  let keep;
  let note = '';
  if (packages) {
    const wanted = [];
    for (const p of packages) {
      const fqn = byPath.get(p);
      if (!fqn) fail(`the Go code imports ${module}/${p}, but ${provider.npm}@${asm.version} has no such package`);
      wanted.push(fqn);
    }
    const c = closure(asm, wanted);
    keep = c.keep;
    const extra = [...keep].filter((f) => !wanted.includes(f));
    if (extra.length) {
      note = `; referenced: ${extra.map((f) => `${f.slice(asm.name.length + 1)} (by ${c.addedBy.get(f).slice(asm.name.length + 1)})`).join(', ')}`;
    }
  } else {
    keep = new Set(allSubs);
  }
  const kind = packages ? `${keep.size} of ${allSubs.length} submodules` : `all ${allSubs.length} submodules`;
  log(`generating ${provider.name} (${kind}${note}) with jsii-pacmak ${pacmakVersion}… (assembly loaded in ${loadTime})`);

  const work = scratch(fs.mkdtempSync(path.join(os.tmpdir(), `bindings-${provider.name}-`)));
  const parent = path.dirname(destDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = scratch(fs.mkdtempSync(path.join(parent, `.staging-${provider.name}-`)));
  let ok = false;
  try {
    const constructs = chooseConstructs(lock.cdktf, goModConstructs());
    const pkgDir = makeNpmTree(work, provider, constructs);
    const t1 = performance.now();
    let js;
    if (packages) {
      const trimmed = trimAssembly(asm, keep);
      js = writeTrimmedPackage(srcDir, pkgDir, asm, trimmed, keep);
      log(`  ${provider.name}: trimmed package: ${Object.keys(trimmed.types).length} of ${Object.keys(asm.types).length} types, ${js.files} JS files (${mb(js.bytes)}), constructs ${constructs.version} (${constructs.why}) [${secs(t1)}]`);
    } else {
      copyFullPackage(srcDir, pkgDir);
      log(`  ${provider.name}: copied the full package, constructs ${constructs.version} (${constructs.why}) [${secs(t1)}]`);
    }
    const t2 = performance.now();
    const outDir = path.join(staging, 'out');
    // outside `work`, so that it survives a failure
    const logFile = path.join(os.tmpdir(), `bindings-${provider.name}-pacmak.log`);
    await runPacmak(pkgDir, outDir, logFile);
    const goPkgName = goPackageNameForAssembly(asm);
    const produced = path.join(outDir, 'go', goPkgName);
    const goMod = fs.readFileSync(path.join(produced, 'go.mod'), 'utf8');
    if (!goMod.startsWith(`module ${module}\n`)) fail(`pacmak wrote ${produced}/go.mod for another module:\n${goMod}`);
    for (const p of packages ?? []) {
      if (!fs.existsSync(path.join(produced, p))) fail(`pacmak did not generate ${module}/${p}`);
    }
    const tarballs = fs.readdirSync(path.join(produced, 'jsii')).filter((f) => f.endsWith('.tgz'));
    if (tarballs.length !== 1) fail(`expected one tarball in ${produced}/jsii, found ${tarballs.join(', ') || 'none'}`);
    const tarballBytes = fs.statSync(path.join(produced, 'jsii', tarballs[0])).size;
    fs.renameSync(produced, destDir);
    ok = true;
    const size = dirSize(destDir);
    log(`  ${provider.name}: jsii-pacmak ${secs(t2)}; ${mb(size)} of Go module, tarball ${mb(tarballBytes)}; total ${secs(start)}`);
    if (keepScratch) log(`  ${provider.name}: kept ${work}; pacmak log: ${logFile}`);
    return {
      npm: provider.npm,
      version: asm.version,
      module,
      dir: path.relative(REPO, destDir) || destDir,
      packages: [...keep].map((fqn) => [...byPath].find(([, f]) => f === fqn)[0]).sort(),
      submodules: [...keep].sort(),
      constructs: constructs.version,
      tarball: tarballs[0],
      tarballBytes,
      bytes: size,
      seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
    };
  } finally {
    rmrf(staging);
    if (!keepScratch) rmrf(work);
    else if (!ok) log(`  ${provider.name}: kept ${work}`);
  }
}

// ---------------------------------------------------------------- modes

// Generates every provider into .gen/.staging-*/, then swaps the provider
// directories into place and writes stamp.json last. The stamp is removed
// before the swap, so an interrupted run leaves either the old complete
// directories, or new complete ones without a stamp (which --check reports
// as stale), never a half-written module.
async function generateAll(opts, inputs) {
  fs.mkdirSync(GEN, { recursive: true });
  cleanLeftovers();
  const batch = scratch(fs.mkdtempSync(path.join(GEN, '.staging-')));
  const results = {};
  try {
    for (const provider of PROVIDERS) {
      const pkgs = [...new Set([...ALWAYS, ...inputs.imports[provider.name]])].sort();
      results[provider.name] = await generateProvider(provider, pkgs, path.join(batch, provider.name), {
        keepScratch: opts.keep,
      });
    }
    rmrf(STAMP);
    const old = path.join(batch, '.old');
    fs.mkdirSync(old);
    for (const provider of PROVIDERS) {
      const dest = path.join(GEN, provider.name);
      if (fs.existsSync(dest)) fs.renameSync(dest, path.join(old, provider.name));
      fs.renameSync(path.join(batch, provider.name), dest);
      results[provider.name].dir = path.relative(REPO, dest);
    }
    const stamp = { inputs, generated: results };
    const tmpStamp = path.join(batch, 'stamp.json');
    fs.writeFileSync(tmpStamp, `${JSON.stringify(stamp, null, 2)}\n`);
    fs.renameSync(tmpStamp, STAMP);
  } finally {
    rmrf(batch);
  }
  const total = PROVIDERS.reduce((s, p) => s + results[p.name].bytes, 0);
  log(`done in ${secs(t0)}: .gen/ holds ${mb(total)} (${PROVIDERS.map((p) => `${p.name} ${mb(results[p.name].bytes)}`).join(', ')})`);
}

// Staging dirs of runs that died (their process is gone).
function cleanLeftovers() {
  for (const e of fs.readdirSync(GEN)) {
    if (e.startsWith('.staging-')) {
      const p = path.join(GEN, e);
      // mkdtemp dirs carry no pid; anything older than an hour is a leftover
      if (Date.now() - fs.statSync(p).mtimeMs > 3600e3) rmrf(p);
    }
  }
}

async function generateFull(providerName, out) {
  const provider = PROVIDERS.find((p) => p.name === providerName);
  if (fs.existsSync(out)) {
    if (fs.readdirSync(out).length) fail(`--out ${out} exists and is not empty`);
    fs.rmdirSync(out);
  }
  const result = await generateProvider(provider, null, out, { keepScratch: false });
  log(`full ${provider.name} module in ${out} (${mb(result.bytes)}) in ${secs(t0)}`);
  return result;
}

// Full generation of each provider, then the API listing of every imported
// package, written as testdata/api/<provider>/<package>.txt.
async function apiGolden(opts, inputs) {
  if (!fs.existsSync(path.join(REPO, 'go.mod'))) fail(`${REPO}/go.mod does not exist: --api-golden runs tools/bindings/cmd/apilist with go`);
  const tmp = scratch(fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-full-')));
  try {
    for (const provider of PROVIDERS) {
      const out = path.join(tmp, provider.name);
      const r = await generateProvider(provider, null, out, { keepScratch: false });
      const pkgs = [...new Set([...ALWAYS, ...inputs.imports[provider.name]])].sort();
      const dir = path.join(GOLDEN_DIR, provider.name);
      fs.mkdirSync(dir, { recursive: true });
      const header = `source: ${r.npm}@${r.version} jsii-pacmak@${inputs.lock['jsii-pacmak']} constructs@${r.constructs} (full generation)`;
      const start = performance.now();
      const args = ['run', './tools/bindings/cmd/apilist', '-header', header];
      for (const p of pkgs) args.push(`${path.join(out, p)}=${path.join(dir, `${p}.txt`)}`);
      const res = spawnSync('go', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
      if (res.status !== 0) fail(`go ${args.join(' ')} failed:\n${res.stderr}`);
      for (const f of fs.readdirSync(dir)) {
        if (f.endsWith('.txt') && !pkgs.includes(f.slice(0, -4))) {
          fs.rmSync(path.join(dir, f));
          log(`  removed golden ${provider.name}/${f} (no longer imported)`);
        }
      }
      log(`  wrote ${pkgs.length} API goldens to ${path.relative(REPO, dir)}/ [${secs(start)}]`);
      rmrf(out);
    }
  } finally {
    rmrf(tmp);
  }
  log(`done in ${secs(t0)}`);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`generate.mjs: ${e.message} (see --help)\n`);
      process.exit(2);
    }
    throw e;
  }
  if (opts.mode === 'help') {
    const text = fs.readFileSync(SELF, 'utf8').split('\n');
    const end = text.findIndex((l) => !l.startsWith('//') && !l.startsWith('#!'));
    process.stdout.write(`${text.slice(1, end).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    return 0;
  }
  if (opts.mode === 'full') {
    await generateFull(opts.full, opts.out);
    return 0;
  }
  const { inputs, scan } = computeInputs(opts.root);
  const importList = PROVIDERS.map((p) => `${p.name}: ${inputs.imports[p.name].join(' ') || '(none)'}`).join('; ');
  if (opts.mode === 'check' || opts.mode === 'if-stale') {
    const why = staleReason(inputs);
    if (opts.mode === 'check') {
      log(why ? `.gen is stale: ${why}` : `.gen is current (${importList}) [${secs(t0)}]`);
      return why ? 1 : 0;
    }
    if (!why) return 0; // nothing to do: say nothing

    log(`.gen is stale: ${why}`);
  }
  log(`scanned ${scan.files} Go files under ${opts.root} in ${scan.ms.toFixed(0)} ms: ${importList}`);
  if (opts.mode === 'api-golden') {
    await apiGolden(opts, inputs);
    return 0;
  }
  await generateAll(opts, inputs);
  return 0;
}

// For generate.test.mjs.
export { goImports, goPackagesOf, closure, trimAssembly, ownerOf, canonical };

if (process.argv[1] && fs.realpathSync(process.argv[1]) === SELF) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bindings: error: ${err.message}\n`);
      if (process.env.BINDINGS_DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}
