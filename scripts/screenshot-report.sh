#!/bin/sh
# Renders an HTML report (DIR/index.html) to DIR/report.png with headless Chromium.
# Usage: scripts/screenshot-report.sh DIR
# Installs Debian's chromium when it is missing and we are root.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 DIR (a folder holding index.html)" >&2
    exit 2
fi
dir=$1
if [ ! -f "$dir/index.html" ]; then
    echo "$0: no $dir/index.html" >&2
    exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update && apt-get install -y chromium
    else
        echo "$0: chromium is not installed (run as root to install it with apt-get)" >&2
        exit 1
    fi
fi
page=$(realpath "$dir/index.html")
png=$(realpath "$dir")/report.png
chromium --headless --no-sandbox --disable-gpu --screenshot="$png" --window-size=1400,2400 "file://$page" >/dev/null 2>&1 || {
    echo "$0: chromium failed" >&2
    exit 1
}
echo "$png"
