# cordon's sandbox entry: what an allowed Bash call is rewritten to.
#
#   /bin/bash -p entry.sh <node> <plan.json> <payload> [offline]
#
# It sits on the path of every Bash call, so it is a bash script rather than a node program (a node start costs
# tens of milliseconds; bash, a few). `-p` keeps the caller's environment from running anything here: no
# BASH_ENV, no functions imported from the environment.
#
# It asks the per-session helper (helper.js, started on first use) for the confinement of this command over a
# loopback TCP connection, authenticated by a token that only the helper's port file in cordon's state dir holds
# (confined commands can read neither). The helper answers with a script, also in the state dir, that removes
# the credential variables the plan scrubs, sets what the sandbox needs, and starts bubblewrap around the command.
# The connection stays open while the command runs; "done" (or its close) tells the helper to clean up.
#
# Nothing here ever runs the command unconfined: when the helper cannot be reached or refuses, the command does
# not run (exit 126, the reason on stderr).
#
# payload: the command text in base64, or @<file> for commands too large for one argument (the helper reads the
# file, in the state dir, and removes it). offline: the command cannot use the network (src/sandbox/offline.ts),
# so its sandbox gets no bridge to the proxy.

__cordon_fail() {
  printf 'cordon sandbox: %s. The command did not run.\n' "$1" >&2
  exit 126
}

[ "$#" -eq 3 ] || { [ "$#" -eq 4 ] && [ "$4" = offline ]; } || __cordon_fail 'usage: entry.sh <node> <plan.json> <base64 command | @file> [offline]'
__cordon_node=$1
__cordon_plan=$2
__cordon_payload=$3
__cordon_mode=${4-}
__cordon_portfile=${__cordon_plan%.json}.port
__cordon_fd=
__cordon_token=
__cordon_t0=${EPOCHREALTIME/./}
# A peer that hung up must not kill the entry with SIGPIPE while it talks to the helper; the command itself gets
# the default disposition back (trap - PIPE before it runs).
trap '' PIPE

# Reads the helper's port file and connects. Fails (1) when there is no helper to talk to.
__cordon_connect() {
  local port token
  { IFS=' ' read -r port token <"$__cordon_portfile"; } 2>/dev/null || return 1
  # Globs, not =~: bash compiles a regular expression on every test, and {32,128} alone costs milliseconds.
  [[ -n $port && ${#port} -le 5 && $port != *[!0-9]* && ${#token} -ge 32 && ${#token} -le 128 && $token != *[!0-9a-f]* ]] || return 1
  # The group's redirection of stderr is undone after it; the exec's new descriptor stays.
  { exec {__cordon_fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  __cordon_token=$token
}

__cordon_start_helper() {
  local helper=${BASH_SOURCE[0]%/*}/helper.js
  # In a session of its own, so that a signal to the command's process group does not take the helper with it.
  if type -P setsid >/dev/null; then
    setsid "$__cordon_node" "$helper" "$__cordon_plan" </dev/null >/dev/null 2>&1 &
  else
    "$__cordon_node" "$helper" "$__cordon_plan" </dev/null >/dev/null 2>&1 &
  fi
}

# Starts a helper and waits until one answers (a helper that finds another serving the plan asks it to name
# itself in the port file again, and leaves).
__cordon_start_and_connect() {
  local limit=${CORDON_SANDBOX_START_MS:-15000} waited=0 step=5 why=
  [[ -n $limit && $limit != *[!0-9]* ]] || limit=15000
  __cordon_start_helper
  until __cordon_connect; do
    if ((waited >= limit)); then
      { IFS= read -r why < <(tail -n 1 -- "${__cordon_plan%.json}.log"); } 2>/dev/null
      __cordon_fail "the sandbox helper did not start${why:+ ($why)}; run \`cordon sandbox check\` to see what is missing"
    fi
    sleep "0.$(printf '%03d' "$step")"
    ((waited += step))
    ((step = step * 2 > 100 ? 100 : step * 2))
  done
}

# Sends the request (NUL-separated fields, then the names, never the values, of the exported variables, one a
# line) and reads the one-line reply into __cordon_reply. Fails when the peer closed without a word.
__cordon_ask() {
  __cordon_reply=
  {
    printf 'W1\0%s\0%s\0%s\0%s\0%s\0' "$__cordon_token" "$__cordon_payload" "$PWD" "${XDG_CONFIG_HOME-}" "$__cordon_mode"
    compgen -e
    printf '\0'
  } >&"$__cordon_fd" 2>/dev/null || return 1
  IFS= read -r -t 120 __cordon_reply <&"$__cordon_fd" 2>/dev/null
  [ -n "$__cordon_reply" ]
}

__cordon_connect || __cordon_start_and_connect
if ! __cordon_ask; then
  # Silence means a port file left by a helper that died, now naming someone else's port (the token did not
  # match), or a helper that died just now: forget it, start a fresh helper, and ask once more.
  exec {__cordon_fd}>&-
  __cordon_stale=
  { IFS= read -r __cordon_stale <"$__cordon_portfile"; } 2>/dev/null
  [ "$__cordon_stale" = "${__cordon_stale%% *} $__cordon_token" ] && rm -f -- "$__cordon_portfile"
  __cordon_start_and_connect
  __cordon_ask || __cordon_fail 'the sandbox helper sent no usable reply; run the command again'
fi
case $__cordon_reply in
OK$'\t'/*) ;;
ERR$'\t'*) __cordon_fail "${__cordon_reply#ERR$'\t'}" ;;
*) __cordon_fail 'the sandbox helper sent no usable reply; run the command again' ;;
esac
unset __cordon_token __cordon_payload
__cordon_script=${__cordon_reply#OK$'\t'}
__cordon_timing=${CORDON_SANDBOX_TIMING-}
__cordon_t1=${EPOCHREALTIME/./}

# The script unsets the scrubbed variables, exports what the sandbox needs and runs bubblewrap; its status is
# the command's. The connection to the helper is closed for it (and restored after): the command must not
# inherit it.
trap - PIPE
. "$__cordon_script" {__cordon_fd}>&-
__cordon_rc=$?
trap '' PIPE
__cordon_t2=${EPOCHREALTIME/./}

# Tell the helper the command ended and wait (briefly) until it has removed its placeholders.
{ printf 'D\n' >&"$__cordon_fd"; } 2>/dev/null && IFS= read -r -t 2 __cordon_reply <&"$__cordon_fd" 2>/dev/null
if [ "$__cordon_timing" = 1 ]; then
  printf 'cordon sandbox timing (ms): wrap %s run %s done %s\n' "$(((__cordon_t1 - __cordon_t0) / 1000))" \
    "$(((__cordon_t2 - __cordon_t1) / 1000))" "$(((${EPOCHREALTIME/./} - __cordon_t2) / 1000))" >&2
fi
exit "$__cordon_rc"
