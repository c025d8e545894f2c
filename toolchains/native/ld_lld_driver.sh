#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Link driver for native images: runs ld.lld itself.
#
# Bazel links through a compiler-driver command line (`-Wl,` and `-Xlinker` wrap linker
# flags), but clang 14 hands links for the generic-ELF target (x86_64-unknown-none-elf) to
# the host's gcc, which would drag the build machine's linker setup into the image. This
# script unwraps those flags and calls ld.lld-14 directly; anything else is passed through
# unchanged, and ld.lld rejects what it does not know, so nothing is silently dropped.
set -eu
first=1
for arg in "$@"; do
  if [ "$first" = 1 ]; then
    set --
    first=0
  fi
  case "$arg" in
    -Wl,*)
      rest="${arg#-Wl,}"
      old_ifs="$IFS"
      IFS=,
      for part in $rest; do
        set -- "$@" "$part"
      done
      IFS="$old_ifs"
      ;;
    -Xlinker)
      ;;  # The next argument is already a linker flag.
    *)
      set -- "$@" "$arg"
      ;;
  esac
done
exec /usr/bin/ld.lld-14 "$@"
