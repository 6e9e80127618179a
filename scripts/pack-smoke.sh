#!/usr/bin/env bash
# Installs the packed tarball of a library (default @botmm/quoter) into a scratch project outside the repo
# and uses it from both `import` (ESM) and `require` (CJS), on the project's Node 24 and on the machine's own
# Node if that differs. Needs `pnpm build` first. No network: the tarball has no runtime dependencies.
#   bash scripts/pack-smoke.sh [package-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-packages/quoter}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

(cd "$dir" && pnpm pack --pack-destination "$scratch" > /dev/null)
tarball=$(ls "$scratch"/*.tgz)
name=$(node -p "require('./$dir/package.json').name")
cd "$scratch"
echo '{ "name": "scratch-consumer", "private": true }' > package.json
npm install --no-audit --no-fund --offline "$tarball" > /dev/null

cat > esm.mjs <<JS
import { basicQuote, glftQuote } from "$name";
const q = basicQuote({ midPrice: 60000, volatilityBps: 5, inventoryUsd: 0 });
if (!(q.bidPrice < 60000 && q.askPrice > 60000)) throw new Error("ESM: bad quote " + JSON.stringify(q));
if (typeof glftQuote !== "function") throw new Error("ESM: glftQuote missing");
console.log("esm ok", q.bidPrice.toFixed(2), q.askPrice.toFixed(2));
JS
cat > cjs.cjs <<JS
const { basicQuote } = require("$name");
const q = basicQuote({ midPrice: 60000, volatilityBps: 5, inventoryUsd: 0 });
if (!(q.bidPrice < 60000 && q.askPrice > 60000)) throw new Error("CJS: bad quote " + JSON.stringify(q));
console.log("cjs ok", q.bidPrice.toFixed(2), q.askPrice.toFixed(2));
JS
cat > types.ts <<JS
import { basicQuote, type BasicQuote } from "$name";
const q: BasicQuote = basicQuote({ midPrice: 60000, volatilityBps: 5, inventoryUsd: 0 });
export const spread: number = q.askPrice - q.bidPrice;
JS

nodes=("$OLDPWD/node_modules/.bin/node")
system_node=$(PATH=$(echo "$PATH" | tr ':' '\n' | grep -v node_modules | paste -sd:) command -v node || true)
[ -n "$system_node" ] && nodes+=("$system_node")
for bin in "${nodes[@]}"; do
  echo "$name with node $("$bin" --version):"
  "$bin" esm.mjs
  "$bin" cjs.cjs
done
"$OLDPWD/node_modules/.bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext --skipLibCheck false types.ts
echo "types ok: the .d.ts resolve under moduleResolution nodenext"
