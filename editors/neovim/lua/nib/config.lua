--- nib's options: defaults in one place, merged with what the user passes to setup().
local M = {}

---@class nib.Keys
---@field accept string|false Accept the whole suggestion; falls through when none is shown.
---@field accept_word string|false Accept the suggestion up to the end of its next word.
---@field dismiss string|false Hide the suggestion until the next edit.

---@class nib.Options
---@field cmd string[] How to start the server.
---@field filetypes string[] Filetypes nib attaches to.
---@field settings table nib's settings, sent as LSP initializationOptions (see nib's README).
---@field ghost_text "auto"|"builtin"|"nib"|false Who draws suggestions: "auto" uses Neovim's own inline completion where it exists (0.12+) and nib's client before that.
---@field debounce_ms integer Quiet time after a keystroke before asking (nib's own client).
---@field completion boolean Also offer nib's suggestion as a completion item (vim.lsp.completion).
---@field keys nib.Keys Insert-mode keys; false leaves a key unmapped.
M.defaults = {
  cmd = { 'nib', 'serve' },
  filetypes = {
    'python',
    'javascript',
    'javascriptreact',
    'typescript',
    'typescriptreact',
    'rust',
    'go',
  },
  settings = {},
  ghost_text = 'auto',
  debounce_ms = 75,
  completion = false,
  keys = {
    accept = '<Tab>',
    accept_word = '<C-Right>',
    dismiss = '<C-]>',
  },
}

---@type nib.Options
M.options = vim.deepcopy(M.defaults)

--- Merges user options over the defaults and checks their types.
---@param opts? table
---@return nib.Options
function M.apply(opts)
  opts = opts or {}
  vim.validate('opts', opts, 'table')
  local merged = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace the defaults rather than merging index by index.
  merged.cmd = opts.cmd or M.defaults.cmd
  merged.filetypes = opts.filetypes or M.defaults.filetypes

  vim.validate('cmd', merged.cmd, 'table')
  vim.validate('filetypes', merged.filetypes, 'table')
  vim.validate('settings', merged.settings, 'table')
  vim.validate('debounce_ms', merged.debounce_ms, 'number')
  vim.validate('completion', merged.completion, 'boolean')
  vim.validate('keys', merged.keys, 'table')
  local ghost = merged.ghost_text
  if not (ghost == false or ghost == 'auto' or ghost == 'builtin' or ghost == 'nib') then
    error(('nib: ghost_text must be "auto", "builtin", "nib" or false, got %s'):format(vim.inspect(ghost)))
  end
  M.options = merged
  return merged
end

return M
