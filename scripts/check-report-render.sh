#!/usr/bin/env bash
# Renders HTML reports in headless Chromium (Debian's `chromium`) and checks that each is a complete page:
# the title and at least five charts in the DOM, and a non-blank screenshot. Offline: the reports are
# self-contained and Chromium's background networking is off.
#   bash scripts/check-report-render.sh [report.html]
# Without an argument: a 3-day synthetic candle backtest, and the live run report of a simulated hour of
# `live --sim` (the bot against its in-process emulator on 127.0.0.1, read back from its journal).
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
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$work/profile")

# check_page FILE TITLE: the page renders with TITLE, ≥ 5 charts and a non-blank screenshot.
check_page() {
  local report=$1 title=$2 name
  name=$(basename "$report" .html)
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$(realpath "$report")" > "$work/$name.dom.html" 2> "$work/chromium.log"
  timeout 120 "$browser" "${flags[@]}" --window-size=1100,2400 --screenshot="$work/$name.png" "file://$(realpath "$report")" \
    >> "$work/chromium.log" 2>&1
  local charts size
  charts=$(grep -o '<svg' "$work/$name.dom.html" | wc -l)
  size=$(stat -c %s "$work/$name.png")
  if ! grep -q "$title" "$work/$name.dom.html" || [ "$charts" -lt 5 ] || [ "$size" -lt 20000 ]; then
    echo "check-report-render: FAILED $report — title \"$title\" found: $(grep -c "$title" "$work/$name.dom.html"), charts: $charts, screenshot: $size bytes" >&2
    tail -5 "$work/chromium.log" >&2
    exit 1
  fi
  echo "check-report-render: ok — $report: $charts charts rendered, screenshot $size bytes"
}

if [ -n "${1:-}" ]; then
  check_page "$1" "BotMM"
  exit 0
fi

(cd apps/backtest && node --conditions=@botmm/source src/cli.ts --source synthetic --symbol BTCUSDT --days 3 \
  --cache-dir "$work/cache" --no-progress --report "$work/report.html" > "$work/summary.txt")
check_page "$work/report.html" "BotMM candle backtest"

# An hour of simulated time at 600× (a few seconds), then the live report read from the bot's journal.
(cd apps/live && node --conditions=@botmm/source src/cli.ts --sim --sim-seed 1 --sim-speed 600 --duration 60m \
  --status-interval-ms 0 --journal "$work/journal.sqlite" > "$work/live-run.log" 2>&1) ||
  { echo "check-report-render: the --sim run failed" >&2; tail -20 "$work/live-run.log" >&2; exit 1; }
(cd apps/live && node --conditions=@botmm/source src/report/report-cli.ts --journal "$work/journal.sqlite" \
  --report "$work/live.html" > "$work/live-summary.txt")
check_page "$work/live.html" "BotMM live run report"
