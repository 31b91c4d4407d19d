// The nib language server: starting and stopping it, and what the client hears from it.

import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  LogMessageNotification,
  MessageType,
  ServerOptions,
  ShowMessageNotification,
  ShowMessageParams,
  TransportKind,
} from 'vscode-languageclient/node';

import { findNib, Found, notFoundMessage } from './binary';
import { COMMANDS, LOAD_PROGRESS_TOKEN, SECTION } from './names';
import { ExtensionSettings, LANGUAGES, languageEnabled, normalizeSettings, SETTING_KEYS, toNibSettings } from './settings';
import { CrashWindow } from './status';
import { StatusBar } from './statusBar';

/** The settings as they are now. Unset keys hold package.json's defaults. */
export function readSettings(): ExtensionSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return normalizeSettings(Object.fromEntries(SETTING_KEYS.map((key) => [key, config.get(key)])));
}

/** The nib binary for these settings (see binary.ts for the order). */
export function locateNib(context: vscode.ExtensionContext, settings: ExtensionSettings): Found {
  return findNib({
    configured: settings.path,
    pathEnv: process.env.PATH,
    platform: process.platform,
    extensionPath: context.extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  });
}

/** Files and unsaved buffers of the languages nib supports. */
const documentSelector = Object.keys(LANGUAGES).flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

/** One nib server at a time; start, stop and restart run one after another. */
export class NibServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private settings: ExtensionSettings;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: StatusBar,
  ) {
    this.settings = readSettings();
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  /** Sends changed settings to the running server. */
  async sendSettings(settings: ExtensionSettings): Promise<void> {
    this.settings = settings;
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return;
    }
    this.status.dispatch({ kind: 'settingsSent' });
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: toNibSettings(settings) },
    });
  }

  dispose(): Promise<void> {
    return this.stop();
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    this.settings = readSettings();
    if (!this.settings.enable) {
      this.status.dispatch({ kind: 'disabled' });
      return;
    }
    const found = locateNib(this.context, this.settings);
    if ('tried' in found) {
      const message = notFoundMessage(found.tried);
      this.output.error(message);
      this.status.dispatch({ kind: 'failed', reason: 'the nib binary was not found (see the log)' });
      void this.offer(vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log'));
      return;
    }
    this.output.info(`starting ${found.path} serve (found through ${found.source})`);
    this.status.dispatch({ kind: 'starting' });
    const client = this.createClient(found.path);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      const reason = `nib serve did not start: ${error instanceof Error ? error.message : String(error)}`;
      this.output.error(reason);
      this.status.dispatch({ kind: 'failed', reason });
      this.client = undefined;
      await client.dispose().catch(() => undefined);
    }
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      await client.dispose().catch((error: unknown) => {
        this.output.warn(`stopping nib: ${String(error)}`);
      });
    }
  }

  private createClient(command: string): LanguageClient {
    // The client adds --stdio: `nib serve --stdio`. nib's stderr goes to the log, which
    // shows colour codes as text.
    const serverOptions: ServerOptions = {
      command,
      args: ['serve'],
      transport: TransportKind.stdio,
      options: { env: { ...process.env, NO_COLOR: '1' } },
    };
    const crashes = new CrashWindow();
    const clientOptions: LanguageClientOptions = {
      documentSelector,
      outputChannel: this.output,
      // A function, so a restart after a crash sends the settings of that moment.
      initializationOptions: () => toNibSettings(this.settings),
      errorHandler: {
        error: (_error, _message, count) => ({
          action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        }),
        closed: () => {
          if (crashes.restartAllowed(Date.now())) {
            this.status.dispatch({ kind: 'starting' });
            return { action: CloseAction.Restart };
          }
          const reason = 'nib serve stopped 5 times in 3 minutes and will not be restarted (see the log)';
          this.status.dispatch({ kind: 'failed', reason });
          return { action: CloseAction.DoNotRestart, message: `nib: ${reason}` };
        },
      },
      middleware: {
        provideInlineCompletionItems: async (document, position, context, token, next) => {
          if (!languageEnabled(this.settings.languages, document.languageId)) {
            return undefined;
          }
          const started = performance.now();
          let answered = false;
          this.status.dispatch({ kind: 'requestStarted' });
          try {
            const result = await next(document, position, context, token);
            answered = !token.isCancellationRequested;
            return result;
          } finally {
            const latencyMs = answered ? Math.round(performance.now() - started) : undefined;
            this.status.dispatch({ kind: 'requestFinished', latencyMs });
          }
        },
        // nib also answers textDocument/completion for editors without ghost text; here it
        // would run the model a second time and cancel the inline request for the document.
        provideCompletionItem: () => undefined,
        handleWorkDoneProgress: (token, params, next) => {
          if (token === LOAD_PROGRESS_TOKEN) {
            this.status.dispatch({ kind: 'loadProgress', value: params });
          }
          next(token, params);
        },
      },
    };
    const client = new LanguageClient('nib', 'nib', serverOptions, clientOptions);
    // These replace the client's own handlers: the status bar needs what nib says.
    client.onNotification(ShowMessageNotification.type, (params) => {
      this.onShowMessage(params);
    });
    client.onNotification(LogMessageNotification.type, ({ type, message }) => {
      this.status.dispatch({ kind: 'log', message });
      this.log(type, message);
    });
    return client;
  }

  private log(type: MessageType, message: string): void {
    switch (type) {
      case MessageType.Error:
        this.output.error(message);
        break;
      case MessageType.Warning:
        this.output.warn(message);
        break;
      case MessageType.Debug:
        this.output.debug(message);
        break;
      default:
        this.output.info(message);
    }
  }

  private onShowMessage({ type, message }: ShowMessageParams): void {
    if (type !== MessageType.Error) {
      const show = type === MessageType.Warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(message);
      return;
    }
    this.output.error(message);
    this.status.dispatch({ kind: 'serverError', message });
    const actions = /nib model pull/.test(message)
      ? ['Pull Model', 'Show Log']
      : /setting `/.test(message)
        ? ['Open Settings']
        : ['Show Log'];
    void this.offer(vscode.window.showErrorMessage(message, ...actions));
  }

  /** Runs the action the user picked on a notification. */
  private async offer(choice: Thenable<string | undefined>): Promise<void> {
    switch (await choice) {
      case 'Pull Model':
        await vscode.commands.executeCommand(COMMANDS.pullModel);
        break;
      case 'Open Settings':
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.`);
        break;
      case 'Show Log':
        this.output.show();
        break;
    }
  }
}
