--- :NibToggle and :NibStatus. Created by plugin/nib.lua and again by setup(), for
--- installs that put the plugin on the runtimepath after startup.
local M = {}

local function status_lines()
  local status = require('nib').status
  local client = status.client_id and vim.lsp.get_client_by_id(status.client_id)
  local lines = {
    ('server: %s'):format(client and ('running (client %d)'):format(client.id) or 'not started'),
    ('model: %s'):format(
      status.ready and ('ready (loaded in %d ms)'):format(status.load_ms) or 'not ready yet'
    ),
    ('ghost text: %s%s'):format(status.ghost_text or 'off', status.enabled and '' or ' (turned off)'),
  }
  if status.error then
    lines[#lines + 1] = 'last error: ' .. status.error
  end
  return lines
end

function M.create()
  vim.api.nvim_create_user_command('NibToggle', function()
    local nib = require('nib')
    nib.enable()
    vim.notify('nib: ghost text ' .. (nib.status.enabled and 'on' or 'off'))
  end, { desc = 'Turn nib ghost text on or off' })

  vim.api.nvim_create_user_command('NibStatus', function()
    vim.notify(table.concat(status_lines(), '\n'))
  end, { desc = 'Show whether nib is running and its model is loaded' })
end

return M
