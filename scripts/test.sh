#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the native release build, the sanitizer build
# and the WebAssembly build (warnings are errors in all three), then runs ctest on both native
# builds, Node's test runner on the server binary (BetterAuth's client, hostile input, races), the
# FastAPI and nginx deployment tests, the wasm build and the npm package, the web client and React
# components, and the example Docusaurus site end to end in headless Chromium.
#
#   scripts/test.sh             everything
#   scripts/test.sh --no-asan   skip the AddressSanitizer/UBSan build (faster local runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

asan=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "test: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

presets=(release)
[ "$asan" = 1 ] && presets+=(asan)
for preset in "${presets[@]}"; do
  step "native build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  step "native tests: $preset"
  ctest --preset "$preset"
done

step "server tests: the real binary over HTTP (node --test)"
node --test --test-concurrency=1 tests/server/
if [ "$asan" = 1 ]; then
  step "server tests again, on the sanitizer build"
  PORTCULLIS_BIN=build/asan/native-server/portcullis node --test --test-concurrency=1 tests/server/
fi

step "integration tests: FastAPI (uvicorn) and the nginx deployment, on the real server"
node --test --test-concurrency=1 tests/integrations/

step "wasm build"
npm run --silent build:wasm

step "wasm and npm package tests (node --test)"
node --test tests/wasm/

step "web tests: the HTTP client, React components (SSR), Docusaurus plugin, on the real server"
node --test --test-concurrency=1 tests/web/

step "end-to-end: the example Docusaurus site and the server in headless Chromium"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
