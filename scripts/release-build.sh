#!/usr/bin/env bash
# Release binaries, reproducibly: one stripped binary per target, packed as
# `migguard-<version>-<target>.tar.gz` with a `.sha256` file beside it (the layout
# scripts/action.sh downloads and verifies) and one SHA256SUMS for the release page.
#
#   scripts/release-build.sh build [TARGET…]     # cargo build + package each target
#   scripts/release-build.sh package TARGET BIN  # package an already built binary
#
# Targets (default all): x86_64-unknown-linux-musl aarch64-unknown-linux-musl
# x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc. Each needs its Rust
# target installed (`rustup target add …`) and, for cross builds, a linker (`cross` or
# `cargo zigbuild` work as drop-in CARGO commands: CARGO=cross scripts/release-build.sh build).
#
# Reproducible: `--locked` (Cargo.lock decides every dependency), no debug info,
# stripped symbols, the build path remapped out of the binary, and archives with fixed
# mtime (SOURCE_DATE_EPOCH, default: the last commit's time), owner and file order.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${RELEASE_DIR:-$ROOT/target/release-artifacts}"
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)"
ALL_TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)}"

package() {
  local target="$1" binary="$2" exe=migguard stage asset
  [[ "$target" == *windows* ]] && exe=migguard.exe
  [[ -x "$binary" ]] || { echo "error: $binary is not an executable" >&2; exit 2; }
  mkdir -p "$OUT"
  stage="$(mktemp -d)"
  cp "$binary" "$stage/$exe"
  chmod 0755 "$stage/$exe"
  touch -d "@$SOURCE_DATE_EPOCH" "$stage/$exe"
  asset="migguard-$VERSION-$target.tar.gz"
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -C "$stage" -cf - "$exe" | gzip -n -9 >"$OUT/$asset"
  rm -rf "$stage"
  (cd "$OUT" && sha256sum "$asset" >"$asset.sha256")
  (cd "$OUT" && cat ./*.tar.gz.sha256 | sort -k2 >SHA256SUMS)
  echo "$OUT/$asset"
}

build() {
  local targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")
  for target in "${targets[@]}"; do
    CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols \
      RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$ROOT=/migguard" \
      "${CARGO:-cargo}" build --release --locked --target "$target" --manifest-path "$ROOT/Cargo.toml"
    local bin="$ROOT/target/$target/release/migguard"
    [[ "$target" == *windows* ]] && bin="$bin.exe"
    package "$target" "$bin"
  done
}

case "${1:-}" in
  build) shift; build "$@" ;;
  package) [[ $# -eq 3 ]] || { echo "usage: release-build.sh package TARGET BINARY" >&2; exit 2; }; package "$2" "$3" ;;
  *) echo "usage: release-build.sh build [TARGET…] | package TARGET BINARY" >&2; exit 2 ;;
esac
