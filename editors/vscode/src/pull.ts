// `nib: Pull Model`: runs `nib model pull` with a progress notification fed by its stderr.

import { spawn } from 'node:child_process';
import * as vscode from 'vscode';

import { notFoundMessage } from './binary';
import { LineSplitter, PullTracker } from './pullProgress';
import { locateNib, readSettings } from './server';
import { pullArguments } from './settings';

/** Pulls the configured model; true when it is in the cache afterwards. */
export async function pullModel(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<boolean> {
  const settings = readSettings();
  const found = locateNib(context, settings);
  if ('tried' in found) {
    void vscode.window.showErrorMessage(notFoundMessage(found.tried));
    return false;
  }
  const target = pullArguments(settings.model);
  if ('problem' in target) {
    void vscode.window.showErrorMessage(`nib: ${target.problem}`);
    return false;
  }
  const args = ['model', 'pull', ...target.args];
  output.info(`running ${found.path} ${args.join(' ')}`);
  const tracker = new PullTracker();
  const user = { cancelled: false };
  const options = { location: vscode.ProgressLocation.Notification, title: 'nib: pulling the model', cancellable: true };
  const code = await vscode.window.withProgress(options, (progress, token) => {
    return new Promise<number | string>((resolve) => {
      const child = spawn(found.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const cancel = token.onCancellationRequested(() => {
        user.cancelled = true;
        child.kill();
      });
      const lines = new LineSplitter();
      const onLine = (line: string): void => {
        if (line.trim() === '') {
          return;
        }
        output.info(line);
        const report = tracker.update(line);
        if (report !== undefined) {
          progress.report(report);
        }
      };
      child.stdout.on('data', (chunk: Buffer) => {
        output.info(chunk.toString().trimEnd());
      });
      child.stderr.on('data', (chunk: Buffer) => {
        lines.push(chunk.toString()).forEach(onLine);
      });
      child.on('error', (error) => {
        cancel.dispose();
        resolve(error.message);
      });
      child.on('close', (exitCode, signal) => {
        lines.flush().forEach(onLine);
        cancel.dispose();
        resolve(exitCode ?? `stopped by ${signal ?? 'a signal'}`);
      });
    });
  });
  if (code === 0) {
    output.info('the model is in the cache');
    return true;
  }
  if (user.cancelled) {
    output.info('nib model pull cancelled');
    return false;
  }
  const reason = tracker.lastError ?? (typeof code === 'number' ? `exit status ${code}` : code);
  output.error(`nib model pull failed: ${reason}`);
  const choice = await vscode.window.showErrorMessage(`nib: model pull failed: ${reason}`, 'Show Log');
  if (choice === 'Show Log') {
    output.show();
  }
  return false;
}
