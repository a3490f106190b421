#!/usr/bin/env bash
# Installs the Debian 12 packages alignqa needs to build, test and benchmark,
# skipping what is already there.  Run as root (or with sudo).
set -euo pipefail

pkgs=(
  build-essential pkg-config meson ninja-build   # toolchain
  libicu-dev libpcre2-dev libsqlite3-dev          # ICU4C, PCRE2, SQLite
  libjansson-dev libyaml-dev                      # JSON Lines, rule packs
  libxml2-dev                                     # TBX glossary import
  libarchive-dev                                  # gzip/xz/bzip2 files, tar and zip archives
  libcmocka-dev valgrind                          # unit tests, memcheck stage
  clang libclang-rt-14-dev                        # libFuzzer targets (scripts/fuzz.sh)
  python3 python3-nltk translate-toolkit          # benchmarks (Gale-Church, pofilter)
  chromium                                        # the HTML report in a browser (tests/browser.sh)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
