-- call.lua: wrk script sending MCP `tools/call echo {"text":"hello"}`, one unique JSON-RPC id per request.
--
-- Environment:
--   MODE     modern (default): 2026-07-28, stateless, _meta in params, Mcp-Method/Mcp-Name headers
--            legacy: 2025-11-25 inside initialized sessions (needs SIDS)
--   SIDS     comma-separated Mcp-Session-Id values (legacy); requests rotate over them, so the
--            sessions are spread over every connection of every thread
--   MCPPATH  endpoint path (default /mcp)
--   AUTHORIZATION  value of an Authorization header sent with every request (bench/auth.py)
--   CHECK    1 (default): look at every reply and count those that are not HTTP 200 carrying a
--            JSON-RPC "result" (wrk itself only counts HTTP statuses > 399); 0 skips the body
--            parse for the leanest possible client
--
-- done() prints one machine-readable line, parsed by bench/report.py:
--   RESULT requests=N duration_us=N rps=X p50_us=N p99_us=N bad=N status_errors=N socket_errors=N

local mode = os.getenv("MODE") or "modern"
local path = os.getenv("MCPPATH") or "/mcp"
local check = (os.getenv("CHECK") or "1") ~= "0"

local sids = {}
for s in string.gmatch(os.getenv("SIDS") or "", "[^,]+") do table.insert(sids, s) end
if mode == "legacy" and #sids == 0 then
  error("MODE=legacy needs SIDS=<session id>[,<session id>...]")
end
if mode ~= "legacy" and mode ~= "modern" then
  error("MODE must be modern or legacy, got " .. mode)
end

-- Setup phase (its own Lua state): number the threads so ids never collide across threads.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- Running phase (one Lua state per thread).
-- Ids are tid * 10^9 + counter: always 10 digits (tid 1-9, counter < 10^9), so every request of a
-- run has the same length and the reply the same size (the ceiling's constant body matches it).
-- The request is prebuilt around the id: per request only a string concatenation, no wrk.format.
local prefixes, suffix = {}, nil
local counter = 0
bad = 0 -- global: done() reads it per thread with thread:get("bad")

local function split_around_id(headers, body_before, body_after)
  local marker = "@@ID@@"
  local full = wrk.format("POST", path, headers, body_before .. marker .. body_after)
  -- Content-Length must count the real 10-digit id, not the 6-byte marker.
  full = full:gsub("Content%-Length: %d+", "Content-Length: " .. (#body_before + 10 + #body_after))
  local at = full:find(marker, 1, true)
  return full:sub(1, at - 1), full:sub(at + #marker)
end

function init(args)
  assert(tid <= 9, "at most 9 wrk threads (ids are 10 digits)")
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
  }
  local authorization = os.getenv("AUTHORIZATION")
  if authorization and authorization ~= "" then headers["Authorization"] = authorization end
  local before = '{"jsonrpc":"2.0","id":'
  local after
  if mode == "modern" then
    headers["MCP-Protocol-Version"] = "2026-07-28"
    headers["Mcp-Method"] = "tools/call"
    headers["Mcp-Name"] = "echo"
    after = ',"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},'
      .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
      .. '"io.modelcontextprotocol/clientCapabilities":{}}}}'
    prefixes[1], suffix = split_around_id(headers, before, after)
  else
    headers["MCP-Protocol-Version"] = "2025-11-25"
    after = ',"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
    for i, sid in ipairs(sids) do
      headers["Mcp-Session-Id"] = sid
      prefixes[i], suffix = split_around_id(headers, before, after)
    end
  end
end

function request()
  counter = counter + 1
  local prefix = prefixes[(counter % #prefixes) + 1]
  return prefix .. (tid * 1000000000 + counter) .. suffix
end

local function reply_ok(status, headers, body)
  -- JSON reply or one SSE event: either way the JSON-RPC result is in the body.
  return status == 200 and body:find('"result"', 1, true) ~= nil and body:find('hello', 1, true) ~= nil
end

if check then
  function response(status, headers, body)
    if not reply_ok(status, headers, body) then
      bad = bad + 1
      if bad <= 3 then io.stderr:write("unexpected reply: ", status, " ", body:sub(1, 300), "\n") end
    end
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do total_bad = total_bad + (thread:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d bad=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), total_bad, e.status,
    e.connect + e.read + e.write + e.timeout))
end
