#!/usr/bin/env bash
# The main job: installs what the native server needs, builds it (release), and starts it on an
# embedded SQLite file (portcullis.db) with a page at http://127.0.0.1:3000/ where a person can
# sign up and sign in. Mail (verification, password reset) goes to the outbox/ folder as JSON.
#
#   scripts/run.sh [serve options...]      e.g. --port 4000; see build/release/native-server/portcullis --help
#
# The cookie-signing secret is made once and kept in .portcullis-secret (not committed), unless
# BETTER_AUTH_SECRET is set. Stop with Ctrl-C (SIGINT) or SIGTERM; in-flight requests finish first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh --native-only
cmake --preset release >/dev/null
cmake --build --preset release --target portcullis
if [ -z "${BETTER_AUTH_SECRET:-}" ]; then
  [ -s .portcullis-secret ] || (umask 077 && head -c 36 /dev/urandom | base64 >.portcullis-secret)
  BETTER_AUTH_SECRET=$(cat .portcullis-secret)
  export BETTER_AUTH_SECRET
fi
exec build/release/native-server/portcullis serve --database portcullis.db --static-dir web/demo \
  --mail outbox --mail-outbox-dir outbox "$@"
