#!/usr/bin/env bash
# Renders a backtest's HTML report in headless Chromium (Debian's `chromium`) and checks that it is a
# complete page: the summary and five charts in the DOM, and a non-blank screenshot. Offline: the report is
# self-contained and Chromium's background networking is off.
#   bash scripts/check-report-render.sh [report.html]   (without an argument: a 3-day synthetic run)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "check-report-render: chromium is not installed (Debian: apt-get install chromium)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report=${1:-}
if [ -z "$report" ]; then
  report="$work/report.html"
  (cd apps/backtest && node --conditions=@botmm/source src/cli.ts --source synthetic --symbol BTCUSDT --days 3 \
    --cache-dir "$work/cache" --no-progress --report "$report" > "$work/summary.txt")
fi

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$work/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$(realpath "$report")" > "$work/dom.html" 2> "$work/chromium.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1100,2400 --screenshot="$work/page.png" "file://$(realpath "$report")" \
  >> "$work/chromium.log" 2>&1

charts=$(grep -o '<svg' "$work/dom.html" | wc -l)
size=$(stat -c %s "$work/page.png")
if ! grep -q "BotMM candle backtest" "$work/dom.html" || [ "$charts" -lt 5 ] || [ "$size" -lt 20000 ]; then
  echo "check-report-render: FAILED — title found: $(grep -c 'BotMM candle backtest' "$work/dom.html"), charts: $charts, screenshot: $size bytes" >&2
  tail -5 "$work/chromium.log" >&2
  exit 1
fi
echo "check-report-render: ok — $charts charts rendered, screenshot $size bytes"
