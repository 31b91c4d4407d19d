// Finding the nib binary: the nib.path setting, else PATH, else the copy bundled in the extension.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FindOptions {
  /** The nib.path setting; empty = not set. */
  configured: string;
  /** The PATH environment variable. */
  pathEnv: string | undefined;
  platform: NodeJS.Platform;
  /** The extension's folder; the bundled binary is `<extension>/bin/nib`. */
  extensionPath: string;
  /** Where a relative nib.path is resolved; the first workspace folder when there is one. */
  workspaceFolder?: string;
  homeDir?: string;
  /** Whether a path is an executable file; injected so tests need no files. */
  isExecutable?: (file: string) => boolean;
}

export type Found = { path: string; source: 'nib.path' | 'PATH' | 'bundled' } | { tried: string[] };

/**
 * The nib binary to run, or every place looked at. A nib.path that is set is the only
 * place looked at: running another binary than the one asked for would hide the mistake.
 */
export function findNib(options: FindOptions): Found {
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const p = options.platform === 'win32' ? path.win32 : path.posix;
  const exe = options.platform === 'win32' ? 'nib.exe' : 'nib';
  const configured = options.configured.trim();
  if (configured !== '') {
    const file = resolveConfigured(configured, options, p);
    return isExecutable(file) ? { path: file, source: 'nib.path' } : { tried: [`nib.path: ${file}`] };
  }
  const tried: string[] = [];
  const separator = options.platform === 'win32' ? ';' : ':';
  const folders = (options.pathEnv ?? '').split(separator).filter((folder) => folder !== '');
  for (const folder of folders) {
    const file = p.join(folder, exe);
    if (isExecutable(file)) {
      return { path: file, source: 'PATH' };
    }
  }
  tried.push(folders.length > 0 ? `PATH (${folders.length} folders: ${folders.join(separator)})` : 'PATH (empty)');
  const bundled = p.join(options.extensionPath, 'bin', exe);
  if (isExecutable(bundled)) {
    return { path: bundled, source: 'bundled' };
  }
  tried.push(`bundled: ${bundled}`);
  return { tried };
}

function resolveConfigured(configured: string, options: FindOptions, p: path.PlatformPath): string {
  const home = options.homeDir ?? os.homedir();
  let file = configured;
  if (file === '~' || file.startsWith('~/') || file.startsWith('~\\')) {
    file = p.join(home, file.slice(1));
  }
  if (!p.isAbsolute(file) && options.workspaceFolder !== undefined) {
    file = p.join(options.workspaceFolder, file);
  }
  return file;
}

/** The error a user sees when no binary is found: what was tried and how to fix it. */
export function notFoundMessage(tried: string[]): string {
  return (
    `nib: cannot find the nib binary. Tried ${tried.join('; ')}. ` +
    'Install nib (`cargo install --path .` in the nib repository, or a release binary on your PATH) ' +
    'or set nib.path to the binary.'
  );
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
