#!/usr/bin/env bash
# Lists the symbols an archive needs from the outside: undefined in some member and
# defined in none (linker-made symbols such as _GLOBAL_OFFSET_TABLE_ left out).
#   bash ffi/tests/undefined-symbols.sh libeap.a
set -euo pipefail
archive=${1:?usage: undefined-symbols.sh ARCHIVE}
nm --format=posix "$archive" 2>/dev/null | awk '
    NF >= 2 && $2 == "U" { undef[$1] = 1; next }
    NF >= 2 && $2 ~ /^[TtDdBbRrWwVvCcuiAaSsGg]$/ { def[$1] = 1 }
    END { for (s in undef) if (!(s in def) && s != "_GLOBAL_OFFSET_TABLE_") print s }
' | sort
