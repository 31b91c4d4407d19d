--- nib's own client of textDocument/inlineCompletion, for Neovim without
--- vim.lsp.inline_completion (0.11). Asks after a short quiet time in Insert mode, draws
--- the answer as virtual text at the cursor, keeps it while what is typed matches it,
--- and clears it on any other edit or cursor move.
local config = require('nib.config')

local api = vim.api
local M = {}

M.ns = api.nvim_create_namespace('nib.ghost')

--- Whether to ask for suggestions at all (see require('nib').enable()).
M.enabled = true

local AUTOMATIC = 2 -- lsp.InlineCompletionTriggerKind.Automatic
local REQUEST_CANCELLED = -32800
local CONTENT_MODIFIED = -32801

---@class (private) nib.Shown
---@field row integer 0-based line of the cursor the suggestion starts at
---@field col integer byte column of that cursor
---@field before string the line's text before `col` when it was shown
---@field text string what the suggestion inserts at (row, col)
---@field tail string buffer text after (row, col) that the suggestion replaces (closers it re-types)

---@class (private) nib.BufferState
---@field client_id integer
---@field augroup integer
---@field timer? uv.uv_timer_t
---@field pending? integer id of the request in flight
---@field shown? nib.Shown

---@type table<integer, nib.BufferState>
local buffers = {}

local function cursor()
  local pos = api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

local function line_at(buf, row)
  return api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
end

local function in_insert_mode()
  return api.nvim_get_mode().mode:sub(1, 1) == 'i'
end

local function cancel_pending(state)
  if not state.pending then
    return
  end
  local client = vim.lsp.get_client_by_id(state.client_id)
  if client then
    client:cancel_request(state.pending)
  end
  state.pending = nil
end

--- Removes the suggestion from the screen and forgets it.
---@param buf integer
function M.clear(buf)
  local state = buffers[buf]
  if state then
    state.shown = nil
  end
  if api.nvim_buf_is_valid(buf) then
    api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

local function render(buf)
  api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local shown = buffers[buf].shown
  local spaces = string.rep(' ', vim.bo[buf].tabstop)
  local lines = vim.split(shown.text:gsub('\t', spaces), '\n', { plain = true })
  local first = lines[1]
  local position = 'inline'
  if shown.tail ~= '' then
    if #lines == 1 and vim.endswith(first, shown.tail) then
      -- Draw only the new part; the closers it re-types are already on screen.
      first = first:sub(1, #first - #shown.tail)
    else
      position = 'overlay'
    end
  end
  local mark = { hl_mode = 'combine' }
  if first ~= '' then
    mark.virt_text = { { first, 'NibGhostText' } }
    mark.virt_text_pos = position
  end
  if #lines > 1 then
    mark.virt_lines = {}
    for i = 2, #lines do
      mark.virt_lines[#mark.virt_lines + 1] = { { lines[i], 'NibGhostText' } }
    end
  end
  if mark.virt_text or mark.virt_lines then
    api.nvim_buf_set_extmark(buf, M.ns, shown.row, shown.col, mark)
  end
end

--- Keeps the suggestion when the text typed since it was shown is its beginning (showing
--- the rest at the cursor); clears it after any other edit or cursor move.
---@param buf integer
function M.sync(buf)
  local state = buffers[buf]
  local shown = state and state.shown
  if not shown then
    return
  end
  local row, col = cursor()
  if api.nvim_get_current_buf() ~= buf or row ~= shown.row or col < shown.col then
    return M.clear(buf)
  end
  local line = line_at(buf, row)
  local typed = line:sub(shown.col + 1, col)
  local tail_first = vim.split(shown.tail, '\n', { plain = true })[1]
  if
    line:sub(1, shown.col) ~= shown.before
    or not vim.startswith(shown.text, typed)
    or not vim.startswith(line:sub(col + 1), tail_first)
  then
    return M.clear(buf)
  end
  if typed == '' then
    return
  end
  local rest = shown.text:sub(#typed + 1)
  if rest == '' or rest == shown.tail then
    return M.clear(buf)
  end
  shown.col, shown.before, shown.text = col, line:sub(1, col), rest
  render(buf)
end

--- Byte column of an LSP position's character offset on `line`.
local function byte_col(line, character, encoding)
  return vim.str_byteindex(line, encoding, character, false)
end

--- Picks the first item that can be shown at the cursor (row, col) and shows it.
local function show(buf, client, result, row, col)
  if vim.fn.pumvisible() == 1 then
    return M.clear(buf) -- one suggestion at a time: the completion menu is open
  end
  local items = result and (result.items or result) or {}
  local line = line_at(buf, row)
  for _, item in ipairs(items) do
    local text = item.insertText
    if type(text) == 'table' then
      text = text.value -- a snippet: nib sends plain text, so show it as written
    end
    local start_col, end_row, end_col = col, row, col
    local range = item.range
    if range then
      start_col = byte_col(line, range.start.character, client.offset_encoding)
      end_row = range['end'].line
      end_col = byte_col(line_at(buf, end_row), range['end'].character, client.offset_encoding)
    end
    local usable = type(text) == 'string'
      and (not range or range.start.line == row)
      and start_col <= col
      and (end_row > row or (end_row == row and end_col >= col))
    if usable then
      local typed = line:sub(start_col + 1, col)
      local ok, tail = pcall(api.nvim_buf_get_text, buf, row, col, end_row, end_col, {})
      if ok and vim.startswith(text, typed) then
        tail = table.concat(tail, '\n')
        local rest = text:sub(#typed + 1)
        if rest ~= '' and rest ~= tail then
          buffers[buf].shown =
            { row = row, col = col, before = line:sub(1, col), text = rest, tail = tail }
          render(buf)
          return
        end
      end
    end
  end
  M.clear(buf)
end

--- Asks nib for a suggestion at the cursor now, cancelling the request before it.
---@param buf integer
function M.request(buf)
  local state = buffers[buf]
  if not M.enabled or not state or not in_insert_mode() or api.nvim_get_current_buf() ~= buf then
    return
  end
  local client = vim.lsp.get_client_by_id(state.client_id)
  if not client or client:is_stopped() then
    return
  end
  cancel_pending(state)
  local row, col = cursor()
  local tick = api.nvim_buf_get_changedtick(buf)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = AUTOMATIC }
  local id
  local ok
  ok, id = client:request('textDocument/inlineCompletion', params, function(err, result)
    if state.pending == id then
      state.pending = nil
    end
    if err then
      if err.code ~= REQUEST_CANCELLED and err.code ~= CONTENT_MODIFIED then
        vim.notify_once('nib: ' .. tostring(err.message), vim.log.levels.WARN)
      end
      return
    end
    -- An answer for text or a cursor that has moved on is not worth showing.
    if
      not api.nvim_buf_is_valid(buf)
      or api.nvim_get_current_buf() ~= buf
      or not in_insert_mode()
      or api.nvim_buf_get_changedtick(buf) ~= tick
    then
      return
    end
    local now_row, now_col = cursor()
    if now_row ~= row or now_col ~= col then
      return
    end
    show(buf, client, result, row, col)
  end, buf)
  if ok and id then
    state.pending = id
  end
end

--- Asks after `debounce_ms` of quiet; each keystroke restarts the wait.
---@param buf integer
function M.schedule(buf)
  local state = buffers[buf]
  if not state then
    return
  end
  state.timer = state.timer or vim.uv.new_timer()
  state.timer:stop()
  state.timer:start(config.options.debounce_ms, 0, vim.schedule_wrap(function()
    M.request(buf)
  end))
end

---@param buf? integer
---@return boolean
function M.visible(buf)
  buf = buf or api.nvim_get_current_buf()
  return buffers[buf] ~= nil and buffers[buf].shown ~= nil
end

--- The suggestion shown in `buf` (what it would insert at the cursor), or nil.
---@param buf? integer
---@return string?
function M.text(buf)
  buf = buf or api.nvim_get_current_buf()
  local shown = buffers[buf] and buffers[buf].shown
  return shown and shown.text
end

local function row_col_after(row, col, lines)
  return row + #lines - 1, (#lines == 1 and col or 0) + #lines[#lines]
end

--- Inserts the whole suggestion, replacing what it re-types. Returns false when none is shown.
---@param buf? integer
---@return boolean
function M.accept(buf)
  buf = buf or api.nvim_get_current_buf()
  local state = buffers[buf]
  local shown = state and state.shown
  if not shown then
    return false
  end
  M.clear(buf)
  cancel_pending(state)
  local lines = vim.split(shown.text, '\n', { plain = true })
  local tail_end_row, tail_end_col =
    row_col_after(shown.row, shown.col, vim.split(shown.tail, '\n', { plain = true }))
  api.nvim_buf_set_text(buf, shown.row, shown.col, tail_end_row, tail_end_col, lines)
  local row, col = row_col_after(shown.row, shown.col, lines)
  api.nvim_win_set_cursor(0, { row + 1, col })
  return true
end

--- The suggestion's next word (with the blanks before it), or its next run of punctuation.
---@param text string
---@return string
function M.next_word(text)
  return text:match('^%s*[%w_]+') or text:match('^%s*[^%w_%s]+') or text
end

--- Inserts the suggestion up to the end of its next word and keeps showing the rest.
---@param buf? integer
---@return boolean
function M.accept_word(buf)
  buf = buf or api.nvim_get_current_buf()
  local state = buffers[buf]
  local shown = state and state.shown
  if not shown then
    return false
  end
  cancel_pending(state)
  local word = M.next_word(shown.text)
  local lines = vim.split(word, '\n', { plain = true })
  api.nvim_buf_set_text(buf, shown.row, shown.col, shown.row, shown.col, lines)
  local row, col = row_col_after(shown.row, shown.col, lines)
  api.nvim_win_set_cursor(0, { row + 1, col })
  local rest = shown.text:sub(#word + 1)
  if rest == '' or rest == shown.tail then
    M.clear(buf)
  else
    shown.row, shown.col, shown.text = row, col, rest
    shown.before = line_at(buf, row):sub(1, col)
    render(buf)
  end
  return true
end

--- Hides the suggestion until the next edit. Returns false when none is shown.
---@param buf? integer
---@return boolean
function M.dismiss(buf)
  buf = buf or api.nvim_get_current_buf()
  local state = buffers[buf]
  if not (state and state.shown) then
    return false
  end
  cancel_pending(state)
  M.clear(buf)
  return true
end

--- Starts suggesting in `buf` for the nib client `client_id`.
---@param buf integer
---@param client_id integer
function M.attach(buf, client_id)
  if buffers[buf] then
    buffers[buf].client_id = client_id
    return
  end
  local group = api.nvim_create_augroup('nib.ghost.' .. buf, { clear = true })
  buffers[buf] = { client_id = client_id, augroup = group }
  api.nvim_create_autocmd('InsertEnter', {
    group = group,
    buffer = buf,
    callback = function()
      M.schedule(buf)
    end,
  })
  api.nvim_create_autocmd({ 'TextChangedI', 'TextChangedP' }, {
    group = group,
    buffer = buf,
    callback = function()
      M.sync(buf)
      M.schedule(buf)
    end,
  })
  api.nvim_create_autocmd('CursorMovedI', {
    group = group,
    buffer = buf,
    callback = function()
      M.sync(buf)
    end,
  })
  api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, {
    group = group,
    buffer = buf,
    callback = function()
      local state = buffers[buf]
      if state.timer then
        state.timer:stop()
      end
      cancel_pending(state)
      M.clear(buf)
    end,
  })
  api.nvim_create_autocmd({ 'BufUnload', 'BufWipeout' }, {
    group = group,
    buffer = buf,
    callback = function()
      M.detach(buf)
    end,
  })
end

--- Stops suggesting in `buf`.
---@param buf integer
function M.detach(buf)
  local state = buffers[buf]
  if not state then
    return
  end
  buffers[buf] = nil
  if state.timer then
    state.timer:stop()
    state.timer:close()
  end
  cancel_pending(state)
  pcall(api.nvim_del_augroup_by_id, state.augroup)
  if api.nvim_buf_is_valid(buf) then
    api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

--- Buffers nib's client suggests in.
---@return integer[]
function M.attached()
  return vim.tbl_keys(buffers)
end

return M
