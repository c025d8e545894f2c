#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prepares a Debian 12 (bookworm) x86_64 machine to build and test EbbRT, offline except
# for Debian's own package archive. Idempotent: a second run only checks, in about a second.
#
#   tools/bootstrap.sh          (tools/ebbrt runs it before every command)
#
# 1. Installs the Debian packages the build uses (needs root or sudo, only when one is
#    missing): Bazel 4.2.3, clang/lld/llvm 14, libstdc++ 12 and libc++ 14 headers, QEMU 7.2.
# 2. Checks that the exact tools the toolchains in toolchains/BUILD name are present.
# 3. Fetches the pinned third-party source tarballs (the upstream .orig tarballs of Debian
#    source packages) into the download directory Bazel reads with --distdir, and checks
#    each one's sha256 against the value pinned in WORKSPACE.
# 4. Writes .bazelrc.user: --distdir, --disk_cache and --repository_cache under the user's
#    cache directory, so a fresh clone reuses earlier work.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${EBBRT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ebbrt}"
distdir="$cache_root/distdir"

log() { echo "bootstrap: $*" >&2; }
die() {
  echo "bootstrap: error: $*" >&2
  exit 1
}

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# --- 1. Debian packages -------------------------------------------------------------------
readonly PACKAGES=(
  bazel-bootstrap    # Bazel 4.2.3, the only Bazel Debian 12 offers
  clang-14           # both toolchains' compiler driver
  lld-14             # both toolchains' linker
  llvm-14            # llvm-ar, llvm-objcopy, llvm-nm, ... (toolchains/BUILD)
  libclang-rt-14-dev # libFuzzer and the sanitizer runtimes (fuzz session tests)
  libstdc++-12-dev   # the hosted C++ library headers
  libc++-14-dev      # libc++ 14 headers: the native C++ subset (toolchains/native/cxx_subset)
  qemu-system-x86    # boots native images (tools/qemu_runner.sh)
  iproute2           # ip and ss: the runner's --net tap namespace and tap, --forward 0:PORT
  memcached          # stock memcached 1.6: the reference server (differential tests, bench)
  libmemcached-tools # a real memcached client library's tools (memccapable) for integration tests
  python3            # test and benchmark scripts (standard library only)
  ca-certificates    # apt over https mirrors, if the machine uses one
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq || log "warning: apt-get update reported errors; trying to install anyway"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# --- 2. The exact tools the toolchains and runner use ------------------------------------
readonly TOOLS=(
  /usr/bin/bazel
  /usr/bin/clang-14
  /usr/bin/clang-cpp-14
  /usr/bin/ld.lld-14
  /usr/bin/llvm-ar-14
  /usr/bin/llvm-cov-14
  /usr/bin/llvm-dwp-14
  /usr/bin/llvm-nm-14
  /usr/bin/llvm-objcopy-14
  /usr/bin/llvm-objdump-14
  /usr/bin/llvm-strip-14
  /usr/bin/qemu-system-x86_64
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h
  /usr/lib/llvm-14/include/c++/v1/__config
)
absent=()
for tool in "${TOOLS[@]}"; do
  [[ -e "$tool" ]] || absent+=("$tool")
done
((${#absent[@]} == 0)) || die "missing after package installation: ${absent[*]}
  (the toolchains in toolchains/BUILD expect Debian 12's clang-14 14.0.6, lld-14, llvm-14,
  libc++-14-dev)"
bazel_version="$(dpkg-query -W -f='${Version}' bazel-bootstrap)"
[[ "$bazel_version" == 4.2.3* ]] || die "bazel-bootstrap is $bazel_version; this tree needs 4.2.3"

# --- 3. Pinned source tarballs --------------------------------------------------------------
# source package | tarball | sha256. The same sha256 values are in WORKSPACE, where Bazel
# checks them again; keep the two lists in step.
readonly TARBALLS=(
  "abseil abseil_20220623.1.orig.tar.gz abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe"
  "bazel-skylib bazel-skylib_1.0.3.orig.tar.xz b22f0f38d9a1ac565fce8a43df3d284f6b8e5e8775bda54b5cb687bed46b6ea4"
  "benchmark benchmark_1.7.1.orig.tar.gz 6430e4092653380d9dc4ccb45a1e2dc9259d581f4866dc0759713126056bc1d7"
  "capnproto capnproto_0.9.2.orig.tar.gz 4031e9c9158fce1979baf3c5234315c1be74b273c0be9f6c4aaf4d0dfda52542"
  "googletest googletest_1.12.1.orig.tar.gz 81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2"
  "newlib newlib_3.3.0.orig.tar.gz 58dd9e3eaedf519360d92d84205c3deef0b3fc286685d1c562e245914ef72c66"
)

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

# Adds deb-src entries mirroring the machine's deb entries, once, if there are none.
ensure_deb_src() {
  if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return
  fi
  local src=/etc/apt/sources.list.d/debian.sources
  local out=/etc/apt/sources.list.d/ebbrt-deb-src.sources
  if [[ -f "$src" ]]; then
    log "adding deb-src entries ($out) for the archive in $src"
    sed 's/^Types:.*/Types: deb-src/' "$src" | as_root tee "$out" >/dev/null
  elif [[ -f /etc/apt/sources.list ]]; then
    log "adding deb-src lines ($out) for the archive in /etc/apt/sources.list"
    out=/etc/apt/sources.list.d/ebbrt-deb-src.list
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | as_root tee "$out" >/dev/null
  else
    die "no apt sources found to derive a deb-src entry from"
  fi
  as_root apt-get update -qq || log "warning: apt-get update reported errors"
}

mkdir -p "$distdir"
for entry in "${TARBALLS[@]}"; do
  read -r pkg tarball sha <<<"$entry"
  sha_ok "$distdir/$tarball" "$sha" && continue
  ensure_deb_src
  log "fetching $tarball (Debian source package $pkg)"
  tmp="$(mktemp -d)"
  # Only the .orig tarball matters; a missing Debian patch file must not stop us.
  (cd "$tmp" && chmod 755 . && apt-get source --download-only -qq "$pkg" >/dev/null 2>"$tmp/err") || true
  if ! sha_ok "$tmp/$tarball" "$sha"; then
    cat "$tmp/err" >&2 || true
    ls "$tmp" >&2 || true
    rm -rf "$tmp"
    die "could not fetch $tarball with sha256 $sha from Debian's archive (apt-get source $pkg)"
  fi
  mv "$tmp/$tarball" "$distdir/$tarball"
  rm -rf "$tmp"
done

# --- 4. Per-user Bazel settings -------------------------------------------------------------
rc="$repo_root/.bazelrc.user"
want="# Written by tools/bootstrap.sh; see .bazelrc.
build --distdir=$distdir
build --disk_cache=$cache_root/disk-cache
build --repository_cache=$cache_root/repository-cache"
if [[ ! -f "$rc" ]] || [[ "$(cat "$rc")" != "$want" ]]; then
  printf '%s\n' "$want" >"$rc"
fi
