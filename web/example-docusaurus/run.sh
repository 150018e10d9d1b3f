#!/usr/bin/env bash
# Starts the Portcullis server on http://localhost:4000 and this example Docusaurus site on
# http://localhost:3000, to try sign-up, sign-in (by e-mail, or by username: the server runs with
# --username; or by a code sent by e-mail: --email-otp, which also makes the forgotten password's
# page mail a code instead of a link; or by a link sent by e-mail: --magic-link; or with a passkey:
# --passkey, its rp id localhost, the host of both), the user menu and the gated page in a browser,
# the administration page (/admin: the server runs with --admin, and --admin-impersonation for
# its "Sign in as this user"), organizations (/organizations, linked from the user menu, and
# /accept-invitation where the mailed invitations lead: --organization with
# --organization-invitation-url), and API keys on the account page (--api-key). Make the first
# administrator with `build/release/native-server/portcullis user set-role --email E --role admin
# --database portcullis.db` (see docs/administration.md). (The repository's run command, scripts/run.sh, runs this.)
#
#   web/example-docusaurus/run.sh          (or: npm run example)
#   SERVER_PORT=4100 SITE_PORT=3100 web/example-docusaurus/run.sh
#
# The two are different origins of the same site (localhost), so the server's SameSite=Lax session
# cookie travels with the site's credentialed fetches; the server trusts the site's origin (CORS).
# Mail (verification links, reset and sign-in codes, sign-in links, the codes of two-step verification by e-mail, invitations) goes to the
# repository's outbox/ folder, as scripts/run.sh sets it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
SERVER_PORT=${SERVER_PORT:-4000}
SITE_PORT=${SITE_PORT:-3000}

(cd "$repo" && scripts/install-deps.sh && { [ -f dist/portcullis-dictionary.bin ] || npm run build:wasm; })
[ -d "$here/node_modules/@docusaurus/core" ] || (cd "$here" && npm install --no-audit --no-fund)

"$repo/scripts/run.sh" --server-only --port "$SERVER_PORT" --base-url "http://localhost:$SERVER_PORT" \
  --trusted-origins "http://localhost:$SITE_PORT" --change-email-enabled true --two-factor true \
  --two-factor-otp true --admin true --admin-impersonation true --username true --email-otp true \
  --magic-link true --passkey true --last-login-method true --organization true \
  --organization-invitation-url "http://localhost:$SITE_PORT/accept-invitation?id={id}" --api-key true &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT INT TERM

cd "$here"
PORTCULLIS_SERVER_URL="http://localhost:$SERVER_PORT" npx docusaurus build
echo "Open http://localhost:$SITE_PORT/ (the server, with a plain page, is http://localhost:$SERVER_PORT/). Ctrl-C stops both."
npx docusaurus serve --host localhost --port "$SITE_PORT" --no-open
