#!/usr/bin/env bash
# Lists the symbols a program that calls the C API needs from outside the archive, as a
# linker sees them: every eap_* function the archive defines is asked for (ld -r -u ...),
# the archive members those pull in are linked, and what stays undefined is printed
# (linker-made symbols such as _GLOBAL_OFFSET_TABLE_ left out). Members no API call
# reaches (compiler_builtins' unused intrinsics, say) are not linked, so not counted.
#   bash ffi/tests/undefined-symbols.sh libeap.a
set -euo pipefail
archive=${1:?usage: undefined-symbols.sh ARCHIVE}
out=$(mktemp /tmp/eap-undefined.XXXXXX.o)
trap 'rm -f "$out"' EXIT
mapfile -t api < <(nm --defined-only --format=posix "$archive" 2>/dev/null \
    | awk '$2 == "T" && $1 ~ /^eap_/ { print $1 }' | sort -u)
[ "${#api[@]}" -gt 0 ] || { echo "no eap_* function defined in $archive" >&2; exit 1; }
ld -r $(printf -- '-u %s ' "${api[@]}") -o "$out" "$archive"
nm -u --format=posix "$out" | awk '$1 != "_GLOBAL_OFFSET_TABLE_" { print $1 }' | sort
