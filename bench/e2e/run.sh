#!/usr/bin/env bash
# End-to-end benchmark against a loopback server: the crate's example, a hand-written floor and
# async-openai 0.43, paired; prints peak RSS and CPU medians with ratios to the floor.
#
# Usage: bench/e2e/run.sh [--job chat|transcribe] [--rounds N] [--in-bytes N] [--out-bytes N] [--chunked]
#
# --job chat (the default): the from-audio job (16 MiB WAV in, 4 MiB of audio out), run by the
# `from-audio` example, `floor` and `aoai`. --chunked: the server sends the reply with
# Transfer-Encoding: chunked in 16 KiB chunks and no Content-Length (as a proxy that re-chunks it
# would); by default, one body with a Content-Length.
# --job transcribe: transcribing a 24 MiB WAV (whisper, Azure's recorded json reply), run by the
# `transcribe` example, `floor-transcribe` and `aoai-transcribe` (which fails on the reply: no
# `usage`; the table says so). Without examples/transcribe.rs the crate's row is left out.
#
# Target dirs: $CARGO_TARGET_DIR (the crate; default ./target) and $E2E_TARGET_DIR
# (this bench crate, which builds async-openai; default bench/e2e/target).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
crate_target="${CARGO_TARGET_DIR:-$root/target}"
e2e_target="${E2E_TARGET_DIR:-$root/bench/e2e/target}"

job=chat
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == --job ]]; then job="${args[i + 1]:-}"; fi
done
case "$job" in
    chat) example=from-audio floor=floor aoai=aoai ;;
    transcribe) example=transcribe floor=floor-transcribe aoai=aoai-transcribe ;;
    *) echo "--job is chat or transcribe, not '$job'" >&2; exit 2 ;;
esac

programs=("floor=$e2e_target/release/$floor")
if [[ -f "$root/examples/$example.rs" ]]; then
    echo "building the crate's $example example (release)..." >&2
    (cd "$root" && CARGO_TARGET_DIR="$crate_target" cargo build --quiet --release --example "$example")
    programs+=("azure-openai-audio=$crate_target/release/examples/$example")
else
    echo "warning: no examples/$example.rs: measuring the floor and async-openai only" >&2
fi
programs+=("async-openai=$e2e_target/release/$aoai")
echo "building the floors, the async-openai programs and the runner (release)..." >&2
(cd "$root/bench/e2e" && CARGO_TARGET_DIR="$e2e_target" cargo build --quiet --release)

exec "$e2e_target/release/runner" "$@" "${programs[@]}"
