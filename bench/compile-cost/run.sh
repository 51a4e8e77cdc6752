#!/usr/bin/env bash
# Compile cost of the library against async-openai 0.43 with only its chat feature:
# the number of crates in the dependency graph (cargo tree, host target, normal + build deps,
# the package itself not counted) and a clean `cargo build --release --lib` in a fresh target dir
# (wall time, and user+sys CPU time, which depends less on what else the machine is doing).
#
# Usage: bench/compile-cost/run.sh [--counts-only]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
stub="$root/bench/compile-cost/async-openai-chat"

count() { # manifest, cargo tree flags...
    local manifest="$1"; shift
    cargo tree --manifest-path "$manifest" -e normal,build --prefix none "$@" 2>/dev/null |
        sed 's/ (\*)$//; s/ (proc-macro)$//; s/ (\/.*)$//' | sort -u | wc -l | awk '{print $1 - 1}'
}

build() { # manifest, cargo build flags...
    local manifest="$1"; shift
    local dir; dir="$(mktemp -d)"
    cargo fetch --manifest-path "$manifest" >/dev/null 2>&1
    local TIMEFORMAT='%R %U %S'
    local t
    t="$( { time CARGO_TARGET_DIR="$dir" cargo build --quiet --release --lib --manifest-path "$manifest" "$@" >/dev/null 2>&1; } 2>&1 )"
    rm -rf "$dir"
    awk '{printf "%.0f s wall, %.0f s CPU", $1, $2 + $3}' <<<"$t"
}

cfgs=(
    "azure-openai-audio (default features: entra-id)|$root/Cargo.toml|"
    "azure-openai-audio --no-default-features|$root/Cargo.toml|--no-default-features"
    "async-openai 0.43, chat-completion + rustls|$stub/Cargo.toml|"
)
echo "| library | crates (deps) | clean release build |"
echo "|---|---:|---:|"
for c in "${cfgs[@]}"; do
    IFS='|' read -r name manifest flags <<<"$c"
    n="$(count "$manifest" $flags)"
    if [[ "${1:-}" == "--counts-only" ]]; then
        b="(skipped)"
    else
        b="$(build "$manifest" $flags)"
    fi
    echo "| $name | $n | $b |"
done
echo
echo "machine: $(nproc) cores; $(cargo --version)"
