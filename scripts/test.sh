#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the native release build, the sanitizer build
# (clang; with the fuzz targets) and the WebAssembly build (warnings are errors in all three), then runs ctest on both native
# builds (the store's conformance suite on SQLite and on a PostgreSQL server this script starts,
# the fuzz targets replayed on their seed corpora among them), fuzzes the core and the
# server for a while (clang's libFuzzer), and runs Node's test runner on the server binary
# (BetterAuth's client, hostile input, races), the FastAPI and nginx deployment tests, the wasm
# build and the npm package, the web client and React components, and the example Docusaurus
# site end to end in headless Chromium.
#
#   scripts/test.sh             everything
#   scripts/test.sh --no-asan   skip the AddressSanitizer/UBSan build and the fuzzing (faster local runs)
#   PORTCULLIS_FUZZ_SECONDS=N   fuzz each target N seconds (default 30; 0: no fuzzing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

asan=1
# Seconds each fuzz target runs (PORTCULLIS_FUZZ_SECONDS=0: no fuzzing).
fuzz_seconds=${PORTCULLIS_FUZZ_SECONDS:-30}
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "test: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "PostgreSQL for the tests (127.0.0.1, stopped when this script ends)"
pg_dir=$(mktemp -d)
trap 'scripts/test-postgres.sh stop "$pg_dir"' EXIT
PORTCULLIS_TEST_POSTGRES=$(scripts/test-postgres.sh start "$pg_dir")
export PORTCULLIS_TEST_POSTGRES
echo "  $PORTCULLIS_TEST_POSTGRES"

presets=(release)
[ "$asan" = 1 ] && presets+=(asan)
for preset in "${presets[@]}"; do
  step "native build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  step "native tests: $preset"
  ctest --preset "$preset"
done

if [ "$asan" = 1 ] && [ "$fuzz_seconds" != 0 ]; then
  step "fuzzing: the fuzz targets (the asan build's libFuzzer binaries), ${fuzz_seconds} s each"
  # Each from its seed corpus (tests/fuzz/corpus/<target>, only read here) and a scratch corpus. A
  # crash or a broken property stops it with the input in build/asan/fuzz-<target>-crash-* (add
  # it to the seed corpus once fixed); so does any single input that takes over 5 s (-timeout: a
  # hang, not a speed limit; the estimator's bound is bench/strength's business).
  for target in strength_fuzz text_fuzz cookie_fuzz http_fuzz webauthn_fuzz; do
    scratch=$(mktemp -d)
    log=build/asan/fuzz-$target.log
    status=0
    build/asan/tests/fuzz/$target -max_total_time="$fuzz_seconds" -timeout=5 -max_len=1200 -print_final_stats=1 \
      -artifact_prefix="build/asan/fuzz-$target-" "$scratch" "tests/fuzz/corpus/$target" >"$log" 2>&1 ||
      status=$?
    rm -rf "$scratch"
    grep -E '^(Done|stat::number_of_executed_units)' "$log" | sed "s/^/  $target: /"
    if [ "$status" != 0 ]; then
      tail -n 40 "$log" >&2
      echo "fuzzing: $target failed (exit $status): $log and build/asan/fuzz-$target-*" >&2
      exit 1
    fi
  done
fi

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
