// A small stand-in for the `vscode` module: enough of the API for the extension and
// vscode-languageclient to start, talk to nib, and show what they would show. It records
// the status bar text, notifications and registered providers for tests to look at.
// It is no VS Code: it checks the extension's wiring, not how VS Code renders it.

import { EventEmitter as NodeEmitter } from 'node:events';
import Module from 'node:module';
import * as path from 'node:path';

import { readManifest } from './packageJson';

/** What the extension did through the fake API. */
export const recorded = {
  statusTexts: [] as string[],
  notifications: [] as { kind: 'error' | 'warning' | 'info'; message: string; actions: string[] }[],
  log: [] as string[],
  inlineProviders: [] as { selector: unknown; provider: InlineProvider }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  progress: [] as { title?: string; message?: string; increment?: number }[],
};

export interface InlineProvider {
  provideInlineCompletionItems(document: unknown, position: unknown, context: unknown, token: unknown): Promise<unknown>;
}

/** Settings by full key (`nib.path`); unset keys get package.json's defaults. */
export const configuration: Record<string, unknown> = {};
const defaults = Object.fromEntries(
  Object.entries(readManifest().contributes.configuration.properties).map(([key, p]) => [key, p.default]),
);

class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      items.forEach((d) => d.dispose());
    });
  }
  constructor(private readonly callback: () => unknown = () => undefined) {}
  dispose(): void {
    this.callback();
  }
}

class EventEmitter<T> {
  private readonly emitter = new NodeEmitter();
  event = (listener: (value: T) => unknown): Disposable => {
    this.emitter.on('e', listener);
    return new Disposable(() => this.emitter.off('e', listener));
  };
  fire(value: T): void {
    this.emitter.emit('e', value);
  }
  dispose(): void {
    this.emitter.removeAllListeners();
  }
}

const noEvent = (): Disposable => new Disposable();

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c ?? 0, d ?? 0) : (b as Position);
  }
}

class Uri {
  private constructor(private readonly url: URL) {}
  static parse(value: string): Uri {
    return new Uri(new URL(value));
  }
  static file(file: string): Uri {
    return new Uri(new URL(`file://${path.resolve(file)}`));
  }
  get scheme(): string {
    return this.url.protocol.replace(/:$/, '');
  }
  get fsPath(): string {
    return decodeURIComponent(this.url.pathname);
  }
  get path(): string {
    return this.url.pathname;
  }
  toString(): string {
    return this.url.href;
  }
  toJSON(): string {
    return this.url.href;
  }
}

class CancellationTokenSource {
  private readonly emitter = new EventEmitter<undefined>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire(undefined);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** A text document as the client reads it. */
export function textDocument(uri: string, languageId: string, text: string): unknown {
  return {
    uri: Uri.parse(uri),
    languageId,
    version: 1,
    isClosed: false,
    getText: () => text,
    lineCount: text.split('\n').length,
  };
}

function statusBarItem(): unknown {
  let text = '';
  return {
    name: '',
    tooltip: '',
    command: undefined,
    backgroundColor: undefined,
    get text() {
      return text;
    },
    set text(value: string) {
      text = value;
      recorded.statusTexts.push(value);
    },
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
  };
}

function outputChannel(): unknown {
  const line = (level: string) => (message: string) => recorded.log.push(`${level} ${message}`);
  return {
    name: 'nib',
    logLevel: 2,
    onDidChangeLogLevel: noEvent,
    append: line('raw'),
    appendLine: line('raw'),
    replace: line('raw'),
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: (message: unknown) => recorded.log.push(`error ${String(message)}`),
  };
}

/** The documents open in the fake editor. */
export const documents: unknown[] = [];

function notify(kind: 'error' | 'warning' | 'info') {
  return (message: string, ...actions: unknown[]): Promise<undefined> => {
    recorded.notifications.push({ kind, message, actions: actions.filter((a) => typeof a === 'string') });
    return Promise.resolve(undefined);
  };
}

const fake = {
  // Makes TypeScript's `import * as vscode` use this object itself, so the proxy below answers.
  __esModule: true,
  version: '1.91.0',
  Disposable,
  EventEmitter,
  Position,
  Range,
  Uri,
  CancellationTokenSource,
  CancellationError: class extends Error {},
  SnippetString: class {
    constructor(readonly value: string) {}
  },
  InlineCompletionItem: class {
    constructor(
      readonly insertText: unknown,
      readonly range?: Range,
      readonly command?: unknown,
    ) {}
  },
  InlineCompletionList: class {
    constructor(readonly items: unknown[]) {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
  env: { appName: 'fake', language: 'en', openExternal: () => Promise.resolve(true) },
  commands: {
    registerCommand: (id: string, callback: (...args: unknown[]) => unknown) => {
      recorded.commands.set(id, callback);
      return new Disposable(() => recorded.commands.delete(id));
    },
    executeCommand: (id: string, ...args: unknown[]) => Promise.resolve(recorded.commands.get(id)?.(...args)),
  },
  window: {
    createOutputChannel: outputChannel,
    createStatusBarItem: statusBarItem,
    showErrorMessage: notify('error'),
    showWarningMessage: notify('warning'),
    showInformationMessage: notify('info'),
    withProgress: <R>(
      options: { title?: string },
      task: (progress: { report(value: { message?: string; increment?: number }): void }, token: unknown) => Promise<R>,
    ) =>
      task({ report: (value) => recorded.progress.push({ title: options.title, ...value }) }, new CancellationTokenSource().token),
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
    onDidChangeVisibleTextEditors: noEvent,
    onDidChangeActiveTextEditor: noEvent,
  },
  workspace: {
    workspaceFolders: undefined,
    textDocuments: documents,
    notebookDocuments: [],
    getConfiguration: (section?: string) => ({
      get: (key: string, fallback?: unknown) => {
        const full = section === undefined ? key : `${section}.${key}`;
        if (full in configuration) return configuration[full];
        return full in defaults ? defaults[full] : fallback;
      },
      has: () => false,
      inspect: () => undefined,
      update: (key: string, value: unknown) => {
        configuration[`${section ?? ''}.${key}`] = value;
        return Promise.resolve();
      },
    }),
    onDidChangeConfiguration: noEvent,
    onDidOpenTextDocument: noEvent,
    onDidChangeTextDocument: noEvent,
    onDidCloseTextDocument: noEvent,
    onDidSaveTextDocument: noEvent,
    onWillSaveTextDocument: noEvent,
    onDidChangeWorkspaceFolders: noEvent,
    onDidCreateFiles: noEvent,
    onDidRenameFiles: noEvent,
    onDidDeleteFiles: noEvent,
    onWillCreateFiles: noEvent,
    onWillRenameFiles: noEvent,
    onWillDeleteFiles: noEvent,
    onDidOpenNotebookDocument: noEvent,
    onDidChangeNotebookDocument: noEvent,
    onDidSaveNotebookDocument: noEvent,
    onDidCloseNotebookDocument: noEvent,
    createFileSystemWatcher: () => ({ onDidCreate: noEvent, onDidChange: noEvent, onDidDelete: noEvent, dispose: () => undefined }),
  },
  languages: {
    match: (selector: unknown, document: { languageId: string; uri: Uri }): number => {
      const selectors = Array.isArray(selector) ? selector : [selector];
      return selectors.some((s: { language?: string; scheme?: string } | string) =>
        typeof s === 'string'
          ? s === document.languageId
          : (s.language === undefined || s.language === document.languageId) &&
            (s.scheme === undefined || s.scheme === document.uri.scheme),
      )
        ? 10
        : 0;
    },
    registerInlineCompletionItemProvider: (selector: unknown, provider: InlineProvider) => {
      recorded.inlineProviders.push({ selector, provider });
      return new Disposable();
    },
    createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
  },
};

// Every `require('vscode')` from here on gets the fake: import this module first.
// Anything else the client registers (hover, definition, ...) is accepted and ignored.
const languages = new Proxy(fake.languages, {
  get: (target, key: string) => (key in target ? target[key as keyof typeof target] : () => new Disposable()),
});
const stubs = new Map<string, unknown>();
// Classes the client extends or enums it reads (CompletionItem, CodeLens, ...): empty stand-ins.
const api = new Proxy(
  { ...fake, languages },
  {
    get: (target, key: string) => {
      if (key in target) {
        return target[key as keyof typeof target];
      }
      if (/^[A-Z]/.test(key) && !stubs.has(key)) {
        stubs.set(
          key,
          class {
            readonly stubFor = key;
          },
        );
      }
      return stubs.get(key);
    },
  },
);
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = loader._load.bind(Module);
loader._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? api : load(request, ...rest));
