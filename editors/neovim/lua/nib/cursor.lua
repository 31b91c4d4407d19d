--- Tells nib where the cursor rests (`nib/cursor`), so that it reads the prompt there
--- before the first key: the first suggestion at a new spot (a file just opened, a jump)
--- then comes sooner. Sent once the cursor has stayed 150 ms on a spot.
local api = vim.api
local M = {}

--- How long the cursor must stay before nib is told, in ms.
M.rest_ms = 150

local buffers = {}

local function tell(buf)
  local state = buffers[buf]
  if not state or api.nvim_get_current_buf() ~= buf then
    return
  end
  local client = vim.lsp.get_client_by_id(state.client_id)
  if not client then
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  client:notify('nib/cursor', params)
end

--- Starts telling nib where the cursor rests in `buf`.
---@param buf integer
---@param client_id integer
function M.attach(buf, client_id)
  if buffers[buf] then
    buffers[buf].client_id = client_id
    return
  end
  local state = {
    client_id = client_id,
    timer = assert(vim.uv.new_timer()),
    augroup = api.nvim_create_augroup('nib.cursor.' .. buf, { clear = true }),
  }
  buffers[buf] = state
  api.nvim_create_autocmd({ 'CursorMoved', 'BufEnter' }, {
    group = state.augroup,
    buffer = buf,
    callback = function()
      state.timer:stop()
      state.timer:start(M.rest_ms, 0, vim.schedule_wrap(function()
        tell(buf)
      end))
    end,
  })
  api.nvim_create_autocmd({ 'BufUnload', 'BufWipeout' }, {
    group = state.augroup,
    buffer = buf,
    callback = function()
      M.detach(buf)
    end,
  })
end

--- Stops telling nib about `buf`.
---@param buf integer
function M.detach(buf)
  local state = buffers[buf]
  if not state then
    return
  end
  buffers[buf] = nil
  state.timer:stop()
  state.timer:close()
  pcall(api.nvim_del_augroup_by_id, state.augroup)
end

return M
