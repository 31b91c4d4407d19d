--- Ghost text through Neovim's own inline completion (vim.lsp.inline_completion, 0.12+).
local ghost = require('nib.ghost')

local api = vim.api
local M = {}

--- Whether this Neovim has vim.lsp.inline_completion.
---@return boolean
function M.available()
  local inline = vim.lsp.inline_completion
  return inline ~= nil and type(inline.enable) == 'function'
end

function M.enable()
  vim.lsp.inline_completion.enable(true)
end

--- Accepts the shown candidate; false when there is none.
---@return boolean
function M.accept()
  return vim.lsp.inline_completion.get()
end

--- Inserts the shown candidate up to the end of its next word.
---@return boolean
function M.accept_word()
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      local text = item.insert_text
      if type(text) ~= 'string' then
        text = text.value
      end
      local pos = api.nvim_win_get_cursor(0)
      local row, col = pos[1] - 1, pos[2]
      -- The candidate may start before the cursor (at the start of the typed word).
      if item.range and item.range.start.row == row and item.range.start.col < col then
        local typed = api.nvim_buf_get_text(0, row, item.range.start.col, row, col, {})[1]
        if vim.startswith(text, typed) then
          text = text:sub(#typed + 1)
        end
      end
      local lines = vim.split(ghost.next_word(text), '\n', { plain = true })
      api.nvim_buf_set_text(0, row, col, row, col, lines)
      api.nvim_win_set_cursor(0, { row + #lines, (#lines == 1 and col or 0) + #lines[#lines] })
    end,
  })
end

return M
