#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Every source file of ours names its license in an SPDX line near its top (after a
# shebang, if any). `tools/ebbrt test` runs this check first; `--fix` adds the line where
# it is missing, in the comment syntax of the file's language.
#
#   tools/check_license_headers.sh          # lists files without the line; exit 1 if any
#   tools/check_license_headers.sh --fix    # adds it to them
#
# Documentation (*.md), LICENSE and data files (fuzz corpora) are not source and are not
# checked. Third-party source never enters the repository (it comes from pinned tarballs),
# so every tracked file is ours.
set -euo pipefail

readonly spdx="SPDX-License-Identifier: Apache-2.0"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=0
[[ "${1:-}" == "--fix" ]] && fix=1

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check_license_headers: not a git checkout; nothing to check" >&2
  exit 0
fi

# The comment that carries the line, by file kind; empty for files that are not source.
comment_for() {
  case "$1" in
    *.md | LICENSE | *fuzz_corpus/* | */corpus/* | .gitignore) echo "" ;;
    *.cc | *.h | *.c | *.S | toolchains/native/cxx_subset/*) echo "// $spdx" ;;
    *.ld) echo "/* $spdx */" ;;
    *.bzl | */BUILD | BUILD | BUILD.* | */BUILD.* | */WORKSPACE | WORKSPACE | *.sh | *.py | \
      *.capnp | .bazelrc | tools/ebbrt | .ci/run)
      echo "# $spdx"
      ;;
    *) echo "unknown" ;;
  esac
}

missing=0
while IFS= read -r file; do
  [[ -f "$file" ]] || continue
  comment="$(comment_for "$file")"
  [[ -z "$comment" ]] && continue
  if [[ "$comment" == "unknown" ]]; then
    echo "check_license_headers: $file: unknown kind of file; teach comment_for about it" >&2
    missing=1
    continue
  fi
  head -n 3 "$file" | grep -qF "$spdx" && continue
  if ((fix)); then
    if head -n 1 "$file" | grep -q '^#!'; then
      { head -n 1 "$file"; echo "$comment"; tail -n +2 "$file"; } >"$file.spdx"
    else
      { echo "$comment"; cat "$file"; } >"$file.spdx"
    fi
    chmod --reference="$file" "$file.spdx"
    mv "$file.spdx" "$file"
    echo "check_license_headers: added to $file" >&2
  else
    echo "check_license_headers: $file: no '$spdx' line in its first 3 lines" >&2
    missing=1
  fi
done < <(git ls-files)

if ((missing)) && ((!fix)); then
  echo "check_license_headers: run tools/check_license_headers.sh --fix" >&2
  exit 1
fi
exit 0
