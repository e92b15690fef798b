#!/usr/bin/env node
// Writes a plain Node program that makes the same cdktf calls as a run of the
// Go app, from that run's jsii kernel log (JSII_DEBUG=1 on stderr): every
// create, invoke, property access and callback result, in order. It measures
// what cdktf itself costs for this app, with no jsii and no Go: the floor
// below any binding (BENCHMARKS.md). Object ids and tokens are allocated in
// the same order as in the logged run, so the program writes the same JSON,
// which tools/bench checks byte for byte.
//
//   node tools/bench/replay.mjs LOG OUTDIR > program.cjs   (the app's synth)
//   node tools/bench/replay.mjs --empty N OUTDIR > program.cjs
//                                      (cdktf alone: N empty stacks, as tools/bench/baseline)
// Run the program with the project root as the current directory.
import fs from "node:fs";

const prelude = `const load = require("node:module").createRequire(process.cwd() + "/package.json");\n`;

if (process.argv[2] === "--empty") {
  const [n, outdir] = process.argv.slice(3);
  process.stdout.write(`${prelude}const { App, TerraformStack, LocalBackend } = load("cdktf");
const app = new App({ outdir: ${JSON.stringify(outdir)} });
for (let i = 0; i < ${Number(n)}; i++) {
  const s = new TerraformStack(app, "empty-" + i);
  new LocalBackend(s, { path: "state.tfstate" });
}
app.synth();
`);
  process.exit(0);
}

const [log, outdir] = process.argv.slice(2);
const messages = [];
for (const line of fs.readFileSync(log, "utf8").split("\n")) {
  if (line.startsWith("> ")) messages.push({ request: JSON.parse(line.slice(2)) });
  else if (line.startsWith("< ")) messages.push({ response: JSON.parse(line.slice(2)) });
}

// What the Go side answered to each callback (overridden methods), by object.
const callbacks = {};
for (const [i, { response }] of messages.entries()) {
  const cb = response?.callback;
  if (!cb) continue;
  const done = messages.slice(i + 1).find((m) => m.request?.complete?.cbid === cb.cbid);
  (callbacks[cb.invoke.objref["$jsii.byref"]] ??= {})[cb.invoke.method] = done.request.complete.result;
}

// "@cdktf/provider-kubernetes.namespaceV1.NamespaceV1" -> its module's export.
function type(fqn) {
  const dot = fqn.indexOf(".", fqn.startsWith("@") ? fqn.indexOf("/") : 0);
  const pkg = fqn.slice(0, dot);
  const path = fqn.slice(dot + 1).split(".");
  if (path.length === 1) return `load(${JSON.stringify(pkg)}).${path[0]}`;
  const dir = path[0].replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  return `load(${JSON.stringify(`${pkg}/lib/${dir}`)}).${path[1]}`;
}

function value(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(value).join(",")}]`;
  if (v["$jsii.byref"]) return `R[${JSON.stringify(v["$jsii.byref"])}]`;
  if (v["$jsii.struct"]) return value(v["$jsii.struct"].data);
  if (v["$jsii.map"]) return value(v["$jsii.map"]);
  if (v["$jsii.enum"]) {
    const [t, member] = v["$jsii.enum"].split("/");
    return `${type(t)}.${member}`;
  }
  if (v["$jsii.date"]) return `new Date(${JSON.stringify(v["$jsii.date"])})`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${value(x)}`).join(",")}}`;
}

const out = [prelude, "const R = {};"];
for (const [i, { request: r }] of messages.entries()) {
  if (!r?.api || r.api === "load") continue;
  const ok = messages.slice(i + 1).find((m) => m.response && ("ok" in m.response || "error" in m.response))?.response.ok;
  const ref = ok?.["$jsii.byref"] ?? ok?.value?.["$jsii.byref"] ?? ok?.result?.["$jsii.byref"];
  const keep = ref ? `R[${JSON.stringify(ref)}] = ` : "";
  const args = (r.args ?? []).map(value);
  const self = r.objref && value(r.objref);
  switch (r.api) {
    case "create":
      if (r.fqn === "cdktf.App") args[0] = `{...${args[0]}, outdir: ${JSON.stringify(outdir)}}`;
      out.push(`${keep}new (${type(r.fqn)})(${args.join(",")});`);
      for (const o of r.overrides ?? []) {
        const result = callbacks[ref]?.[o.method];
        if (result !== undefined) out.push(`R[${JSON.stringify(ref)}].${o.method} = () => (${value(result)});`);
      }
      break;
    case "invoke":
      out.push(`${keep}${self}.${r.method}(${args.join(",")});`);
      break;
    case "sinvoke":
      out.push(`${keep}(${type(r.fqn)}).${r.method}(${args.join(",")});`);
      break;
    case "get":
      out.push(`${keep}${self}.${r.property};`);
      break;
    case "sget":
      out.push(`${keep}(${type(r.fqn)}).${r.property};`);
      break;
    case "set":
      out.push(`${self}.${r.property} = ${value(r.value)};`);
      break;
    default:
      throw new Error(`replay: no support for the kernel call ${r.api}`);
  }
}
process.stdout.write(out.join("\n") + "\n");
