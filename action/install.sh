#!/usr/bin/env bash
# The drlint GitHub Action's installer: a release binary in seconds, verified.
#
#   install.sh resolve   version, target, install folder and cache key -> $GITHUB_OUTPUT
#                        (the Action's actions/cache step restores that folder)
#   install.sh install   make sure <folder>/bin/drlint[.exe] exists -> bin=<path> in $GITHUB_OUTPUT
#
# install: an executable already in the folder (a cache hit) is used as it is. Otherwise the
# release asset drlint-<version>-<target>.tar.gz is downloaded from
# $DRLINT_RELEASE_URL/v<version>/ and checked against drlint-<version>-checksums.txt
# (sha256sum format) from the same release; a missing or wrong checksum refuses the binary.
# With no asset for this platform (unsupported runner, or HTTP 404) drlint is built with
# `cargo install --locked`: from this checkout when <version> is its own, else from the tag.
#
# Environment: DRLINT_VERSION (default: action/VERSION), DRLINT_TARGET and DRLINT_DIR (for
# install: resolve's outputs), RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT, and
# DRLINT_RELEASE_URL (default https://github.com/drlint/drlint/releases/download; for mirrors
# of the releases and for tests, which use a file:// folder).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
own_version="$(tr -d ' \r\n' <"$here/VERSION")"
release_url="${DRLINT_RELEASE_URL:-https://github.com/drlint/drlint/releases/download}"
release_url="${release_url%/}"
# the download folder of from_release, removed however the script ends
tmp=""
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT

# A workflow command's message: GitHub's escapes, so that input cannot start a new command.
escape() {
  local s="$1"
  s="${s//'%'/%25}"
  s="${s//$'\r'/%0D}"
  s="${s//$'\n'/%0A}"
  printf '%s' "$s"
}

die() {
  echo "::error title=drlint install::$(escape "$*")"
  exit 1
}

output() {
  echo "$1=$2" >>"${GITHUB_OUTPUT:-/dev/null}"
}

os_arch() {
  local os="${RUNNER_OS:-}" arch="${RUNNER_ARCH:-}"
  if [ -z "$os" ]; then
    case "$(uname -s)" in
      Linux) os=Linux ;;
      Darwin) os=macOS ;;
      MINGW* | MSYS* | CYGWIN*) os=Windows ;;
      *) os="$(uname -s)" ;;
    esac
  fi
  if [ -z "$arch" ]; then
    case "$(uname -m)" in
      x86_64 | amd64) arch=X64 ;;
      aarch64 | arm64) arch=ARM64 ;;
      *) arch="$(uname -m)" ;;
    esac
  fi
  printf '%s %s' "$os" "$arch"
}

# The release target built for this runner; empty when there is none (build from source).
release_target() {
  case "$1/$2" in
    Linux/X64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

resolve() {
  local version="${DRLINT_VERSION:-}"
  version="${version#v}"
  [ -n "$version" ] || version="$own_version"
  # the version becomes part of a URL and of a path: nothing but a version number
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "version \`$version\` is not a release version such as $own_version"
  local os arch target slot
  read -r os arch <<<"$(os_arch)"
  target="$(release_target "$os" "$arch")"
  slot="${target:-source-$os-$arch}"
  [ -n "${RUNNER_TEMP:-}" ] || die "RUNNER_TEMP is not set"
  output version "$version"
  output target "$target"
  output dir "$RUNNER_TEMP/drlint/$version/$slot"
  output key "drlint-$version-$slot"
  echo "drlint $version for ${target:-$os $arch (no release binary: built from source)}"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# download URL FILE: sets `missing` to 1 when there is no such file (HTTP 404, or a file://
# URL that does not exist), else 0; any other failure stops the install. (Failures are
# checked explicitly: errexit does not apply inside a function called from a condition.)
download() {
  local code=0 status=""
  status="$(curl --silent --show-error --location --fail --retry 3 --retry-delay 2 \
    --output "$2" --write-out '%{http_code}' "$1" 2>"$tmp/curl-error")" || code=$?
  missing=0
  if [ "$code" -eq 0 ]; then
    return 0
  fi
  # 22: an HTTP error, 404 when the release has no such asset; 37: a missing file:// file
  if { [ "$code" -eq 22 ] && [ "$status" = 404 ]; } || [ "$code" -eq 37 ]; then
    missing=1
    return 0
  fi
  die "downloading $1 failed (curl exit $code, HTTP $status): $(cat "$tmp/curl-error")"
}

# from_release VERSION TARGET DIR EXE: sets `installed` to 1, or 0 when the release has no
# asset for this target.
from_release() {
  local version="$1" target="$2" dir="$3" exe="$4"
  local asset="drlint-$version-$target.tar.gz" sums="drlint-$version-checksums.txt"
  local expected actual
  installed=0
  command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 ||
    die "neither sha256sum nor shasum is installed: cannot verify the download"
  tmp="$(mktemp -d "$RUNNER_TEMP/drlint-download.XXXXXX")" || die "cannot make a folder in $RUNNER_TEMP"
  download "$release_url/v$version/$asset" "$tmp/$asset"
  if [ "$missing" -eq 1 ]; then
    echo "drlint: no release asset $asset at $release_url/v$version/"
    return 0
  fi
  download "$release_url/v$version/$sums" "$tmp/$sums"
  [ "$missing" -eq 0 ] || die "release v$version has $asset but no $sums: refusing an unverified binary"
  expected="$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/$sums")"
  [ -n "$expected" ] || die "$sums does not list $asset: refusing an unverified binary"
  actual="$(sha256_of "$tmp/$asset")"
  [ "$actual" = "$expected" ] ||
    die "checksum mismatch for $asset: expected $expected, got $actual; refusing it"
  echo "drlint: $asset sha256 $actual verified"
  # relative names: GNU tar on Windows reads `D:\...` as a remote host
  (cd "$tmp" && mkdir unpacked && tar -xzf "$asset" -C unpacked) || die "cannot unpack $asset"
  [ -f "$tmp/unpacked/$exe" ] || die "$asset has no $exe"
  if ! { mkdir -p "$dir/bin" && mv "$tmp/unpacked/$exe" "$dir/bin/$exe" && chmod +x "$dir/bin/$exe"; }; then
    die "cannot install $exe into $dir/bin"
  fi
  installed=1
}

from_source() {
  local version="$1" dir="$2"
  command -v cargo >/dev/null 2>&1 ||
    die "no drlint release binary for this runner and no cargo to build one: install Rust first (rustup), or run on Linux x64/arm64, macOS arm64 or Windows x64"
  if [ "$version" = "$own_version" ] && [ -f "$here/../crates/drlint-cli/Cargo.toml" ]; then
    echo "drlint: building $version from source (cargo install --locked)"
    cargo install --locked --path "$here/../crates/drlint-cli" --root "$dir" ||
      die "cargo install --path $here/../crates/drlint-cli failed"
  else
    echo "drlint: building $version from tag v$version (cargo install --locked --git)"
    cargo install --locked --git https://github.com/drlint/drlint --tag "v$version" --root "$dir" drlint-cli ||
      die "cargo install of drlint v$version failed"
  fi
}

install() {
  local version="${DRLINT_VERSION:?set DRLINT_VERSION to the version resolved}"
  local target="${DRLINT_TARGET:-}"
  local dir="${DRLINT_DIR:?set DRLINT_DIR to the folder resolved}"
  [ -n "${RUNNER_TEMP:-}" ] || die "RUNNER_TEMP is not set"
  local os arch exe=drlint
  read -r os arch <<<"$(os_arch)"
  [ "$os" != Windows ] || exe=drlint.exe
  local bin="$dir/bin/$exe"
  if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    echo "drlint: using $bin ($("$bin" --version))"
    output bin "$bin"
    return
  fi
  installed=0
  if [ -n "$target" ]; then
    from_release "$version" "$target" "$dir" "$exe"
  fi
  if [ "$installed" -eq 1 ] && ! "$bin" --version >/dev/null 2>&1; then
    echo "drlint: the release binary does not run on this runner; building from source"
    rm -f "$bin"
    installed=0
  fi
  if [ "$installed" -eq 0 ]; then
    from_source "$version" "$dir"
  fi
  [ -x "$bin" ] || die "no drlint binary at $bin after installing"
  echo "drlint: installed $bin ($("$bin" --version))"
  output bin "$bin"
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  *)
    echo "usage: install.sh resolve|install" >&2
    exit 2
    ;;
esac
