#!/usr/bin/env bash
# The release's assets, in the layout action/install.sh reads:
#
#   package.sh package VERSION TARGET BINARY OUTDIR
#       OUTDIR/drlint-VERSION-TARGET.tar.gz holding the binary at its top level (drlint, or
#       drlint.exe for a Windows target) with README.md and LICENSE; tar.gz for every target, Windows too
#   package.sh checksums VERSION OUTDIR
#       OUTDIR/drlint-VERSION-checksums.txt: `sha256sum` lines for every drlint-VERSION-*.tar.gz
#
# .github/workflows/release.yml runs it; tests/action.rs makes a fake release with it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

case "${1:-}" in
  package)
    [ $# -eq 5 ] || { echo "usage: package.sh package VERSION TARGET BINARY OUTDIR" >&2; exit 2; }
    version="$2" target="$3" binary="$4" out="$5"
    exe=drlint
    case "$target" in *-windows-*) exe=drlint.exe ;; esac
    stage="$(mktemp -d)"
    cp "$binary" "$stage/$exe"
    chmod +x "$stage/$exe"
    cp "$here/../README.md" "$stage/README.md"
    cp "$here/../LICENSE" "$stage/LICENSE"
    mkdir -p "$out"
    out="$(cd "$out" && pwd)"
    # relative names only: GNU tar on Windows reads `D:\...` as a remote host
    (cd "$stage" && tar -czf "drlint-$version-$target.tar.gz" "$exe" README.md LICENSE)
    mv "$stage/drlint-$version-$target.tar.gz" "$out/"
    rm -rf "$stage"
    echo "$out/drlint-$version-$target.tar.gz"
    ;;
  checksums)
    [ $# -eq 3 ] || { echo "usage: package.sh checksums VERSION OUTDIR" >&2; exit 2; }
    version="$2" out="$3"
    (
      cd "$out"
      shopt -s nullglob
      assets=("drlint-$version"-*.tar.gz)
      [ ${#assets[@]} -gt 0 ] || { echo "no drlint-$version-*.tar.gz in $out" >&2; exit 1; }
      sha256 "${assets[@]}" >"drlint-$version-checksums.txt"
      cat "drlint-$version-checksums.txt"
    )
    ;;
  *)
    echo "usage: package.sh package|checksums ..." >&2
    exit 2
    ;;
esac
