// Preloaded into jsii's kernel by tools/kernel/kernel: lets Node's compile
// cache work for the kernel and the packages it loads (cdktf, constructs,
// the providers), which saves each kernel ~25 ms of compiling (BENCHMARKS.md).
//
// Node keys its compile cache by file path. The kernel's own file has a
// stable path, but the kernel loads packages from a new temporary folder
// each run (fs.mkdtempSync(".../jsii-kernel-")), whose symlinks into jsii's
// package cache it requires through (--preserve-symlinks): their paths never
// repeat, so caching them would only cost (the cache would be written on
// every exit and never read). So the kernel is given a folder of its own
// that does repeat: the first free one of a few slots below
// .gen/jsii-kernel/slots/, taken with an exclusive mkdir, so that two
// kernels never share one, and removed by the kernel when it exits, as its
// temporary folder always was. Only when a slot was had is the compile
// cache (.gen/jsii-kernel/compile-cache/) turned on. A slot left by a
// kernel that was killed stays taken; with none free (or on any error) the
// kernel runs exactly as without this file.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const slots = 8;
// JSII_KERNEL_CACHE_DIR moves the slots and the compile cache (tests).
const base = process.env.JSII_KERNEL_CACHE_DIR || path.join(__dirname, "..", "..", ".gen", "jsii-kernel");

function takeSlot() {
  const dir = path.join(base, "slots");
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < slots; i++) {
    const slot = path.join(dir, String(i));
    try {
      fs.mkdirSync(slot);
      return slot;
    } catch (e) {
      if (e.code !== "EEXIST") return undefined;
    }
  }
  return undefined;
}

let slot;
try {
  if (!process.env.NODE_DISABLE_COMPILE_CACHE) slot = takeSlot();
} catch {
  slot = undefined;
}
if (slot) {
  const mkdtempSync = fs.mkdtempSync;
  fs.mkdtempSync = function (prefix, ...rest) {
    if (slot && typeof prefix === "string" && path.basename(prefix) === "jsii-kernel-") {
      const dir = slot;
      slot = undefined; // one kernel, one folder
      return dir;
    }
    return mkdtempSync.call(this, prefix, ...rest);
  };
  process.once("exit", () => {
    try {
      if (slot) fs.rmdirSync(slot); // never handed to the kernel: free it
    } catch {}
  });
  try {
    require("node:module").enableCompileCache(path.join(base, "compile-cache"));
  } catch {
    // an older Node: no compile cache, the slot is still a fine folder
  }
}
