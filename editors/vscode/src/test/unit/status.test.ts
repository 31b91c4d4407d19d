import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { COMMANDS } from '../../names';
import { CrashWindow, formatStatus, initialStatus, nextStatus, Status, StatusEvent } from '../../status';

function after(...events: StatusEvent[]): Status {
  return events.reduce(nextStatus, initialStatus);
}

describe('status', () => {
  test('starting, loading with the percentage, then ready', () => {
    assert.equal(formatStatus(initialStatus).text, '$(loading~spin) nib');
    const loading = after(
      { kind: 'loadProgress', value: { kind: 'begin', message: 'nib: loading /m.gguf', percentage: 0 } },
      { kind: 'loadProgress', value: { kind: 'report', percentage: 42 } },
    );
    assert.equal(formatStatus(loading).text, '$(loading~spin) nib 42%');
    const ready = nextStatus(loading, { kind: 'loadProgress', value: { kind: 'end', message: 'model ready in 812 ms' } });
    assert.equal(ready.phase, 'ready');
    assert.equal(formatStatus(ready).text, '$(check) nib');
  });

  test('the log line alone also means ready, and gives the load time', () => {
    const ready = after({ kind: 'log', message: 'nib: model ready in 812 ms' });
    assert.equal(ready.phase, 'ready');
    assert.match(formatStatus(ready).tooltip, /loaded in 812 ms/);
    assert.equal(after({ kind: 'log', message: 'nib: unknown setting `x` ignored' }).phase, 'starting');
  });

  test('thinking while a request is out, then the latency it took', () => {
    const ready = after({ kind: 'log', message: 'nib: model ready in 5 ms' });
    const thinking = nextStatus(ready, { kind: 'requestStarted' });
    assert.equal(formatStatus(thinking).text, '$(sync~spin) nib');
    const done = nextStatus(thinking, { kind: 'requestFinished', latencyMs: 312 });
    assert.equal(formatStatus(done).text, '$(check) nib 312 ms');
    const cancelled = [{ kind: 'requestStarted' }, { kind: 'requestFinished' }] as const;
    assert.equal(formatStatus(cancelled.reduce<Status>(nextStatus, done)).text, '$(check) nib 312 ms');
  });

  test('answers before the model is ready are not latencies', () => {
    const loading = after({ kind: 'loadProgress', value: { kind: 'begin', percentage: 10 } }, { kind: 'requestStarted' });
    const answered = nextStatus(loading, { kind: 'requestFinished', latencyMs: 1 });
    assert.equal(answered.lastLatencyMs, undefined);
    assert.equal(answered.inFlight, 0);
  });

  test('a missing model is an error whose click pulls the model', () => {
    const message = 'nib: model file /home/me/.cache/nib/models/g.gguf not found: run nib model pull gemma-3-270m';
    const missing = after({ kind: 'serverError', message });
    const view = formatStatus(missing);
    assert.equal(view.severity, 'error');
    assert.equal(view.command.command, COMMANDS.pullModel);
    assert.match(view.tooltip, /not found: run nib model pull/);
    const ended = nextStatus(missing, { kind: 'loadProgress', value: { kind: 'end', message: 'failed' } });
    assert.equal(ended.phase, 'error');
  });

  test('a failed start is an error with its reason; a restart clears it', () => {
    const failed = after({ kind: 'failed', reason: 'nib serve did not start: spawn EACCES' });
    assert.equal(formatStatus(failed).text, '$(error) nib');
    assert.match(formatStatus(failed).tooltip, /spawn EACCES/);
    assert.equal(nextStatus(failed, { kind: 'starting' }).phase, 'starting');
  });

  test('a rejected setting warns until settings are sent again', () => {
    const ready = after({ kind: 'log', message: 'nib: model ready in 5 ms' });
    const bad = nextStatus(ready, { kind: 'serverError', message: 'nib: setting `max_tokens`: expected a whole number' });
    assert.equal(bad.phase, 'ready');
    assert.equal(formatStatus(bad).severity, 'warning');
    assert.equal(formatStatus(bad).command.command, 'workbench.action.openSettings');
    assert.equal(formatStatus(nextStatus(bad, { kind: 'settingsSent' })).severity, undefined);
  });

  test('disabled: click enables', () => {
    const view = formatStatus(after({ kind: 'disabled' }));
    assert.equal(view.text, '$(circle-slash) nib');
    assert.equal(view.command.command, COMMANDS.enable);
  });
});

test('CrashWindow allows 4 restarts within 3 minutes', () => {
  const crashes = new CrashWindow();
  const allowed = [0, 1000, 2000, 3000, 4000].map((t) => crashes.restartAllowed(t));
  assert.deepEqual(allowed, [true, true, true, true, false]);
  assert.equal(crashes.restartAllowed(4000 + 3 * 60_000), true);
});
