#!/usr/bin/env bash
# Installs nginx (and the curl/openssl the edge tests use) when missing and installable.
# Exit 0 when nginx is available afterwards, 1 when it is not (no apt-get, no root, no network).
set -uo pipefail
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
missing=()
for tool in nginx curl openssl; do have "$tool" || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo -n"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nginx: ${missing[*]} missing and apt-get is not available" >&2
  exit 1
fi
echo "ensure-nginx: installing ${missing[*]} (apt-get)" >&2
# Debian starts the packaged nginx on port 80 unless told not to; the edge runs its own.
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
    echo "ensure-nginx: could not install ${missing[*]}" >&2
    exit 1
  }
fi
have nginx
