#!/usr/bin/env bash
# The main job: installs what is needed, builds, and starts
#   - the server on http://localhost:4000, on an embedded SQLite file (portcullis.db), with a plain
#     sign-up/sign-in page at / and the API at /api/auth; mail (verification, password reset) goes
#     to the outbox/ folder as JSON;
#   - the example Docusaurus site on http://localhost:3000 (web/example-docusaurus): sign-up and
#     sign-in pages with the in-browser validation and strength meter, the forgotten-password
#     pages, an account page (name, e-mail address, password, two-step verification, API keys,
#     devices, deletion), a user menu, a gated page, an administrators' page (/admin: users, roles,
#     bans, sessions), and organizations (/organizations, /accept-invitation). (The example's
#     run.sh starts the server with --change-email-enabled, --two-factor, --two-factor-otp,
#     --admin, --admin-impersonation, --username, --email-otp, --magic-link, --passkey,
#     --last-login-method, --organization with --organization-invitation-url, and --api-key; make
#     yourself an administrator with
#     build/release/native-server/portcullis user set-role --email YOU --role admin --database portcullis.db)
#
#   scripts/run.sh                            both (Ctrl-C stops both)
#   scripts/run.sh --server-only [options]    the server alone; options go to `portcullis serve`,
#                                             e.g. --port 4100 (see portcullis --help)
#
# The cookie-signing secret is made once and kept in .portcullis-secret (not committed), unless
# BETTER_AUTH_SECRET is set. The server stops on SIGINT/SIGTERM after in-flight requests finish.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${1:-}" != "--server-only" ]; then
  [ $# -eq 0 ] || { echo "run: options are for --server-only (see the top of $0)" >&2; exit 2; }
  exec web/example-docusaurus/run.sh
fi
shift

scripts/install-deps.sh --native-only
cmake --preset release >/dev/null
cmake --build --preset release --target portcullis
if [ -z "${BETTER_AUTH_SECRET:-}" ]; then
  [ -s .portcullis-secret ] || (umask 077 && head -c 36 /dev/urandom | base64 >.portcullis-secret)
  BETTER_AUTH_SECRET=$(cat .portcullis-secret)
  export BETTER_AUTH_SECRET
fi
exec build/release/native-server/portcullis serve --port 4000 --database portcullis.db --static-dir web/demo \
  --mail outbox --mail-outbox-dir outbox "$@"
