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

# Runs "$@" in the background with its output in LOG and its pid in "$dir/pid", then waits
# up to 10 s for READY to appear in LOG. On failure prints the log's tail, stops it and
# exits 1.  Usage: start_daemon NAME LOG READY COMMAND...
start_daemon() {
    local name=$1 log=$2 ready=$3
    shift 3
    # The daemon keeps no inherited descriptor beyond stderr: started under
    # `flock /tmp/eap-interop.lock ...` it would otherwise hold that lock for as long as it
    # runs, and every other engineer's interop run (and our own `stop`) would wait on it.
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        exec "$@"
    ) > "$log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 200); do
        if grep -q "$ready" "$log"; then return 0; fi
        if ! alive "$(cat "$dir/pid")"; then break; fi
        sleep 0.05
    done
    echo "$name did not start; its log:" >&2
    tail -30 "$log" >&2
    stop
    exit 1
}
