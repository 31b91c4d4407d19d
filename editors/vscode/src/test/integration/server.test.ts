// The protocol path of the extension against the real nib binary and model, without VS Code:
// the same command line, initializationOptions and requests the extension's client sends.
//
// NIB_BIN names the binary (default: ../../target/release/nib from this folder). The model
// must be cached (`nib model pull`); when it is not, the test fails saying so.

import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionItem,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  LogMessageNotification,
  MessageType,
  ProtocolConnection,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';

import { LOAD_PROGRESS_TOKEN } from '../../names';
import { toNibSettings } from '../../settings';
import { initialStatus, nextStatus, ProgressValue, Status } from '../../status';
import { defaultSettings, extensionRoot } from '../packageJson';

const READY_TIMEOUT_MS = 120_000;
const nibBin = process.env.NIB_BIN ?? path.resolve(extensionRoot, '..', '..', 'target', 'release', 'nib');

/** A running `nib serve --stdio` and what it has said. */
interface Session {
  connection: ProtocolConnection;
  logs: string[];
  errors: string[];
  progress: ProgressValue[];
  /** The status bar's state, fed the same events the extension feeds it. */
  status: () => Status;
  /** Resolves when nib logs "model ready"; rejects with what to do when it cannot. */
  ready: Promise<void>;
  close: () => Promise<void>;
}

function startNib(env: NodeJS.ProcessEnv = process.env): Session {
  assert.ok(
    fs.existsSync(nibBin),
    `nib binary not found at ${nibBin}: build it (cargo build --release in the repository root) or set NIB_BIN`,
  );
  // The extension runs `nib serve` and vscode-languageclient adds --stdio.
  const child: ChildProcess = spawn(nibBin, ['serve', '--stdio'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  if (child.stdout === null || child.stdin === null) {
    throw new Error('nib serve has no stdio');
  }
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const logs: string[] = [];
  const errors: string[] = [];
  const progress: ProgressValue[] = [];
  let status: Status = initialStatus;

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`nib did not log "model ready" within ${READY_TIMEOUT_MS / 1000} s; log: ${logs.join(' | ')}`));
    }, READY_TIMEOUT_MS);
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      if (error === undefined) {
        resolve();
      } else {
        reject(error);
      }
    };
    connection.onNotification(LogMessageNotification.type, ({ message }) => {
      logs.push(message);
      status = nextStatus(status, { kind: 'log', message });
      if (/model ready in \d+ ms/.test(message)) {
        settle();
      }
    });
    connection.onNotification(ShowMessageNotification.type, ({ type, message }) => {
      if (type !== MessageType.Error) {
        return;
      }
      errors.push(message);
      status = nextStatus(status, { kind: 'serverError', message });
      settle(
        new Error(
          /nib model pull/.test(message)
            ? `the model is not cached: run \`nib model pull\` (${nibBin} model pull) first. nib said: ${message}`
            : `nib reported an error: ${message}`,
        ),
      );
    });
    child.on('exit', (code, signal) => {
      settle(new Error(`nib serve exited (${code ?? signal ?? '?'}) before the model was ready: ${stderr.join('')}`));
    });
  });
  // Unhandled until a test awaits it; a rejection then fails that test.
  ready.catch(() => undefined);

  connection.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    connection.onProgress(WorkDoneProgress.type, token, (value) => {
      if (token === LOAD_PROGRESS_TOKEN) {
        progress.push(value);
        status = nextStatus(status, { kind: 'loadProgress', value });
      }
    });
  });
  connection.listen();

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
      await connection.sendNotification(ExitNotification.type).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    connection.dispose();
  };
  return { connection, logs, errors, progress, status: () => status, ready, close };
}

async function initialize(session: Session): Promise<void> {
  const result = await session.connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- InitializeParams still requires it
    rootUri: null,
    workspaceFolders: null,
    capabilities: {
      window: { workDoneProgress: true },
      textDocument: {
        synchronization: { dynamicRegistration: true },
        inlineCompletion: { dynamicRegistration: true },
      },
    },
    initializationOptions: toNibSettings(defaultSettings()),
  });
  assert.ok(result.capabilities.inlineCompletionProvider, 'nib offers textDocument/inlineCompletion');
  await session.connection.sendNotification(InitializedNotification.type, {});
}

function insertText(item: InlineCompletionItem): string {
  return typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
}

describe('nib serve over stdio, as the extension drives it', () => {
  const sessions: Session[] = [];
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
  });

  test('suggests " np" after `import numpy as`', { timeout: READY_TIMEOUT_MS + 60_000 }, async () => {
    const session = startNib();
    sessions.push(session);
    await initialize(session);
    const uri = 'file:///nib-extension-test/sample.py';
    const text = 'import numpy as';
    await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    await session.ready;

    // What the extension sends when a setting changes: every key must be one nib knows.
    await session.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { nib: toNibSettings({ ...defaultSettings(), maxTokens: 32, languages: { javascriptreact: false } }) },
    });

    const answer = await session.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: text.length },
      context: { triggerKind: InlineCompletionTriggerKind.Automatic },
    });
    const items = answer === null ? [] : Array.isArray(answer) ? answer : answer.items;
    assert.ok(items.length > 0, `nib gave no suggestion; log: ${session.logs.join(' | ')}`);
    const suggestion = insertText(items[0]);
    assert.ok(suggestion.startsWith(' np'), `suggestion ${JSON.stringify(suggestion)} should start with " np"`);

    assert.deepEqual(session.errors, []);
    const unknown = session.logs.filter((line) => /unknown setting/.test(line));
    assert.deepEqual(unknown, [], 'the extension sends only settings nib knows');
    // Loading was reported on the token the status bar listens to, and ended ready.
    assert.equal(session.progress[0]?.kind, 'begin');
    assert.equal(session.progress.at(-1)?.kind, 'end');
    assert.equal(session.status().phase, 'ready');
  });

  test('a missing model fails with the command that fixes it', { timeout: 30_000 }, async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nib-empty-'));
    const env: NodeJS.ProcessEnv = { ...process.env, NIB_HOME: home };
    delete env.NIB_MODEL;
    const session = startNib(env);
    sessions.push(session);
    await initialize(session);
    await assert.rejects(session.ready, /the model is not cached: run `nib model pull`/);
    assert.equal(session.status().phase, 'error');
    assert.equal(session.status().modelMissing, true);
    fs.rmSync(home, { recursive: true, force: true });
  });
});
