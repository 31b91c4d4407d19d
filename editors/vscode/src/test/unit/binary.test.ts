import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { findNib, FindOptions, notFoundMessage } from '../../binary';

function options(executables: string[], more: Partial<FindOptions> = {}): FindOptions {
  return {
    configured: '',
    pathEnv: '/usr/local/bin:/usr/bin',
    platform: 'linux',
    extensionPath: '/ext',
    homeDir: '/home/me',
    isExecutable: (file) => executables.includes(file),
    ...more,
  };
}

describe('findNib', () => {
  test('nib.path first, with ~ and workspace-relative paths resolved', () => {
    const all = ['/home/me/bin/nib', '/usr/bin/nib', '/ext/bin/nib', '/opt/tools/nib'];
    assert.deepEqual(findNib(options(all, { configured: '~/bin/nib' })), { path: '/home/me/bin/nib', source: 'nib.path' });
    assert.deepEqual(findNib(options(all, { configured: 'tools/nib', workspaceFolder: '/opt' })), {
      path: '/opt/tools/nib',
      source: 'nib.path',
    });
  });

  test('a nib.path that is not there is the only thing tried', () => {
    assert.deepEqual(findNib(options(['/usr/bin/nib'], { configured: '/opt/nib' })), { tried: ['nib.path: /opt/nib'] });
  });

  test('then PATH in order, then the bundled binary', () => {
    assert.deepEqual(findNib(options(['/usr/bin/nib', '/ext/bin/nib'])), { path: '/usr/bin/nib', source: 'PATH' });
    assert.deepEqual(findNib(options(['/ext/bin/nib'])), { path: '/ext/bin/nib', source: 'bundled' });
  });

  test('Windows looks for nib.exe with ; between PATH folders', () => {
    const found = findNib(
      options(['C:\\tools\\nib.exe'], { platform: 'win32', pathEnv: 'C:\\bin;C:\\tools', extensionPath: 'C:\\ext' }),
    );
    assert.deepEqual(found, { path: 'C:\\tools\\nib.exe', source: 'PATH' });
  });

  test('when nothing is found, the message names every place tried and the fix', () => {
    const found = findNib(options([]));
    assert.ok('tried' in found);
    assert.deepEqual(found.tried, ['PATH (2 folders: /usr/local/bin:/usr/bin)', 'bundled: /ext/bin/nib']);
    const message = notFoundMessage(found.tried);
    assert.match(message, /cannot find the nib binary/);
    assert.match(message, /\/usr\/local\/bin:\/usr\/bin/);
    assert.match(message, /\/ext\/bin\/nib/);
    assert.match(message, /cargo install --path \./);
    assert.match(message, /nib\.path/);
  });

  test('the default probe wants an executable file', () => {
    const found = findNib({ configured: __filename, pathEnv: '', platform: 'linux', extensionPath: '/nowhere' });
    assert.ok('tried' in found, 'a test file is not executable');
    assert.deepEqual(findNib({ configured: '', pathEnv: '', platform: 'linux', extensionPath: '/nowhere' }), {
      tried: ['PATH (empty)', 'bundled: /nowhere/bin/nib'],
    });
  });
});
