// The extension itself (activate, the language client, middleware, status bar) against the
// real nib, with a fake `vscode` module (test/fakeVscode.ts) in place of VS Code.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

// First: from here on `require('vscode')` gets the fake.
import { configuration, documents, InlineProvider, recorded, textDocument } from '../fakeVscode';

import * as extension from '../../extension';
import { extensionRoot } from '../packageJson';

const nibBin = process.env.NIB_BIN ?? path.resolve(extensionRoot, '..', '..', 'target', 'release', 'nib');
const READY_TIMEOUT_MS = 120_000;

const uri = 'file:///nib-extension-test/sample.py';
const text = 'import numpy as';
documents.push(textDocument(uri, 'python', text));

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out waiting for ${what}; status bar: ${recorded.statusTexts.join(' -> ')}; log: ${recorded.log.join(' | ')}`);
    }
    await sleep(50);
  }
}

test('activates, loads, suggests through the middleware and shows the latency', { timeout: READY_TIMEOUT_MS + 60_000 }, async () => {
  assert.ok(fs.existsSync(nibBin), `nib binary not found at ${nibBin}: build it or set NIB_BIN`);
  configuration['nib.path'] = nibBin;
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: extensionRoot };
  extension.activate(context as never);
  try {
    await until('a model-missing error or the ready status', () => {
      const last = recorded.statusTexts.at(-1) ?? '';
      return last.startsWith('$(check)') || last.startsWith('$(error)');
    }, READY_TIMEOUT_MS);
    const missing = recorded.notifications.find((n) => /nib model pull/.test(n.message));
    assert.equal(missing, undefined, `the model is not cached: run \`nib model pull\`. nib said: ${missing?.message ?? ''}`);
    assert.ok(recorded.statusTexts.some((t) => /^\$\(loading~spin\) nib \d+%$/.test(t)), 'the load percentage was shown');

    assert.equal(recorded.inlineProviders.length, 1, 'one inline completion provider');
    const provider: InlineProvider = recorded.inlineProviders[0].provider;
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) };
    const position = { line: 0, character: text.length };
    const context = { triggerKind: 1, selectedCompletionInfo: undefined };
    const document = textDocument(uri, 'python', text);
    const result = (await provider.provideInlineCompletionItems(document, position, context, token)) as {
      items: { insertText: string }[];
    };
    assert.ok(result.items[0].insertText.startsWith(' np'), `suggestion: ${JSON.stringify(result.items[0]?.insertText)}`);
    assert.ok(recorded.statusTexts.includes('$(sync~spin) nib'), 'thinking was shown while the request ran');
    assert.match(recorded.statusTexts.at(-1) ?? '', /^\$\(check\) nib \d+ ms$/);

    // nib: Pull Model with the model already cached: one report that fills the bar, then a restart.
    const starts = recorded.log.filter((line) => line.includes('serve (found through')).length;
    await recorded.commands.get('nib.pullModel')?.();
    const pulled = recorded.progress.filter((p) => p.title === 'nib: pulling the model');
    assert.equal(pulled.length, 1);
    assert.match(pulled[0].message ?? '', /is already in the cache$/);
    assert.equal(pulled[0].increment, 100);
    assert.equal(recorded.log.filter((line) => line.includes('serve (found through')).length, starts + 1);

    // A language switched off is not asked for.
    configuration['nib.languages'] = { python: false };
    await recorded.commands.get('nib.restart')?.();
    const latest = recorded.inlineProviders.at(-1)?.provider ?? provider;
    const off = await latest.provideInlineCompletionItems(document, position, context, token);
    assert.equal(off, undefined);
    assert.deepEqual(recorded.notifications.filter((n) => n.kind === 'error'), []);
  } finally {
    await extension.deactivate();
    if (process.env.NIB_TEST_VERBOSE !== undefined) {
      process.stderr.write(`status bar: ${recorded.statusTexts.join(' -> ')}\nlog:\n${recorded.log.join('\n')}\n`);
    }
  }
});

test('a nib.path that does not exist is named in the error', async () => {
  configuration['nib.path'] = '/nowhere/nib';
  extension.activate({ subscriptions: [], extensionPath: extensionRoot } as never);
  await until('the error status', () => (recorded.statusTexts.at(-1) ?? '').startsWith('$(error)'), 10_000);
  const error = recorded.notifications.find((n) => n.message.includes('cannot find the nib binary'));
  assert.ok(error, 'an error notification');
  assert.match(error.message, /nib\.path: \/nowhere\/nib/);
  assert.deepEqual(error.actions, ['Open Settings', 'Show Log']);
  await extension.deactivate();
});

test('nib: Pull Model feeds the progress notification from nib model pull', async () => {
  // A stand-in for `nib model pull` that writes what the real one writes while downloading.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nib-pull-'));
  const fakeNib = path.join(folder, 'nib');
  const lines = [
    'downloading gemma-3-270m part 1/4: 0%',
    'downloading gemma-3-270m part 1/4: 100%',
    'downloading gemma-3-270m part 2/4: 50%',
    'downloading gemma-3-270m part 4/4: 100%',
    'verifying sha256',
    'done in 1.0 s',
  ];
  const script = ['#!/bin/sh', '[ "$1 $2" = "model pull" ] || exit 3', "cat >&2 <<'EOF'", ...lines, 'EOF', ''];
  fs.writeFileSync(fakeNib, script.join('\n'), { mode: 0o755 });
  configuration['nib.path'] = fakeNib;
  configuration['nib.enable'] = false; // no server to restart afterwards
  recorded.progress.length = 0;
  extension.activate({ subscriptions: [], extensionPath: extensionRoot } as never);
  await recorded.commands.get('nib.pullModel')?.();
  const pulled = recorded.progress.filter((p) => p.title === 'nib: pulling the model');
  assert.deepEqual(
    pulled.map((p) => p.message),
    ['gemma-3-270m part 1/4: 0%', 'gemma-3-270m part 1/4: 100%', 'gemma-3-270m part 2/4: 50%', 'gemma-3-270m part 4/4: 100%', 'verifying sha256', 'done in 1 s'],
  );
  assert.deepEqual(
    pulled.map((p) => p.increment),
    [0, 25, 13, 62, 0, 0],
  );
  assert.deepEqual(recorded.notifications.filter((n) => /pull failed/.test(n.message)), []);
  await extension.deactivate();
  fs.rmSync(folder, { recursive: true, force: true });
});
