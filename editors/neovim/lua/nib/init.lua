--- nib for Neovim 0.11+: registers the nib language server, shows its suggestions as
--- ghost text (Neovim's inline completion on 0.12+, nib's own client on 0.11) and,
--- optionally, as a completion item.
local config = require('nib.config')
local ghost = require('nib.ghost')
local builtin = require('nib.builtin')
local cursor = require('nib.cursor')

local api = vim.api
local M = {}

--- What the plugin knows about the server: `ready` turns true when nib logs that its
--- model is loaded (suggestions before that are empty); `error` is the last error nib showed.
---@class nib.Status
---@field ready boolean
---@field load_ms? integer
---@field error? string
---@field client_id? integer
---@field ghost_text? "builtin"|"nib"
---@field enabled boolean
M.status = { ready = false, enabled = true }

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.WARN, { title = 'nib' })
end

---@param mode "auto"|"builtin"|"nib"|false
---@return "builtin"|"nib"|nil
local function ghost_backend(mode)
  if mode == false then
    return nil
  end
  if mode == 'nib' then
    return 'nib'
  end
  if builtin.available() then
    return 'builtin'
  end
  if mode == 'builtin' then
    notify("nib: ghost_text = 'builtin' needs Neovim 0.12 (vim.lsp.inline_completion); using nib's own client")
  end
  return 'nib'
end

local function on_log_message(err, result, ctx)
  local default = vim.lsp.handlers['window/logMessage']
  if default then
    default(err, result, ctx)
  end
  local load_ms = result and tostring(result.message):match('^nib: model ready in (%d+) ms')
  if load_ms then
    M.status.ready = true
    M.status.load_ms = tonumber(load_ms)
    -- Ask at once so the first suggestion does not wait for the next keystroke.
    vim.schedule(function()
      if M.status.ghost_text == 'nib' and M.status.enabled then
        ghost.request(api.nvim_get_current_buf())
      end
    end)
  end
end

local function on_show_message(err, result, ctx)
  if result and result.type == vim.lsp.protocol.MessageType.Error then
    M.status.error = result.message
  end
  local default = vim.lsp.handlers['window/showMessage']
  if default then
    return default(err, result, ctx)
  end
end

--- A completion item's text for Neovim's completion menu: the whole first line of the
--- edit, where Neovim's default would stop at the first blank of a multi-word suggestion.
local function completion_entry(item)
  local edit = item.textEdit
  if edit and edit.newText then
    return { word = vim.split(edit.newText, '\n', { plain = true })[1] }
  end
  return {}
end

local function on_attach(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  if not client or client.name ~= 'nib' then
    return
  end
  M.status.client_id = client.id
  cursor.attach(args.buf, client.id)
  if M.status.ghost_text == 'nib' then
    ghost.attach(args.buf, client.id)
  end
  if config.options.completion then
    vim.lsp.completion.enable(true, client.id, args.buf, { convert = completion_entry })
  end
end

local function on_detach(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  if client and client.name == 'nib' then
    ghost.detach(args.buf)
    cursor.detach(args.buf)
  end
end

--- Accepts the suggestion shown at the cursor; false when there is none.
--- Safe to call from an `expr` mapping: the edit happens right after it returns.
---@return boolean
function M.accept()
  if M.status.ghost_text == 'builtin' then
    return builtin.accept()
  end
  if not ghost.visible() then
    return false
  end
  vim.schedule(function()
    ghost.accept()
  end)
  return true
end

--- Accepts the suggestion up to the end of its next word; false when there is none.
---@return boolean
function M.accept_word()
  if M.status.ghost_text == 'builtin' then
    return builtin.accept_word()
  end
  if not ghost.visible() then
    return false
  end
  vim.schedule(function()
    ghost.accept_word()
  end)
  return true
end

--- Hides the suggestion until the next edit; false when there is none (and on 0.12's
--- built-in inline completion, which has no way to dismiss).
---@return boolean
function M.dismiss()
  if M.status.ghost_text ~= 'nib' or not ghost.visible() then
    return false
  end
  vim.schedule(function()
    ghost.dismiss()
  end)
  return true
end

--- Whether nib's own client shows a suggestion in the current buffer.
---@return boolean
function M.visible()
  return M.status.ghost_text == 'nib' and ghost.visible()
end

--- Turns ghost text on or off (no argument: toggles).
---@param enable? boolean
function M.enable(enable)
  if enable == nil then
    enable = not M.status.enabled
  end
  M.status.enabled = enable
  if M.status.ghost_text == 'builtin' then
    vim.lsp.inline_completion.enable(enable)
  elseif M.status.ghost_text == 'nib' then
    ghost.enabled = enable
    if not enable then
      for _, buf in ipairs(ghost.attached()) do
        ghost.clear(buf)
      end
    end
  end
end

local function map_key(lhs, action, desc)
  if not lhs then
    return
  end
  vim.keymap.set('i', lhs, function()
    if action() then
      return ''
    end
    return lhs
  end, { expr = true, desc = desc })
end

--- Registers nib with Neovim's LSP client and sets up ghost text and keys.
---@param opts? nib.Options|table
function M.setup(opts)
  local options = config.apply(opts)
  if vim.fn.has('nvim-0.11') == 0 then
    notify('nib: needs Neovim 0.11 or newer (vim.lsp.config)', vim.log.levels.ERROR)
    return
  end
  if vim.fn.executable(options.cmd[1]) == 0 then
    notify(
      ('nib: %s is not on PATH: install it from the nib repository with `cargo install --path .`, then run `nib model pull`'):format(
        options.cmd[1]
      )
    )
  end

  api.nvim_set_hl(0, 'NibGhostText', { link = 'Comment', default = true })
  M.status.ghost_text = ghost_backend(options.ghost_text)

  vim.lsp.config('nib', {
    cmd = options.cmd,
    filetypes = options.filetypes,
    -- An empty Lua table would be sent as a JSON array.
    init_options = next(options.settings) and options.settings or nil,
    handlers = {
      ['window/logMessage'] = on_log_message,
      ['window/showMessage'] = on_show_message,
    },
  })

  local group = api.nvim_create_augroup('nib', { clear = true })
  api.nvim_create_autocmd('LspAttach', { group = group, callback = on_attach })
  api.nvim_create_autocmd('LspDetach', { group = group, callback = on_detach })

  if M.status.ghost_text == 'builtin' then
    builtin.enable()
  end
  map_key(options.keys.accept, M.accept, 'nib: accept suggestion')
  map_key(options.keys.accept_word, M.accept_word, 'nib: accept next word of suggestion')
  if M.status.ghost_text == 'nib' then
    map_key(options.keys.dismiss, M.dismiss, 'nib: dismiss suggestion')
  end

  require('nib.commands').create()
  vim.lsp.enable('nib')
end

return M
