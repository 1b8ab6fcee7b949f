# Sourced by the peer scripts: process helpers for daemons whose pid is in "$dir/pid".

# Running, and not a zombie: once the starting script has exited, the daemon's parent is
# whatever reaps orphans here, which may take a second or two to do it (so `kill -0`
# would still say yes).
alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z* ]]
}

# Stops the daemon of "$dir": TERM, up to 5 s for it to go, then KILL.
stop() {
    if [[ -s "$dir/pid" ]]; then
        local pid
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do alive "$pid" || break; sleep 0.05; done
        if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
        rm -f "$dir/pid"
    fi
}
