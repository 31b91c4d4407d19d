import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import {
  ExtensionSettings,
  languageEnabled,
  normalizeSettings,
  pullArguments,
  settingsChange,
  toNibSettings,
} from '../../settings';
import { defaultSettings, extensionRoot } from '../packageJson';

describe('toNibSettings', () => {
  test('defaults map to nib keys, unset ones left out', () => {
    assert.deepEqual(toNibSettings(defaultSettings()), {
      adapter: 'auto',
      min_confidence: 0,
      escalate: 'low-confidence',
      languages: { python: true, javascript: true, typescript: true, tsx: true, rust: true, go: true },
    });
  });

  test('every nib setting gets its snake_case key; extension-only ones stay here', () => {
    const settings: ExtensionSettings = {
      enable: true,
      path: '/opt/nib',
      model: '/models/x.gguf',
      adapter: 'fastapi',
      maxTokens: 16,
      threads: 2,
      contextTokens: 512,
      deadlineMs: 500,
      minConfidence: 0.3,
      escalateTo: { url: 'http://127.0.0.1:8080', api: 'llama-server' },
      escalate: 'always',
      languages: { python: false },
    };
    assert.deepEqual(toNibSettings(settings), {
      model: '/models/x.gguf',
      adapter: 'fastapi',
      max_tokens: 16,
      threads: 2,
      context_tokens: 512,
      deadline_ms: 500,
      min_confidence: 0.3,
      escalate_to: { url: 'http://127.0.0.1:8080', api: 'llama-server' },
      escalate: 'always',
      languages: { python: false },
    });
  });

  test('a bad value goes to nib unchanged, so nib names the key in its error', () => {
    assert.deepEqual(toNibSettings({ maxTokens: 'lots' as unknown as number }), { max_tokens: 'lots' });
  });

  test('VS Code language ids become nib ids; nib switch is on when any of its ids is', () => {
    const nib = toNibSettings({ languages: { typescriptreact: false, javascript: false, javascriptreact: true } });
    assert.deepEqual(nib.languages, { tsx: false, javascript: true });
    assert.deepEqual(toNibSettings({ languages: { javascript: false, javascriptreact: false } }).languages, {
      javascript: false,
    });
    assert.deepEqual(toNibSettings({ languages: { tsx: false } }).languages, { tsx: false });
  });
});

describe('languageEnabled', () => {
  test('by VS Code id, by nib id, and only for supported languages', () => {
    assert.equal(languageEnabled({}, 'python'), true);
    assert.equal(languageEnabled({ python: false }, 'python'), false);
    assert.equal(languageEnabled({ javascript: false, javascriptreact: true }, 'javascriptreact'), false);
    assert.equal(languageEnabled({ javascript: false }, 'javascript'), false);
    assert.equal(languageEnabled({ tsx: false }, 'typescriptreact'), false);
    assert.equal(languageEnabled({ tsx: false }, 'typescript'), true);
    assert.equal(languageEnabled({}, 'plaintext'), false);
  });
});

describe('normalizeSettings', () => {
  test('gives the extension keys their types', () => {
    const s = normalizeSettings({ enable: undefined, path: 3, model: null, languages: 'all', maxTokens: 8 });
    assert.equal(s.enable, true);
    assert.equal(s.path, '');
    assert.equal(s.model, '');
    assert.deepEqual(s.languages, {});
    assert.equal(s.maxTokens, 8);
    assert.equal(normalizeSettings({ enable: false }).enable, false);
  });
});

describe('settingsChange', () => {
  const base = defaultSettings();
  test('enable starts and stops', () => {
    assert.equal(settingsChange(base, { ...base, enable: false }), 'stop');
    assert.equal(settingsChange({ ...base, enable: false }, base), 'start');
    assert.equal(settingsChange({ ...base, enable: false }, { ...base, enable: false, maxTokens: 3 }), 'none');
  });
  test('what nib reads at start restarts it; the rest is sent', () => {
    assert.equal(settingsChange(base, { ...base, path: '/x/nib' }), 'restart');
    assert.equal(settingsChange(base, { ...base, model: 'other' }), 'restart');
    assert.equal(settingsChange(base, { ...base, adapter: 'none' }), 'restart');
    assert.equal(settingsChange(base, { ...base, adapter: '/adapters/mine.toml' }), 'restart');
    assert.equal(settingsChange(base, { ...base, threads: 1 }), 'restart');
    assert.equal(settingsChange(base, { ...base, maxTokens: 12 }), 'notify');
    assert.equal(settingsChange(base, { ...base, languages: { ...base.languages, javascriptreact: false } }), 'notify');
    assert.equal(settingsChange(base, { ...base }), 'none');
  });
});

describe('pullArguments', () => {
  test('the default model, a name, or a path that cannot be pulled', () => {
    assert.deepEqual(pullArguments(''), { args: [] });
    assert.deepEqual(pullArguments('gemma-3-270m'), { args: ['gemma-3-270m'] });
    const path = pullArguments('/models/mine.gguf');
    assert.ok('problem' in path && path.problem.includes('file path'));
  });
});

// The repository's README.md holds nib's defaults; the extension's must not drift from them.
test("package.json defaults are nib's defaults (README.md Settings table)", (t) => {
  const readme = path.join(extensionRoot, '..', '..', 'README.md');
  if (!fs.existsSync(readme)) {
    t.skip('not inside the nib repository');
    return;
  }
  const text = fs.readFileSync(readme, 'utf8');
  const nibDefault = (key: string): number => {
    const row = new RegExp('^\\| `' + key + '` \\| (\\d+(?:\\.\\d+)?) \\|', 'm').exec(text);
    assert.ok(row, `README.md has no default for ${key}`);
    return Number(row[1]);
  };
  const nib = toNibSettings(defaultSettings());
  assert.equal(nib.min_confidence, nibDefault('min_confidence'));
  // The budgets are the model's unless the user sets them (README: "the model's").
  for (const key of ['max_tokens', 'context_tokens', 'deadline_ms']) {
    assert.equal(nib[key], undefined, key);
    assert.match(text, new RegExp('^\\| `' + key + '` \\| the model\'s', 'm'), key);
  }
});
