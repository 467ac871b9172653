#!/usr/bin/env bash
# The logic of the GitHub Action (action.yml), kept here so it can be run and tested
# locally with plain bash: `action.yml` only calls `scripts/action.sh install` and
# `scripts/action.sh run` with the action's inputs in INPUT_* variables.
#
#   target   print the Rust target triple of the runner (RUNNER_OS / RUNNER_ARCH)
#   install  put a migguard binary on the PATH: one already in MIGGUARD_INSTALL_DIR (a
#            cache hit) when its version matches; else the release asset for the runner
#            (checksum verified); else `cargo install --locked` from the action's source
#   run      the PR gate: `migguard lint --changed-since <base>` in the working directory,
#            optionally writing SARIF for upload; exits with migguard's exit code
#
# Fail closed: a checksum mismatch, a missing base ref or an unreadable configuration is
# an error (exit 2), never a silent pass.
set -euo pipefail

ACTION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
  echo "::error title=migguard action::$*" >&2
  exit 2
}

version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$ACTION_ROOT/Cargo.toml" | head -n 1
}

runner_target() {
  local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo unsupported ;;
  esac
}

add_to_path() {
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    echo "$1" >>"$GITHUB_PATH"
  fi
}

install_binary() {
  local want dir tgt url asset tmp exe=migguard
  want="$(version)"
  tgt="$(runner_target)"
  [[ "$tgt" == *windows* ]] && exe=migguard.exe
  dir="${MIGGUARD_INSTALL_DIR:-${RUNNER_TOOL_CACHE:-$HOME/.cache}/migguard/$want}"
  mkdir -p "$dir/bin"
  if [[ -x "$dir/bin/$exe" ]] && [[ "$("$dir/bin/$exe" --version 2>/dev/null)" == "migguard $want" ]]; then
    echo "migguard $want: cached in $dir/bin"
    add_to_path "$dir/bin"
    return 0
  fi
  url="${MIGGUARD_RELEASE_URL:-https://github.com/migguard/migguard/releases/download/v$want}"
  asset="migguard-$want-$tgt.tar.gz"
  tmp="$(mktemp -d)"
  if [[ "$tgt" != unsupported ]] && curl -fsSL -o "$tmp/$asset" "$url/$asset" 2>/dev/null; then
    curl -fsSL -o "$tmp/$asset.sha256" "$url/$asset.sha256" ||
      die "$asset has no checksum file at $url; refusing an unverified binary"
    (cd "$tmp" && sha256sum -c "$asset.sha256" >/dev/null 2>&1) ||
      die "checksum mismatch for $asset from $url"
    tar -xzf "$tmp/$asset" -C "$tmp"
    install -m 0755 "$tmp/$exe" "$dir/bin/$exe"
    echo "migguard $want: prebuilt $tgt from $url"
  else
    echo "migguard $want: no prebuilt binary for $tgt; building with cargo install --locked"
    command -v cargo >/dev/null || die "no prebuilt binary for $tgt and no cargo to build one"
    cargo install --locked --quiet --path "$ACTION_ROOT" --root "$dir"
  fi
  rm -rf "$tmp"
  [[ "$("$dir/bin/$exe" --version)" == "migguard $want" ]] ||
    die "installed binary does not report version $want"
  add_to_path "$dir/bin"
}

run_gate() {
  local bin="${MIGGUARD_BIN:-migguard}"
  local workdir="${INPUT_WORKING_DIRECTORY:-.}"
  local base="${INPUT_BASE_REF:-${GITHUB_BASE_REF:-}}"
  local format="${INPUT_FORMAT:-github}"
  local fail_on="${INPUT_FAIL_ON:-}"
  local config="${INPUT_CONFIG:-}"
  local sarif="${INPUT_SARIF:-false}"
  cd "$workdir" || die "working-directory '$workdir' does not exist"

  local args=(lint)
  [[ -n "$config" ]] && args+=(--config "$config")
  [[ -n "$fail_on" ]] && args+=(--fail-on "$fail_on")
  if [[ -n "$base" ]]; then
    # A bare branch name is the remote's branch; make sure it and enough history for
    # the merge base are present (a default checkout is one commit deep).
    local ref="$base"
    if ! git rev-parse --verify -q "$ref^{commit}" >/dev/null; then
      ref="origin/$base"
      if ! git rev-parse --verify -q "$ref^{commit}" >/dev/null; then
        git fetch --no-tags --quiet origin "+refs/heads/$base:refs/remotes/origin/$base" ||
          die "cannot fetch base ref '$base' from origin"
      fi
    fi
    if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
      git fetch --no-tags --quiet --unshallow origin ||
        die "shallow checkout and cannot fetch history: use actions/checkout with fetch-depth: 0"
    fi
    args+=(--changed-since "$ref")
  else
    echo "::notice title=migguard::no base ref (not a pull request and no base-ref input): every migration is gated"
  fi

  if [[ "$sarif" == true ]]; then
    local sarif_file="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/migguard.sarif"
    local code=0
    "$bin" "${args[@]}" --format sarif >"$sarif_file" || code=$?
    # 1 is a failing gate (reported below); anything else means no usable SARIF.
    [[ $code -le 1 ]] || die "migguard could not produce SARIF (exit $code)"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
      echo "sarif-file=$sarif_file" >>"$GITHUB_OUTPUT"
    fi
  fi
  local status=0
  "$bin" "${args[@]}" --format "$format" || status=$?
  exit "$status"
}

case "${1:-}" in
  target) runner_target ;;
  install) install_binary ;;
  run) run_gate ;;
  *) die "usage: action.sh target|install|run" ;;
esac
