#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves the layering check is on for both platforms: builds the deliberately broken
# targets of tests/layering_check for hosted and for native and passes only if each build
# fails with clang's layering error for exactly that #include (docs/build.md#layering-check).
# A check that silently turned off (a toolchain edit, a feature disabled somewhere) would
# let these targets build, and this script would say so. `tools/ebbrt test` runs it; it
# costs two small compiles per platform once the tree is built.
#
#   tools/layering_check_test.sh [bazel build options]
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

pkg=tests/layering_check
# target -> the error its compile must report.
declare -A expected=(
  [undeclared_include]="error: module //$pkg:undeclared_include does not depend on a module exporting '$pkg/lower.h'"
  [private_header_include]="error: use of private header from outside its module: '$pkg/middle_internal.h'"
)

targets=()
for target in "${!expected[@]}"; do targets+=("//$pkg:$target"); done

failures=0
for platform in native hosted; do
  config=()
  [[ $platform == native ]] && config=(--config=native)
  log="$(mktemp)"
  # --keep_going: every broken target reports its own error in one run.
  bazel build "${config[@]}" --keep_going "$@" "${targets[@]}" >"$log" 2>&1
  rc=$?
  if ((rc != 1)); then
    # 0: the broken targets built, so the check is off; anything else: Bazel itself failed.
    echo "layering_check_test: FAIL ($platform): bazel build exited $rc, expected 1 (build failed):" >&2
    sed 's/^/  | /' "$log" >&2
    failures=$((failures + 1))
  else
    for target in "${!expected[@]}"; do
      if grep -qF -- "${expected[$target]}" "$log"; then
        echo "layering_check_test: ok ($platform): //$pkg:$target is rejected: ${expected[$target]}" >&2
      else
        echo "layering_check_test: FAIL ($platform): //$pkg:$target did not fail with: ${expected[$target]}" >&2
        sed 's/^/  | /' "$log" >&2
        failures=$((failures + 1))
      fi
    done
  fi
  rm -f "$log"
done
((failures == 0))
