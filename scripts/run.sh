#!/usr/bin/env bash
# The main job: installs what the native server needs, builds it (release), and starts it.
#
#   scripts/run.sh [serve options...]     default: --host 127.0.0.1 --port 3000
#
# Stop it with Ctrl-C (SIGINT) or SIGTERM; in-flight requests finish first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh --native-only
cmake --preset release >/dev/null
cmake --build --preset release --target portcullis
[ $# -gt 0 ] || set -- --host 127.0.0.1 --port 3000
exec build/release/native-server/portcullis serve "$@"
