#!/usr/bin/env bash
# End-to-end benchmark against a loopback server: the crate's example, a hand-written floor and
# async-openai 0.43, paired; prints peak RSS and CPU medians with ratios to the floor.
#
# Usage: bench/e2e/run.sh [--job chat|transcribe|realtime] [--rounds N] [--in-bytes N] [--out-bytes N]
#                         [--chunked] [--seconds N] [--delta-ms N] [--runtime multi-thread|current-thread]
#
# --job chat (the default): the from-audio job (16 MiB WAV in, 4 MiB of audio out), run by the
# `from-audio` example, `floor` and `aoai`. --chunked: the server sends the reply with
# Transfer-Encoding: chunked in 16 KiB chunks and no Content-Length (as a proxy that re-chunks it
# would); by default, one body with a Content-Length.
# --job transcribe: transcribing a 24 MiB WAV (whisper, Azure's recorded json reply), run by the
# `transcribe` example, `floor-transcribe` and `aoai-transcribe` (which fails on the reply: no
# `usage`; the table says so). Without examples/transcribe.rs the crate's row is left out.
# --job realtime: one Realtime response of one hour (--seconds, default 3600) of 24 kHz pcm16 in
# 100 ms deltas (--delta-ms) over a loopback WebSocket, received and decoded by `crate-realtime`
# (the crate, by path, built in this bench crate), `floor-realtime` (tokio-tungstenite and
# serde_json by hand) and `aoai-realtime` (async-openai's event types over the floor's socket:
# async-openai has no Realtime connection); CPU, peak RSS and RSS at each tenth of the audio.
# --runtime current-thread runs every program on tokio's current-thread runtime (default: multi-thread).
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
    realtime) example="" floor=floor-realtime aoai=aoai-realtime ;;
    *) echo "--job is chat, transcribe or realtime, not '$job'" >&2; exit 2 ;;
esac

programs=("floor=$e2e_target/release/$floor")
if [[ "$job" == realtime ]]; then
    # The crate's program lives in this bench crate (azure-openai-audio by path, release).
    programs+=("azure-openai-audio=$e2e_target/release/crate-realtime")
elif [[ -f "$root/examples/$example.rs" ]]; then
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
