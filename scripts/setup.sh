#!/usr/bin/env bash
# Provisions what the project needs on a fresh machine that has only Node (any version ≥ 18) and npm:
# the pinned pnpm from package.json's `packageManager`, then the workspace, whose `node` devDependency
# brings the pinned Node 24 into node_modules/.bin (every pnpm script runs on it).
#   bash scripts/setup.sh            # install (updates the lockfile if package.json changed)
#   bash scripts/setup.sh --frozen   # install exactly what pnpm-lock.yaml says (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing pnpm $want (found: ${have:-none})"
  npm install --global --no-fund --no-audit "pnpm@$want"
fi

if [ "${1:-}" = "--frozen" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi

node_bin="$PWD/node_modules/.bin/node"
echo "setup: pnpm $(pnpm --version), project Node $("$node_bin" --version) at $node_bin"
