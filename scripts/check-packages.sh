#!/usr/bin/env bash
# Checks every library under packages/ as it would be published: packs it with pnpm (publishConfig applied,
# workspace: ranges rewritten), then runs publint (warnings count as errors) and attw (@arethetypeswrong/cli)
# on that tarball, and checks the metadata a registry page shows and the LICENSE beside it. attw gets the
# tarball rather than `--pack`, which packs with npm and so would check the exports map that is not published.
# Exits non-zero if any package has any problem. Needs `pnpm build` first.
#   bash scripts/check-packages.sh [packages/<name> ...]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(packages/*)
failed=()
for dir in "${dirs[@]}"; do
  dir=${dir%/}
  name=$(node -p "require('./$dir/package.json').name")
  echo "::: $name ($dir)"
  problems=0
  node scripts/check-package-metadata.mjs "$dir" || problems=1
  if [ ! -d "$dir/dist" ]; then
    echo "$dir/dist is missing: run \`pnpm build\` first"
    failed+=("$name")
    continue
  fi
  mkdir -p "$scratch/$name"
  if ! (cd "$dir" && pnpm pack --pack-destination "$scratch/$name" > /dev/null); then
    echo "pnpm pack failed in $dir"
    failed+=("$name")
    continue
  fi
  tarball=$(ls "$scratch/$name"/*.tgz)
  publint run --strict "$tarball" || problems=1
  attw --format ascii --no-color "$tarball" || problems=1
  [ "$problems" -eq 0 ] || failed+=("$name")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "check-packages: problems in ${failed[*]}"
  exit 1
fi
echo "check-packages: ${#dirs[@]} packages pass publint, attw and the metadata check"
