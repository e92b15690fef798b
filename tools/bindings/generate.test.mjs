// Unit tests of generate.mjs's pure parts, on synthetic input:
//   node --test tools/bindings/generate.test.mjs
// (The real provider assemblies have no type references across submodules,
// so the closure is only exercised here.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { closure, goImports, goPackagesOf, ownerOf, trimAssembly } from './generate.mjs';

test('goImports reads import declarations only', () => {
  const src = `// Package x.
//go:build linux
/* import "not/this" */
package x

import "a/one"
import two "a/two"
import . "a/three"
import (
	_ "a/four" // comment "a/notme"
	/* "a/commented" */
	five "a/five"
	\`a/six\`
)

import ("a/seven"; "a/eight")

var s = "a/not-an-import"

func f() { _ = "a/nor-this" }
`;
  assert.deepEqual(goImports(src), ['a/one', 'a/two', 'a/three', 'a/four', 'a/five', 'a/six', 'a/seven', 'a/eight']);
  assert.deepEqual(goImports('package x\n\nfunc main() {}\n'), []);
});

const asm = () => ({
  name: '@x/p',
  version: '1.2.3',
  targets: { go: { moduleName: 'example.com/p-go', packageName: 'p' } },
  fingerprint: 'abc',
  metadata: { keep: true },
  submodules: {
    '@x/p.fooV1': {},
    '@x/p.barBaz': { targets: { go: { packageName: 'custom' } } },
    '@x/p.barBaz.inner': {},
    '@x/p.base': {},
    '@x/p.unused': {},
  },
  types: {
    '@x/p.fooV1.Foo': {
      fqn: '@x/p.fooV1.Foo',
      kind: 'class',
      base: 'cdktf.TerraformResource',
      properties: [{ name: 'inner', type: { fqn: '@x/p.fooV1.Foo.Nested' } }],
    },
    '@x/p.fooV1.Foo.Nested': {
      fqn: '@x/p.fooV1.Foo.Nested',
      kind: 'interface',
      methods: [{ name: 'm', returns: { type: { collection: { kind: 'map', elementtype: { fqn: '@x/p.barBaz.inner.Thing' } } } } }],
    },
    '@x/p.barBaz.inner.Thing': {
      fqn: '@x/p.barBaz.inner.Thing',
      kind: 'class',
      base: '@x/p.base.Base',
      docs: { see: '@x/p.unused.Nope' },
    },
    '@x/p.barBaz.Other': { fqn: '@x/p.barBaz.Other', kind: 'enum', members: [] },
    '@x/p.base.Base': { fqn: '@x/p.base.Base', kind: 'class', interfaces: ['constructs.IConstruct'] },
    '@x/p.unused.Nope': { fqn: '@x/p.unused.Nope', kind: 'class' },
    '@x/p.RootType': { fqn: '@x/p.RootType', kind: 'class' },
  },
});

test('goPackagesOf uses pacmak naming, package overrides and nesting', () => {
  assert.deepEqual(
    [...goPackagesOf(asm())].sort(),
    [
      ['base', '@x/p.base'],
      ['custom', '@x/p.barBaz'],
      ['custom/inner', '@x/p.barBaz.inner'],
      ['foov1', '@x/p.fooV1'],
      ['unused', '@x/p.unused'],
    ],
  );
});

test('ownerOf finds the innermost submodule', () => {
  const a = asm();
  assert.equal(ownerOf(a, '@x/p.fooV1.Foo.Nested'), '@x/p.fooV1');
  assert.equal(ownerOf(a, '@x/p.barBaz.inner.Thing'), '@x/p.barBaz.inner');
  assert.equal(ownerOf(a, '@x/p.RootType'), '@x/p');
});

test('closure follows type references across submodules, and parents', () => {
  const { keep, addedBy } = closure(asm(), ['@x/p.fooV1']);
  assert.deepEqual([...keep].sort(), ['@x/p.barBaz', '@x/p.barBaz.inner', '@x/p.base', '@x/p.fooV1']);
  assert.equal(addedBy.get('@x/p.barBaz.inner'), '@x/p.fooV1');
  assert.equal(addedBy.get('@x/p.base'), '@x/p.barBaz.inner');
  assert.equal(addedBy.get('@x/p.barBaz'), '@x/p.barBaz.inner');
  assert.deepEqual([...closure(asm(), ['@x/p.unused']).keep], ['@x/p.unused']);
});

test('closure fails on a reference to a type that does not exist', () => {
  const a = asm();
  a.types['@x/p.unused.Nope'].base = '@x/p.base.Missing';
  assert.throws(() => closure(a, ['@x/p.unused']), /refers to @x\/p\.base\.Missing/);
});

test('trimAssembly keeps the selected submodules, their types and root types', () => {
  const a = asm();
  const t = trimAssembly(a, new Set(['@x/p.base', '@x/p.fooV1']));
  assert.deepEqual(Object.keys(t.submodules), ['@x/p.fooV1', '@x/p.base']);
  assert.deepEqual(Object.keys(t.types), ['@x/p.fooV1.Foo', '@x/p.fooV1.Foo.Nested', '@x/p.base.Base', '@x/p.RootType']);
  assert.equal(t.fingerprint, '**********');
  for (const k of ['name', 'version', 'targets', 'metadata']) assert.deepEqual(t[k], a[k]);
  assert.deepEqual(Object.keys(t), Object.keys(a));
});
