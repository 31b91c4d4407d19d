import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LineSplitter, overallPercent, parsePullLine, PullTracker } from '../../pullProgress';

describe('parsePullLine', () => {
  test('the lines nib model pull writes', () => {
    assert.deepEqual(parsePullLine('downloading gemma-3-270m part 2/4: 40%'), {
      kind: 'downloading',
      model: 'gemma-3-270m',
      part: 2,
      parts: 4,
      percent: 40,
    });
    assert.deepEqual(parsePullLine('verifying sha256'), { kind: 'verifying' });
    assert.deepEqual(parsePullLine('writing gemma-3-270m-code with a vocabulary of 51238 tokens'), {
      kind: 'writing',
      model: 'gemma-3-270m-code',
    });
    assert.deepEqual(parsePullLine('done in 12.5 s'), { kind: 'done', seconds: 12.5 });
    assert.deepEqual(parsePullLine('gemma-3-270m is already in the cache'), { kind: 'present', model: 'gemma-3-270m' });
    assert.deepEqual(parsePullLine('nib: cannot fetch https://pypi.org/x: timed out'), {
      kind: 'error',
      message: 'cannot fetch https://pypi.org/x: timed out',
    });
    assert.equal(parsePullLine('/home/me/.cache/nib/models/gemma-3-270m-q4_k_m.gguf'), undefined);
  });

  test('parts count equally toward the whole', () => {
    assert.equal(overallPercent({ part: 1, parts: 4, percent: 0 }), 0);
    assert.equal(overallPercent({ part: 2, parts: 4, percent: 40 }), 35);
    assert.equal(overallPercent({ part: 4, parts: 4, percent: 100 }), 100);
  });
});

describe('PullTracker', () => {
  test('increments add up to 100 and never go back', () => {
    const tracker = new PullTracker();
    const lines = [
      'downloading gemma-3-270m part 1/4: 50%',
      'downloading gemma-3-270m part 2/4: 40%',
      'downloading gemma-3-270m part 2/4: 30%',
      'downloading gemma-3-270m part 4/4: 100%',
      'verifying sha256',
      'done in 3.0 s',
    ];
    const reports = lines.map((line) => tracker.update(line));
    assert.deepEqual(
      reports.map((r) => r?.increment),
      [13, 22, 0, 65, 0, 0],
    );
    assert.equal(reports[1]?.message, 'gemma-3-270m part 2/4: 40%');
    assert.equal(tracker.lastError, undefined);
    assert.equal(tracker.update('nib: no model named x: see `nib model list`')?.increment, 0);
    assert.equal(tracker.lastError, 'no model named x: see `nib model list`');
  });
});

describe('LineSplitter', () => {
  test('lines split across chunks and a last line without a newline', () => {
    const lines = new LineSplitter();
    assert.deepEqual(lines.push('downloading a part 1/2: 1'), []);
    assert.deepEqual(lines.push('0%\nverifying'), ['downloading a part 1/2: 10%']);
    assert.deepEqual(lines.push(' sha256\r\ndone'), ['verifying sha256']);
    assert.deepEqual(lines.flush(), ['done']);
    assert.deepEqual(lines.flush(), []);
  });
});
