#!/usr/bin/env bash
# Compile cost of the library against async-openai 0.43 with only its chat feature:
# - the number of crates in the dependency graph (cargo tree, host target, normal + build deps,
#   the package itself not counted);
# - a clean `cargo build --release --lib` in a fresh target dir, ROUNDS times (the three builds
#   alternate within each round, so a busy spell of the machine hits all three): the median wall
#   time and the median user+sys CPU time, which depends less on what else the machine is doing;
# - from the last round's `cargo build --timings`: the CPU seconds spent on the crates that one
#   side builds and the other does not (everything else, reqwest, rustls and aws-lc-sys among
#   it, is the same work on both sides).
#
# Usage: bench/compile-cost/run.sh [--counts-only] [--rounds N]   (default: 3 rounds, ~20 min
# on 2 cores). Needs python3 for the breakdown.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
stub="$root/bench/compile-cost/async-openai-chat"
rounds=3
counts_only=
while [[ $# -gt 0 ]]; do
    case "$1" in
        --counts-only) counts_only=1 ;;
        --rounds) rounds="$2"; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

count() { # manifest, cargo tree flags...
    local manifest="$1"; shift
    cargo tree --manifest-path "$manifest" -e normal,build --prefix none "$@" 2>/dev/null |
        sed 's/ (\*)$//; s/ (proc-macro)$//; s/ (\/.*)$//' | sort -u | wc -l | awk '{print $1 - 1}'
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() { # index, manifest, cargo build flags... -> appends "wall cpu" to $work/times.<index>
    local i="$1" manifest="$2"; shift 2
    local dir="$work/target"
    rm -rf "$dir"
    cargo fetch --manifest-path "$manifest" >/dev/null 2>&1
    local TIMEFORMAT='%R %U %S'
    local t
    t="$( { time CARGO_TARGET_DIR="$dir" cargo build --quiet --release --lib --timings \
        --manifest-path "$manifest" "$@" >/dev/null 2>&1; } 2>&1 )"
    awk '{printf "%.1f %.1f\n", $1, $2 + $3}' <<<"$t" >>"$work/times.$i"
    cp "$dir/cargo-timings/cargo-timing.html" "$work/timing.$i.html"
    rm -rf "$dir"
}

median() { # column of $work/times.<index>
    sort -n <(awk -v c="$2" '{print $c}' "$work/times.$1") |
        awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f", m}'
}

names=(
    "azure-openai-audio (default features: entra-id)"
    "azure-openai-audio --no-default-features"
    "async-openai 0.43, chat-completion + rustls"
)
manifests=("$root/Cargo.toml" "$root/Cargo.toml" "$stub/Cargo.toml")
flags=("" "--no-default-features" "")

if [[ -z "$counts_only" ]]; then
    for ((r = 1; r <= rounds; r++)); do
        for i in 0 1 2; do
            echo "round $r/$rounds: ${names[$i]}" >&2
            # shellcheck disable=SC2086
            build "$i" "${manifests[$i]}" ${flags[$i]}
        done
    done
fi

echo "| library | crates (deps) | clean release build (median of $rounds) |"
echo "|---|---:|---:|"
for i in 0 1 2; do
    # shellcheck disable=SC2086
    n="$(count "${manifests[$i]}" ${flags[$i]})"
    if [[ -n "$counts_only" ]]; then
        b="(skipped)"
    else
        b="$(median "$i" 1) s wall, $(median "$i" 2) s CPU"
    fi
    echo "| ${names[$i]} | $n | $b |"
done

if [[ -z "$counts_only" ]]; then
    echo
    echo "CPU seconds in crates only one side builds (last round, cargo --timings):"
    python3 - "$work/timing.0.html" "$work/timing.2.html" <<'EOF'
import json, re, sys

def units(path):
    html = open(path).read()
    data = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
    out = {}
    for u in data:
        key = (u["name"], u["version"])
        out[key] = out.get(key, 0.0) + u["duration"]
    return out

ours, theirs = units(sys.argv[1]), units(sys.argv[2])
for label, a, b in (("azure-openai-audio (default)", ours, theirs), ("async-openai", theirs, ours)):
    only = {k: v for k, v in a.items() if k not in b}
    top = sorted(only.items(), key=lambda kv: -kv[1])[:6]
    print(f"- {label}: {sum(only.values()):.0f} s in {len(only)} crates; most: "
          + ", ".join(f"{n} {v:.1f} s" for (n, _), v in top))
print(f"- the same on both sides: {sum(v for k, v in ours.items() if k in theirs):.0f} s "
      f"(ours) / {sum(v for k, v in theirs.items() if k in ours):.0f} s (theirs)")
EOF
fi
echo
echo "machine: $(nproc) cores; $(cargo --version)"
