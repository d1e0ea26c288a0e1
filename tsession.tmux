#!/usr/bin/env bash
# tsession's tmux plugin: resurrect-like key bindings for the tmux server
# that loads it (by TPM, or `run-shell /path/to/tsession.tmux` in
# tmux.conf; `tsession tmux-conf` prints that line).
#
#   prefix C-s   save a checkpoint of every session (tsession save)
#   prefix C-r   open the tsession interface in a popup
#
# Options (set them before this file is loaded):
#   @tsession-save-key      key for save (default C-s; "none": no binding)
#   @tsession-restore-key   key for the interface popup (default C-r; "none": no binding)
#   @tsession-popup-size    the popup's width and height (default 90%)
#   @tsession-bin           the tsession command (default: tsession on PATH,
#                           else this package's dist/tsession.cjs run by node)
#   @tsession-watch         on: start `tsession --watch` for this server now
#                           (continuum-like saves and crash detection) — for
#                           machines where systemd does not run it; a server
#                           already watched keeps its one daemon
#
# Every tsession command gets this server's socket (-S), so the bindings act
# on the server they were pressed in, whatever $TMUX_TMPDIR or -L it uses.
# Nothing from the server's state is put in a command string but the socket
# path, and that only shell-quoted.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

option() {
	local value
	value=$(tmux show-option -gqv "$1")
	printf '%s' "${value:-$2}"
}

# The tsession command as a shell-quoted string.
bin=$(option @tsession-bin '')
if [ -n "$bin" ]; then
	cmd=$(printf '%q' "$bin")
elif command -v tsession >/dev/null 2>&1; then
	cmd=tsession
elif [ -f "$here/dist/tsession.cjs" ]; then
	cmd="$(printf '%q' "$(command -v node || echo node)") $(printf '%q' "$here/dist/tsession.cjs")"
else
	tmux display-message "tsession.tmux: tsession not found (set @tsession-bin)"
	exit 0
fi

socket=$(tmux display-message -p '#{socket_path}')
# The popup runs its command as given; run-shell first expands #{…} in it
# (tmux 3.3), so there every '#' is doubled.
server="$cmd -S $(printf '%q' "$socket")"
server_run=$(printf '%s' "$server" | sed 's/#/##/g')

save_key=$(option @tsession-save-key C-s)
restore_key=$(option @tsession-restore-key C-r)
size=$(option @tsession-popup-size 90%)

if [ "$save_key" != none ]; then
	tmux bind-key "$save_key" run-shell -b \
		"$server_run save >/dev/null 2>&1 && tmux display-message 'tsession: saved' || tmux display-message 'tsession: save failed (see: tsession doctor)'"
fi
if [ "$restore_key" != none ]; then
	tmux bind-key "$restore_key" display-popup -E -w "$size" -h "$size" "$server"
fi
if [ "$(option @tsession-watch off)" = on ]; then
	# Detached from this run-shell: tmux would otherwise wait for it. A second
	# daemon for the same server exits at once (the watch lock).
	(setsid sh -c "exec $server watch" </dev/null >/dev/null 2>&1 &)
fi
exit 0
