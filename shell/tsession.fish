# tsession shell integration for fish (>= 3.1). Emits OSC 633 markers so
# tsession knows the prompt, each command line, its exit code and the cwd.
# Source it from ~/.config/fish/config.fish:  source ~/.config/tsession/tsession.fish
#
# Wire format (BEL-terminated): 633;A prompt start, 633;B prompt end,
# 633;E;<line>;<nonce> command line, 633;C executing, 633;D[;<exit>] finished,
# 633;P;Cwd=<dir>. Values escape "\" as "\\", ";" and control bytes as \xHH.
# No fork at start-up on Linux: fish builtins and /proc do the work.

# Interactive shells only; a second `source` is a no-op.
if status is-interactive; and not set -q __tsession_loaded
    set -g __tsession_loaded 1

    # --- the nonce: proves that a command line came from this shell ----------
    # A non-exported global: children and remote hosts never see it.
    set -g __tsession_nonce ''
    if set -q TSESSION_NONCE; and string match -qr '^[A-Za-z0-9]{16,128}$' -- "$TSESSION_NONCE"
        # tsession-hosted PTYs hand one in; take it out of the environment.
        set __tsession_nonce $TSESSION_NONCE
    else if test -r /proc/sys/kernel/random/uuid
        # Two kernel UUIDs: 244 random bits from the kernel CSPRNG, no fork.
        read -l __tsession_u1 </proc/sys/kernel/random/uuid
        read -l __tsession_u2 </proc/sys/kernel/random/uuid
        set __tsession_nonce (string replace -a -- - '' "$__tsession_u1$__tsession_u2")
    else
        set __tsession_nonce (command od -An -N16 -tx1 /dev/urandom 2>/dev/null | string replace -ra '[^0-9a-f]' '' | string join '')
    end
    set -e TSESSION_NONCE
    if test (string length -- "$__tsession_nonce") -lt 32
        # No randomness source: integrate without a nonce (every line untrusted).
        set __tsession_nonce ''
    end

    # Register the nonce where tsession finds it by shell pid (nonce-store.ts):
    # ${XDG_RUNTIME_DIR:-/tmp/tsession-$UID}/tsession/nonce/<pid>, dirs 0700, file 0600.
    set -g __tsession_nonce_file ''
    if test -n "$__tsession_nonce"
        set -l base "$XDG_RUNTIME_DIR"
        if test -z "$base"
            # fish has no $UID; /proc answers without a fork.
            set -l uid (string replace -rf '^Uid:\s+(\d+).*' '$1' </proc/$fish_pid/status 2>/dev/null)
            test -n "$uid"; or set uid (command id -u)
            set base /tmp/tsession-$uid
            # A shared /tmp: refuse a directory someone else made (or a symlink).
            test -e $base; or command mkdir -m 700 -- $base 2>/dev/null
        end
        set -l dir $base/tsession/nonce
        test -d $dir; or command mkdir -p -m 700 -- $base/tsession $dir 2>/dev/null
        if test -d $base -a ! -L $base -a -O $base -a -d $dir -a ! -L $dir -a -O $dir
            # fish's magic $umask variable: the `umask` function costs ~2 ms to load.
            set -l old_umask $umask
            set -g umask 0077
            if printf '%s\n' $__tsession_nonce >$dir/$fish_pid 2>/dev/null
                set __tsession_nonce_file $dir/$fish_pid
            end
            set -g umask $old_umask
        end
    end

    # Empties the nonce file at exit without a fork (`rm` would cost ~10 ms
    # per exit); tsession prunes empty files of dead pids.
    function __tsession_exit --on-event fish_exit
        test -n "$__tsession_nonce_file"; and printf '' 2>/dev/null >$__tsession_nonce_file
    end

    # --- hooks -----------------------------------------------------------------
    set -g __tsession_ran 0
    set -g __tsession_prompted 0
    set -g __tsession_status ''
    set -g __tsession_wrapped 0

    # Escapes $argv[1] as OSC 633 values want it (one output line, no newline).
    function __tsession_escape
        # Lines apart first: command substitution splits on newlines anyway.
        set -l lines (string split -- \n $argv[1])
        set -l out
        for line in $lines
            set line (string replace -a -- '\\' '\\\\' $line)
            set line (string replace -a -- ';' '\\x3b' $line)
            if string match -qr '[\x01-\x1f\x7f]' -- $line
                set -l chars
                for c in (string split -- '' $line)
                    if string match -qr '^[\x01-\x1f\x7f]$' -- $c
                        set c (printf '\\\\x%02x' "'$c")
                    end
                    set -a chars $c
                end
                set line (string join '' -- $chars)
            end
            set -a out $line
        end
        string join '\x0a' -- $out
    end

    # Prompt event: D for what ended, then the cwd, then A. Event handlers leave
    # $status and $pipestatus as they were, so the user's prompt still sees them.
    function __tsession_on_prompt --on-event fish_prompt
        # Wrapped at the first prompt, not at start-up: config.fish may define
        # fish_prompt after sourcing this, and autoloading it costs start-up time.
        test $__tsession_prompted = 1; or __tsession_wrap_prompt
        if test $__tsession_ran = 1
            printf '\e]633;D;%s\a' $__tsession_status
        else if test $__tsession_prompted = 1
            # Empty Enter: nothing ran, so no exit code.
            printf '\e]633;D\a'
        end
        set __tsession_ran 0
        set __tsession_prompted 1
        # Via a variable: "$cwd" is exactly one printf argument, even if empty.
        set -l cwd (__tsession_escape $PWD)
        printf '\e]633;P;Cwd=%s\a' "$cwd"
        printf '\e]633;A\a'
    end

    # Wraps the current fish_prompt so B follows it; the user's prompt runs first
    # and untouched, so $status and $pipestatus are its own.
    function __tsession_wrap_prompt
        functions -q fish_prompt; or return
        # Never wrap our own wrapper: it would call itself.
        functions fish_prompt | string match -q '*__tsession_user_prompt*'; and return
        functions -e __tsession_user_prompt
        functions -c fish_prompt __tsession_user_prompt
        function fish_prompt
            __tsession_user_prompt
            set -g __tsession_wrapped 1
            printf '\e]633;B\a'
        end
    end

    # preexec: E with the line exactly as typed, then C. A line starting with a
    # space stays out of fish history, and out of tsession's record too.
    function __tsession_on_preexec --on-event fish_preexec
        # A prompt drawn without our B means fish_prompt was redefined: wrap again.
        test $__tsession_wrapped = 1; or __tsession_wrap_prompt
        set __tsession_wrapped 0
        # fish runs these hooks for a blank line too; nothing executes then.
        string match -qr '^\s*$' -- "$argv[1]"; and return
        set __tsession_ran 1
        if not string match -q -- ' *' "$argv[1]"
            # Via a variable: an empty substitution must not shift the nonce into %s.
            set -l line (__tsession_escape $argv[1])
            if test -n "$__tsession_nonce"
                printf '\e]633;E;%s;%s\a' "$line" $__tsession_nonce
            else
                printf '\e]633;E;%s\a' "$line"
            end
        end
        printf '\e]633;C\a'
    end

    function __tsession_on_postexec --on-event fish_postexec
        set __tsession_status $status
    end
end
