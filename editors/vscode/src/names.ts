// Names the extension shares with package.json; test/unit/manifest.test.ts checks they agree.

/** The configuration section: settings are `nib.<key>`. */
export const SECTION = 'nib';

/** Commands the extension contributes. */
export const COMMANDS = {
  enable: 'nib.enable',
  disable: 'nib.disable',
  restart: 'nib.restart',
  showLog: 'nib.showLog',
  pullModel: 'nib.pullModel',
} as const;

/** The `$/progress` token nib reports model loading with. */
export const LOAD_PROGRESS_TOKEN = 'nib/load';
