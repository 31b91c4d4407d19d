// package.json as the tests read it, and the settings VS Code would give with nothing set.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { ExtensionSettings, normalizeSettings } from '../settings';

/** The extension's folder (this file runs from out/test/). */
export const extensionRoot = path.resolve(__dirname, '..', '..');

export interface Manifest {
  engines: { vscode: string };
  main: string;
  activationEvents: string[];
  devDependencies: Record<string, string>;
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as Manifest;
}

/** The settings from the defaults package.json declares, as `readSettings` reads them. */
export function defaultSettings(): ExtensionSettings {
  const properties = readManifest().contributes.configuration.properties;
  const raw = Object.fromEntries(Object.entries(properties).map(([key, p]) => [key.replace(/^nib\./, ''), p.default]));
  return normalizeSettings(raw);
}
