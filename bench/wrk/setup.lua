-- setup.lua: wrk script measuring legacy (2025-11-25) session setups per second.
--
-- One setup = POST initialize (200 + Mcp-Session-Id) then POST notifications/initialized with that
-- id (202). wrk's request() is not told which connection it serves, so the pairing goes through a
-- per-thread queue: each initialize reply pushes its session id, and the next request() of any
-- connection sends `initialized` for the oldest queued id, else a fresh initialize. With C
-- connections the queue never holds more than C ids, and every session gets its initialized.
--
-- Environment: MCPPATH (default /mcp).
-- done() prints one machine-readable line, parsed by bench/report.py:
--   SETUPS pairs=N duration_us=N setups_per_s=X requests=N p50_us=N p99_us=N bad=N socket_errors=N
-- (p50/p99 are per request, initialize and initialized mixed.)

local path = os.getenv("MCPPATH") or "/mcp"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local init_req, pending, head, tail = nil, {}, 1, 0
local initialized_prefix, initialized_suffix
pairs_done = 0 -- globals: done() reads them with thread:get()
bad = 0

function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
  }
  init_req = wrk.format("POST", path, headers,
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
    .. '"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}')
  -- The initialized request differs only by its session id header: prebuild around it.
  headers["MCP-Protocol-Version"] = "2025-11-25"
  headers["Mcp-Session-Id"] = "@@SID@@"
  local full = wrk.format("POST", path, headers, '{"jsonrpc":"2.0","method":"notifications/initialized"}')
  local at = full:find("@@SID@@", 1, true)
  initialized_prefix, initialized_suffix = full:sub(1, at - 1), full:sub(at + 7)
end

function request()
  if head <= tail then
    local sid = pending[head]
    pending[head] = nil
    head = head + 1
    return initialized_prefix .. sid .. initialized_suffix
  end
  return init_req
end

local function session_id(headers)
  local sid = headers["Mcp-Session-Id"] or headers["mcp-session-id"]
  if sid then return sid end
  for k, v in pairs(headers) do
    if k:lower() == "mcp-session-id" then return v end
  end
  return nil
end

function response(status, headers, body)
  if status == 202 then
    pairs_done = pairs_done + 1
  elseif status == 200 then
    local sid = session_id(headers)
    if sid then
      tail = tail + 1
      pending[tail] = sid
    else
      bad = bad + 1
    end
  else
    bad = bad + 1
    if bad <= 3 then io.stderr:write("unexpected reply: ", status, " ", body:sub(1, 300), "\n") end
  end
end

function done(summary, latency, requests)
  local total_pairs, total_bad = 0, 0
  for _, thread in ipairs(threads) do
    total_pairs = total_pairs + (thread:get("pairs_done") or 0)
    total_bad = total_bad + (thread:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "SETUPS pairs=%d duration_us=%d setups_per_s=%.1f requests=%d p50_us=%d p99_us=%d bad=%d socket_errors=%d\n",
    total_pairs, summary.duration, total_pairs / (summary.duration / 1e6), summary.requests,
    latency:percentile(50), latency:percentile(99), total_bad, e.connect + e.read + e.write + e.timeout))
end
