// Reading what `nib model pull` writes to stderr, for a progress notification.

/** One line of `nib model pull` output, understood. */
export type PullLine =
  | { kind: 'downloading'; model: string; part: number; parts: number; percent: number }
  | { kind: 'verifying' }
  | { kind: 'writing'; model: string }
  | { kind: 'done'; seconds: number }
  | { kind: 'present'; model: string }
  | { kind: 'error'; message: string };

/** Parses a line such as `downloading gemma-3-270m part 2/4: 40%`; undefined for other lines. */
export function parsePullLine(line: string): PullLine | undefined {
  const text = line.trim();
  let m = /^downloading (\S+) part (\d+)\/(\d+): (\d+)%$/.exec(text);
  if (m) {
    return { kind: 'downloading', model: m[1], part: Number(m[2]), parts: Number(m[3]), percent: Number(m[4]) };
  }
  if (text === 'verifying sha256') {
    return { kind: 'verifying' };
  }
  m = /^writing (\S+) with a vocabulary of \d+ tokens$/.exec(text);
  if (m) {
    return { kind: 'writing', model: m[1] };
  }
  m = /^done in ([\d.]+) s$/.exec(text);
  if (m) {
    return { kind: 'done', seconds: Number(m[1]) };
  }
  m = /^(\S+) is already in the cache$/.exec(text);
  if (m) {
    return { kind: 'present', model: m[1] };
  }
  m = /^nib: (.+)$/.exec(text);
  if (m) {
    return { kind: 'error', message: m[1] };
  }
  return undefined;
}

/** The share of the whole download done, 0 to 100: parts are counted as equal. */
export function overallPercent(line: { part: number; parts: number; percent: number }): number {
  if (line.parts <= 0) {
    return 0;
  }
  const done = (line.part - 1 + Math.min(line.percent, 100) / 100) / line.parts;
  return Math.max(0, Math.min(100, Math.round(done * 100)));
}

/** What to show for one line: a message and how far the bar moves (VS Code adds increments). */
export interface PullReport {
  message: string;
  increment: number;
}

/** Turns pull output into progress reports; the bar only moves forward. */
export class PullTracker {
  private shown = 0;
  /** The last error line nib wrote, for the failure message. */
  lastError: string | undefined;

  update(line: string): PullReport | undefined {
    const parsed = parsePullLine(line);
    if (parsed === undefined) {
      return undefined;
    }
    switch (parsed.kind) {
      case 'downloading':
        return this.moveTo(overallPercent(parsed), `${parsed.model} part ${parsed.part}/${parsed.parts}: ${parsed.percent}%`);
      case 'verifying':
        return this.moveTo(100, 'verifying sha256');
      case 'writing':
        return this.moveTo(100, `writing ${parsed.model}`);
      case 'done':
        return this.moveTo(100, `done in ${parsed.seconds} s`);
      case 'present':
        return this.moveTo(100, `${parsed.model} is already in the cache`);
      case 'error':
        this.lastError = parsed.message;
        return { message: parsed.message, increment: 0 };
    }
  }

  private moveTo(percent: number, message: string): PullReport {
    const increment = Math.max(0, percent - this.shown);
    this.shown += increment;
    return { message, increment };
  }
}

/** Splits a stream into lines; a chunk may end in the middle of one. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const lines = (this.rest + chunk).split(/\r\n|\r|\n/);
    this.rest = lines.pop() ?? '';
    return lines;
  }

  /** The last line, when the stream did not end with a newline. */
  flush(): string[] {
    const rest = this.rest;
    this.rest = '';
    return rest === '' ? [] : [rest];
  }
}
