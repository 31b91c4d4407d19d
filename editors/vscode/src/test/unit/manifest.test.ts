// package.json must declare what the code uses, and only that.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { COMMANDS, SECTION } from '../../names';
import { LANGUAGES, SETTING_KEYS } from '../../settings';
import { extensionRoot, readManifest } from '../packageJson';

const manifest = readManifest();

test('activates on each language nib supports, and nothing else', () => {
  assert.deepEqual(
    [...manifest.activationEvents].sort(),
    Object.keys(LANGUAGES)
      .map((id) => `onLanguage:${id}`)
      .sort(),
  );
});

test('contributes the commands the code registers', () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(COMMANDS).sort());
});

test('contributes the settings the code reads, and nothing nib would ignore', () => {
  const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(contributed, SETTING_KEYS.map((key) => `${SECTION}.${key}`).sort());
});

test('every nib.* name in the source is a contributed command or setting', () => {
  const known = new Set([
    ...manifest.contributes.commands.map((c) => c.command),
    ...Object.keys(manifest.contributes.configuration.properties),
    'nib.status', // the status bar item's id
    'nib.exe', // the binary's name on Windows
  ]);
  const source = path.join(extensionRoot, 'src');
  const files = fs.readdirSync(source).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = fs.readFileSync(path.join(source, file), 'utf8');
    for (const [, name] of text.matchAll(/['"`](nib\.[A-Za-z]+)['"`]/g)) {
      assert.ok(known.has(name), `${file} uses ${name}, which package.json does not contribute`);
    }
  }
});

test('engine, types and entry point agree', () => {
  assert.equal(manifest.engines.vscode, '^1.91.0');
  assert.match(manifest.devDependencies['@types/vscode'], /^[~^]?1\.91\./);
  assert.equal(manifest.main, './out/extension.js');
  assert.ok(fs.existsSync(path.join(extensionRoot, 'out', 'extension.js')), 'compile first: npm run compile');
});

test('an untrusted workspace cannot choose the binary, the model file, an adapter manifest or where code is sent', () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.deepEqual(untrusted.restrictedConfigurations?.sort(), ['nib.adapter', 'nib.escalateTo', 'nib.model', 'nib.path']);
});
