#!/usr/bin/env bash
# End-to-end benchmark: the from-audio job (16 MiB WAV in, 4 MiB of audio out) against a loopback
# server, run by the crate's `from-audio` example, a hand-written floor and async-openai 0.43,
# paired; prints peak RSS and CPU medians with ratios to the floor.
#
# Usage: bench/e2e/run.sh [--rounds N] [--in-bytes N] [--out-bytes N] [--chunked]
# --chunked: the server sends the reply with Transfer-Encoding: chunked in 16 KiB chunks and no
# Content-Length (as a proxy that re-chunks it would); by default, one body with a Content-Length.
# Target dirs: $CARGO_TARGET_DIR (the crate; default ./target) and $E2E_TARGET_DIR
# (this bench crate, which builds async-openai; default bench/e2e/target).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
crate_target="${CARGO_TARGET_DIR:-$root/target}"
e2e_target="${E2E_TARGET_DIR:-$root/bench/e2e/target}"

echo "building the crate's from-audio example (release)..." >&2
(cd "$root" && CARGO_TARGET_DIR="$crate_target" cargo build --quiet --release --example from-audio)
echo "building the floor, the async-openai program and the runner (release)..." >&2
(cd "$root/bench/e2e" && CARGO_TARGET_DIR="$e2e_target" cargo build --quiet --release)

exec "$e2e_target/release/runner" "$@" \
    "floor=$e2e_target/release/floor" \
    "azure-openai-audio=$crate_target/release/examples/from-audio" \
    "async-openai=$e2e_target/release/aoai"
