// The extension's settings and how they map to the keys nib reads (README.md, Settings).

/**
 * VS Code language ids nib completes, each with nib's own id for it
 * (grammars/languages.toml: `lsp-ids` -> `id`).
 */
export const LANGUAGES: Readonly<Record<string, string>> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
  rust: 'rust',
  go: 'go',
};

/** The extension's settings as VS Code holds them (section `nib`, camelCase keys). */
export interface ExtensionSettings {
  enable: boolean;
  /** Path to the nib binary; empty = look on PATH, then in the extension's bin/. */
  path: string;
  model: string;
  /**
   * Which LoRA adapter specializes the model: `auto`, `none`, an adapter's name or a path
   * to an adapter manifest `.toml`.
   */
  adapter: string;
  /** The three budgets: `null` leaves them to the model's defaults (its manifest's). */
  maxTokens: number | null;
  threads: number | null;
  contextTokens: number | null;
  deadlineMs: number | null;
  minConfidence: number;
  /** The larger model unsure requests go to: a model name or a server object; `null` for none. */
  escalateTo: unknown;
  /** `never`, `low-confidence` or `always`. */
  escalate: string;
  /** Per-language switches keyed by VS Code language id (nib's ids are accepted too). */
  languages: Record<string, unknown>;
}

/** Settings that only the extension reads; everything else goes to nib. */
export const EXTENSION_ONLY_KEYS = ['enable', 'path'] as const;

/** Each setting nib reads, by its VS Code key, with nib's key. */
export const NIB_KEYS = {
  model: 'model',
  adapter: 'adapter',
  maxTokens: 'max_tokens',
  threads: 'threads',
  contextTokens: 'context_tokens',
  deadlineMs: 'deadline_ms',
  minConfidence: 'min_confidence',
  escalateTo: 'escalate_to',
  escalate: 'escalate',
  languages: 'languages',
} as const satisfies Partial<Record<keyof ExtensionSettings, string>>;

/** Every key of `ExtensionSettings`, in the order package.json lists them. */
export const SETTING_KEYS = [...EXTENSION_ONLY_KEYS, ...Object.keys(NIB_KEYS)] as (keyof ExtensionSettings)[];

/**
 * The settings from VS Code's values for the section. The extension's own keys get their
 * type here; nib's go on as they are, for nib to check.
 */
export function normalizeSettings(raw: Record<string, unknown>): ExtensionSettings {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const languages = raw.languages;
  return {
    ...(raw as Partial<ExtensionSettings>),
    enable: raw.enable !== false,
    path: text(raw.path),
    model: text(raw.model),
    languages: typeof languages === 'object' && languages !== null ? (languages as Record<string, unknown>) : {},
  } as ExtensionSettings;
}

/** nib's settings object for `initializationOptions` and `workspace/didChangeConfiguration`. */
export type NibSettings = Record<string, unknown>;

/**
 * Maps the extension's settings to nib's snake_case keys. Unset values (null, an empty
 * string) are left out so nib's own default applies; other values go as they are, so a
 * bad one is reported by nib with the key named.
 */
export function toNibSettings(settings: Partial<ExtensionSettings>): NibSettings {
  const nib: NibSettings = {};
  for (const [key, nibKey] of Object.entries(NIB_KEYS)) {
    const value: unknown = settings[key as keyof ExtensionSettings];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      continue;
    }
    nib[nibKey] = key === 'languages' ? toNibLanguages(value) : value;
  }
  return nib;
}

/**
 * nib has one switch per grammar, VS Code one per language id (`javascript` and
 * `javascriptreact` are both nib's `javascript`): nib's switch is on when any of its ids is
 * on. The finer switch is applied by the extension ({@link languageEnabled}).
 */
function toNibLanguages(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return value; // nib answers with an error naming `languages`
  }
  const nib: Record<string, unknown> = {};
  for (const [id, on] of Object.entries(value as Record<string, unknown>)) {
    const nibId = LANGUAGES[id] ?? id;
    const seen = nib[nibId];
    nib[nibId] = typeof seen === 'boolean' && typeof on === 'boolean' ? seen || on : on;
  }
  return nib;
}

/** Whether the extension asks nib for suggestions in documents of this VS Code language id. */
export function languageEnabled(languages: Record<string, unknown> | undefined, languageId: string): boolean {
  if (!(languageId in LANGUAGES)) {
    return false;
  }
  const switches = languages ?? {};
  return switches[languageId] !== false && switches[LANGUAGES[languageId]] !== false;
}

/** What a settings change asks of the running server. */
export type SettingsChange = 'none' | 'start' | 'stop' | 'restart' | 'notify';

/**
 * nib reads `model` and `threads` only when it starts, and the binary is chosen at start,
 * so changing them restarts the server; so does `adapter`, since nib loads adapters with the
 * model (a shipped adapter's name could switch at runtime, a manifest path cannot). The rest
 * is sent as `workspace/didChangeConfiguration`.
 */
export function settingsChange(before: ExtensionSettings, after: ExtensionSettings): SettingsChange {
  if (!after.enable) {
    return before.enable ? 'stop' : 'none';
  }
  if (!before.enable) {
    return 'start';
  }
  if (
    before.path !== after.path ||
    before.model !== after.model ||
    before.adapter !== after.adapter ||
    before.threads !== after.threads
  ) {
    return 'restart';
  }
  // Compared as set, not as sent: the extension applies the finer language switches itself.
  const same = SETTING_KEYS.every((key) => JSON.stringify(before[key]) === JSON.stringify(after[key]));
  return same ? 'none' : 'notify';
}

/** The arguments after `nib model pull` for the configured model, or why it cannot be pulled. */
export function pullArguments(model: string): { args: string[] } | { problem: string } {
  const name = model.trim();
  if (name === '') {
    return { args: [] };
  }
  if (/[/\\]/.test(name) || name.toLowerCase().endsWith('.gguf')) {
    return {
      problem:
        `nib.model is a file path (${name}); nib model pull fetches models by name ` +
        '(see nib model list). Clear nib.model to pull the default model.',
    };
  }
  return { args: [name] };
}
