// The status bar item: renders `Status` (status.ts) whenever an event changes it.

import * as vscode from 'vscode';

import { formatStatus, initialStatus, nextStatus, Status, StatusEvent } from './status';

export class StatusBar implements vscode.Disposable {
  private status: Status = initialStatus;
  private readonly item = vscode.window.createStatusBarItem('nib.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'nib';
    this.render();
    this.item.show();
  }

  get current(): Status {
    return this.status;
  }

  dispatch(event: StatusEvent): void {
    this.status = nextStatus(this.status, event);
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const view = formatStatus(this.status);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = { title: 'nib', ...view.command };
    this.item.backgroundColor =
      view.severity === undefined ? undefined : new vscode.ThemeColor(`statusBarItem.${view.severity}Background`);
  }
}
