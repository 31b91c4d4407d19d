// What the status bar shows: a state changed by events from the client, and its text.

import { COMMANDS } from './names';

export type Phase = 'disabled' | 'starting' | 'loading' | 'ready' | 'error';

export interface Status {
  phase: Phase;
  /** Model loading progress, 0 to 100, while `loading`. */
  percent?: number;
  /** Inline completion requests waiting for nib. */
  inFlight: number;
  /** Milliseconds the last request answered by a loaded model took, as the extension measured it. */
  lastLatencyMs?: number;
  /** Milliseconds nib took to load the model, from its log. */
  loadMs?: number;
  /** Why nib is not working, while `error`. */
  error?: string;
  /** The error says the model is missing: pulling it is the fix. */
  modelMissing?: boolean;
  /** A setting nib rejected; nib keeps working with the others. */
  settingsProblem?: string;
}

/** A `$/progress` value for a work-done token (LSP WorkDoneProgressBegin/Report/End). */
export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  message?: string;
  percentage?: number;
}

export type StatusEvent =
  | { kind: 'disabled' }
  | { kind: 'starting' }
  | { kind: 'loadProgress'; value: ProgressValue }
  | { kind: 'log'; message: string }
  | { kind: 'serverError'; message: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'settingsSent' }
  | { kind: 'requestStarted' }
  | { kind: 'requestFinished'; latencyMs?: number };

export const initialStatus: Status = { phase: 'starting', inFlight: 0 };

/** The status after an event. */
export function nextStatus(status: Status, event: StatusEvent): Status {
  switch (event.kind) {
    case 'disabled':
      return { phase: 'disabled', inFlight: 0 };
    case 'starting':
      return { phase: 'starting', inFlight: 0, lastLatencyMs: status.lastLatencyMs };
    case 'loadProgress':
      return afterLoadProgress(status, event.value);
    case 'log': {
      const ready = /model ready in (\d+) ms/.exec(event.message);
      if (ready === null || status.phase === 'error' || status.phase === 'disabled') {
        return status;
      }
      return { ...status, phase: 'ready', percent: undefined, loadMs: Number(ready[1]) };
    }
    case 'serverError': {
      const message = event.message.replace(/^nib: /, '');
      if (/^setting `/.test(message)) {
        return { ...status, settingsProblem: message };
      }
      return { ...status, phase: 'error', percent: undefined, error: message, modelMissing: /nib model pull/.test(message) };
    }
    case 'failed':
      return { ...status, phase: 'error', percent: undefined, error: event.reason, modelMissing: false };
    case 'settingsSent':
      return { ...status, settingsProblem: undefined };
    case 'requestStarted':
      return { ...status, inFlight: status.inFlight + 1 };
    case 'requestFinished':
      return {
        ...status,
        inFlight: Math.max(0, status.inFlight - 1),
        // Before the model is ready nib answers at once with nothing: not a latency.
        lastLatencyMs: status.phase === 'ready' ? (event.latencyMs ?? status.lastLatencyMs) : status.lastLatencyMs,
      };
  }
}

function afterLoadProgress(status: Status, value: ProgressValue): Status {
  if (status.phase === 'error' || status.phase === 'disabled') {
    return status; // the error nib showed says more than the end of its progress
  }
  if (value.kind === 'end') {
    const ready = /^model ready/.test(value.message ?? '');
    return ready ? { ...status, phase: 'ready', percent: undefined } : status;
  }
  if (status.phase === 'ready') {
    return status;
  }
  return { ...status, phase: 'loading', percent: value.percentage ?? status.percent ?? 0 };
}

/** What the status bar item shows. */
export interface StatusView {
  text: string;
  tooltip: string;
  /** The command run on click, with its arguments. */
  command: { command: string; arguments?: unknown[] };
  /** Colours the item like an error or a warning. */
  severity?: 'error' | 'warning';
}

/** The status bar item for a status: an icon, `nib`, and a number when there is one. */
export function formatStatus(status: Status): StatusView {
  const showLog = { command: COMMANDS.showLog };
  switch (status.phase) {
    case 'disabled':
      return { text: '$(circle-slash) nib', tooltip: 'nib is off (nib.enable). Click to turn it on.', command: { command: COMMANDS.enable } };
    case 'starting':
      return { text: '$(loading~spin) nib', tooltip: 'nib: starting the server', command: showLog };
    case 'loading': {
      const percent = Math.round(status.percent ?? 0);
      return { text: `$(loading~spin) nib ${percent}%`, tooltip: `nib: loading the model (${percent}%)`, command: showLog };
    }
    case 'error':
      return status.modelMissing
        ? {
            text: '$(error) nib: no model',
            tooltip: `nib: ${status.error ?? 'the model is missing'}\nClick to pull the model.`,
            command: { command: COMMANDS.pullModel },
            severity: 'error',
          }
        : { text: '$(error) nib', tooltip: `nib: ${status.error ?? 'failed'}\nClick to show the log.`, command: showLog, severity: 'error' };
    case 'ready':
      return readyView(status);
  }
}

function readyView(status: Status): StatusView {
  const latency = status.lastLatencyMs === undefined ? '' : ` ${status.lastLatencyMs} ms`;
  const lines = [status.loadMs === undefined ? 'nib: model ready' : `nib: model ready (loaded in ${status.loadMs} ms)`];
  if (status.lastLatencyMs !== undefined) {
    lines.push(`last suggestion: ${status.lastLatencyMs} ms`);
  }
  if (status.inFlight > 0) {
    lines.push('thinking…');
  }
  if (status.settingsProblem !== undefined) {
    lines.push(`${status.settingsProblem}\nClick to open the settings.`);
    return {
      text: `$(warning) nib${latency}`,
      tooltip: lines.join('\n'),
      command: { command: 'workbench.action.openSettings', arguments: ['nib.'] },
      severity: 'warning',
    };
  }
  const icon = status.inFlight > 0 ? '$(sync~spin)' : '$(check)';
  return { text: `${icon} nib${latency}`, tooltip: lines.join('\n'), command: { command: COMMANDS.showLog } };
}

/** Counts server crashes so a server that keeps crashing is not restarted forever. */
export class CrashWindow {
  private crashes: number[] = [];

  constructor(
    private readonly maxRestarts = 4,
    private readonly windowMs = 3 * 60_000,
  ) {}

  /** Records a crash at `now` (ms); whether to restart once more. */
  restartAllowed(now: number): boolean {
    this.crashes = this.crashes.filter((at) => now - at < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.maxRestarts;
  }
}
