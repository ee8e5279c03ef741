#!/usr/bin/env bash
# `make run`: the demo tools behind a managed nginx (`portico up`) when nginx is installed or
# installable, else `portico serve` alone. Prints how to reach it.
set -euo pipefail
# The demo pack plus examples/python-stdio/server.py, published through the stdio bridge.
config=examples/python-stdio/portico.yaml
bin=${1:-.build/release/portico}
host=${2:-127.0.0.1}
port=${3:-8080}
body='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
headers="-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list'"

if scripts/ensure-nginx.sh; then
  https_port=${HTTPS_PORT:-8443}
  url="https://localhost:${https_port}/mcp"
  cat <<MSG
Portico demo stack: nginx (TLS 1.3, HTTP/2) on ${url} -> the app on loopback, serving the
demo tools and examples/python-stdio/server.py (a Python stdio MCP server) through the bridge.
plain HTTP on :${port} redirects (the MCP endpoint answers only over HTTPS); nginx status on 127.0.0.1:8081.
A development certificate for localhost is made in .portico/tls/ (trust it with --cacert).

List the tools (2026-07-28, one stateless request):
  curl -s --cacert .portico/tls/dev-cert.pem ${url} ${headers} \\
    -d '${body}'

Python SDK (mcp==2.3.0): see README, "Two commands". Ctrl-C stops both; kill -HUP reloads the edge.
Metrics: curl -s http://127.0.0.1:9464/metrics   Live view: ${bin} status   Check the stack: ${bin} doctor -c ${config}
MSG
  exec "$bin" up --config "$config" --state-dir .portico --address "$host" --https-port "$https_port" --http-port "$port" --status-port 8081
fi

url="http://${host}:${port}/mcp"
cat <<MSG
nginx is not available here: serving without the edge on ${url}

List the tools (2026-07-28, one stateless request):
  curl -s ${url} ${headers} \\
    -d '${body}'

Point an MCP client (Inspector, VS Code, Claude Desktop via a tunnel) at ${url}. Ctrl-C stops.
Metrics: curl -s http://127.0.0.1:9464/metrics   Live view: ${bin} status
MSG
exec "$bin" serve --config "$config" --host "$host" --port "$port"
