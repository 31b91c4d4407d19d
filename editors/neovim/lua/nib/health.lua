--- :checkhealth nib
local M = {}

function M.check()
  local health = vim.health
  local options = require('nib.config').options
  local status = require('nib').status

  health.start('nib')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim 0.11 or newer is needed (vim.lsp.config)')
  end

  local exe = options.cmd[1]
  if vim.fn.executable(exe) == 1 then
    local version = vim.fn.system({ exe, '--version' })
    health.ok(('%s: %s'):format(vim.fn.exepath(exe), vim.trim(version)))
  else
    health.error(('%s is not on PATH'):format(exe), {
      'From the nib repository: cargo install --path .',
      'Then fetch the model: nib model pull',
      "Or point the plugin at the binary: require('nib').setup({ cmd = { '/path/to/nib', 'serve' } })",
    })
  end

  if status.ghost_text == 'builtin' then
    health.ok("ghost text: Neovim's vim.lsp.inline_completion")
  elseif status.ghost_text == 'nib' then
    health.ok("ghost text: nib's own inline completion client")
  else
    health.info('ghost text: off')
  end

  if not status.client_id then
    health.info('nib has not started yet: open a file of one of ' .. table.concat(options.filetypes, ', '))
  elseif status.ready then
    health.ok(('model loaded in %d ms'):format(status.load_ms))
  elseif status.error then
    health.error(status.error, { 'Run `nib doctor` in a terminal' })
  else
    health.warn('the model is still loading (or failed quietly): run `nib doctor` in a terminal')
  end
end

return M
