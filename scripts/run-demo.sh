#!/usr/bin/env bash
# Starts `portico serve` with the demo tool pack and prints how to reach it.
set -euo pipefail
bin=${1:-.build/release/portico}
host=${2:-127.0.0.1}
port=${3:-8080}
url="http://${host}:${port}/mcp"
cat <<MSG
Portico demo server: ${url}

List the tools (2026-07-28, one stateless request):
  curl -s ${url} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'

Point an MCP client (Inspector, VS Code, Claude Desktop via a tunnel) at ${url}. Ctrl-C stops.
MSG
exec "$bin" serve --host "$host" --port "$port"
