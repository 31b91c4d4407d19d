// Entry point: the status bar, the server, the commands and the settings listener.

import * as vscode from 'vscode';

import { COMMANDS, SECTION } from './names';
import { pullModel } from './pull';
import { NibServer, readSettings } from './server';
import { settingsChange } from './settings';
import { StatusBar } from './statusBar';

let server: NibServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('nib', { log: true });
  const status = new StatusBar();
  server = new NibServer(context, output, status);
  const running = server;
  let settings = readSettings();

  context.subscriptions.push(
    output,
    status,
    running,
    vscode.commands.registerCommand(COMMANDS.enable, () => setEnabled(true)),
    vscode.commands.registerCommand(COMMANDS.disable, () => setEnabled(false)),
    vscode.commands.registerCommand(COMMANDS.restart, () => running.restart()),
    vscode.commands.registerCommand(COMMANDS.showLog, () => {
      output.show();
    }),
    vscode.commands.registerCommand(COMMANDS.pullModel, async () => {
      if ((await pullModel(context, output)) && readSettings().enable) {
        await running.restart();
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      const before = settings;
      settings = readSettings();
      switch (settingsChange(before, settings)) {
        case 'start':
          return running.start();
        case 'stop':
          await running.stop();
          status.dispatch({ kind: 'disabled' });
          return;
        case 'restart':
          return running.restart();
        case 'notify':
          return running.sendSettings(settings);
        case 'none':
          return;
      }
    }),
  );
  void running.start(); // failures are shown by the status bar and a notification
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}

/** Switches nib on or off where the setting is set now: the workspace, else the user settings. */
async function setEnabled(enable: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inWorkspace = config.inspect('enable')?.workspaceValue !== undefined;
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('enable', enable, target);
}
