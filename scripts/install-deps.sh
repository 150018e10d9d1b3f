#!/usr/bin/env bash
# Installs what Portcullis needs to build and test, and only what is missing.
#
#   scripts/install-deps.sh                 apt packages, libsodium for wasm, npm packages
#   scripts/install-deps.sh --native-only   only what the native server needs (its build reads
#                                           zxcvbn's word lists from the npm packages)
#
# Idempotent: a second run installs nothing and rebuilds nothing. Everything comes from Debian's apt
# archive or the npm registry; nothing is downloaded from anywhere else.
#
# libsodium for WebAssembly is built from Debian's own source package with Debian's emscripten and
# cached outside the source tree in $PORTCULLIS_CACHE (default ~/.cache/portcullis), keyed by the
# libsodium version, so every later build and every fresh clone on this machine reuses it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
native_only=0
for arg in "$@"; do
  case "$arg" in
    --native-only) native_only=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
log() { printf '[install-deps] %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------------------------
packages=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libsodium-dev libcpp-httplib-dev nlohmann-json3-dev catch2 libsqlite3-dev libpq-dev libicu-dev
  libcurl4-openssl-dev libssl-dev libcbor-dev sqlite3 python3-aiosmtpd openssl nodejs npm
  # The FastAPI integration and its tests (Debian's, run by /usr/bin/python3).
  python3-fastapi python3-uvicorn python3-httpx python3-venv python3-jwt python3-cryptography
  # Prometheus's own parser, which the metrics test reads the server's /metrics with.
  python3-prometheus-client
  # The deployment tests: nginx in front of the server (started by the tests, as this user);
  # PostgreSQL for the store's tests (a throwaway cluster, scripts/test-postgres.sh).
  nginx-light postgresql
  # The core's fuzz targets: clang and its libFuzzer.
  clang libclang-rt-14-dev
)
# The WebAssembly build, the npm package and its browser tests.
[ "$native_only" = 1 ] || packages+=(emscripten autoconf automake libtool dpkg-dev chromium)
missing=()
for p in "${packages[@]}"; do
  # A machine whose Node.js comes from elsewhere (nodesource, nvm) already has node and npm.
  case "$p" in nodejs|npm) command -v "${p/nodejs/node}" >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { "${sudo_cmd[@]}" apt-get update -qq; apt_updated=1; }; }
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt: all packages present"
fi

# --- npm packages ------------------------------------------------------------------------------
stamp="$here/node_modules/.portcullis-lock-hash"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "npm: node_modules matches package-lock.json"
else
  log "npm: installing from package-lock.json"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi

if [ "$native_only" = 1 ]; then
  log "done (native only)"
  exit 0
fi

# --- libsodium for WebAssembly -----------------------------------------------------------------
# shellcheck source=../emsdk.env
source "$here/emsdk.env"
if [ -f "$PORTCULLIS_SODIUM_WASM/lib/libsodium.a" ]; then
  log "libsodium (wasm) cached: $PORTCULLIS_SODIUM_WASM"
else
  log "libsodium (wasm): building $PORTCULLIS_SODIUM_VERSION from Debian's source package"
  src_list=/etc/apt/sources.list.d/portcullis-deb-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    # The same archive entries as the binary ones, for source packages.
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      | "${sudo_cmd[@]}" tee "$src_list" >/dev/null
    apt_updated=0
  fi
  apt_update
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get source --download-only -qq "libsodium=$PORTCULLIS_SODIUM_VERSION")
  tarball=$(ls "$work"/libsodium_*.orig.tar.* | head -n1)
  mkdir "$work/src"
  tar -xf "$tarball" -C "$work/src" --strip-components=1
  staging="$PORTCULLIS_SODIUM_WASM.tmp.$$"
  (
    cd "$work/src"
    ./autogen.sh -s >/dev/null 2>&1
    # Full build (not --enable-minimal): scrypt is needed to verify BetterAuth's password hashes.
    emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$staging" \
      --disable-shared --enable-static --without-pthreads --disable-ssp --disable-asm \
      CFLAGS="-O3" >/dev/null 2>&1
    emmake make -j"$(nproc)" >/dev/null
    emmake make install >/dev/null
  )
  mkdir -p "$(dirname "$PORTCULLIS_SODIUM_WASM")"
  rm -rf "$PORTCULLIS_SODIUM_WASM"
  mv "$staging" "$PORTCULLIS_SODIUM_WASM"
  log "libsodium (wasm) installed in $PORTCULLIS_SODIUM_WASM"
fi

log "done"
