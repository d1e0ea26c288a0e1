# tsession shell integration for bash (>= 4.4; C/E need PS0). Emits OSC 633
# markers so tsession knows the prompt, each command line, its exit code and the
# cwd. Source it from ~/.bashrc:  source ~/.config/tsession/tsession.bash
#
# Wire format (BEL-terminated): 633;A prompt start, 633;B prompt end,
# 633;E;<line>;<nonce> command line, 633;C executing, 633;D[;<exit>] finished,
# 633;P;Cwd=<dir>. Values escape "\" as "\\", ";" and control bytes as \xHH.
#
# Start-up stays fork-free on Linux with bash >= 5.1 (SRANDOM, /proc umask).
# Each command line costs a fork for PS0's command substitution (not on bash
# >= 5.3) and one to read the line from history; nothing per simple command.

# Interactive bash >= 4.4 only (a script sourcing this gets nothing, not even
# functions); a second `source` is a no-op.
if [[ $- == *i* && -z ${__tsession_loaded-} ]] &&
  ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then
  # Everything runs inside one function so `return` never ends the user's rc file
  # and set-up temporaries stay local.
  __tsession_setup() {
    __tsession_loaded=1

    # --- the nonce: proves that a command line came from this shell -------------
    # tsession-hosted PTYs hand one in; it is taken and removed from the
    # environment so that no child process inherits it.
    # Globs, not =~: compiling a regex costs about a millisecond at start-up.
    if [[ -n ${TSESSION_NONCE-} && ${#TSESSION_NONCE} -ge 16 && ${#TSESSION_NONCE} -le 128 &&
      $TSESSION_NONCE != *[!0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]* ]]; then
      __tsession_nonce=$TSESSION_NONCE
    elif [[ -n ${SRANDOM-} && $SRANDOM != "$SRANDOM" ]]; then
      # SRANDOM (bash >= 5.1) draws from getrandom(): 4 x 32 bits, no fork.
      builtin printf -v __tsession_nonce '%08x%08x%08x%08x' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM"
    elif [[ -r /proc/sys/kernel/random/uuid ]]; then
      # Two kernel UUIDs: 244 random bits from the kernel CSPRNG, no fork.
      local u1 u2
      builtin read -r u1 </proc/sys/kernel/random/uuid
      builtin read -r u2 </proc/sys/kernel/random/uuid
      __tsession_nonce=${u1//-/}${u2//-/}
    else
      __tsession_nonce=$(od -An -N16 -tx1 /dev/urandom 2>/dev/null)
      __tsession_nonce=${__tsession_nonce//[!0-9a-f]/}
    fi
    builtin unset TSESSION_NONCE
    if ((${#__tsession_nonce} < 32)); then
      # No randomness source: integrate without a nonce (every line untrusted).
      __tsession_nonce=''
    fi
    # A non-exported variable: children and remote hosts never see it.
    declare -g +x __tsession_nonce

    # Register the nonce where tsession finds it by shell pid (nonce-store.ts).
    if [[ -n $__tsession_nonce ]]; then
      __tsession_register_nonce
    fi

    # --- hooks ---------------------------------------------------------------
    # All control bytes, for the escaping pattern (no ranges: locale-proof).
    __tsession_ctl=$'\001\002\003\004\005\006\a\b\t\n\v\f\r\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177'
    # Prompt escapes, decoded by bash when it prints PS1; \[ \] mark them zero-width.
    __tsession_mark_a='\[\e]633;A\a\]'
    __tsession_mark_b='\[\e]633;B\a\]'
    __tsession_void=''
    __tsession_ran=0
    __tsession_prompted=0
    __tsession_hist=${HISTCMD-0}
    __tsession_ps1=''
    # Differs from any PS0, so the first wrap always happens.
    __tsession_ps0=$'\x01unset'
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 3))); then
      # bash 5.3 runs ${ cmd; } in the shell itself: no fork per command.
      __tsession_ps0_ours='${ __tsession_preexec; }${__tsession_void:$((__tsession_ran=1)):0}'
    else
      __tsession_ps0_ours='$(__tsession_preexec)${__tsession_void:$((__tsession_ran=1)):0}'
    fi

    # PROMPT_COMMAND: ours first (to read $? before anything changes it) and last
    # (to wrap PS1/PS0 after the user's hooks have set them). bash >= 5.1 takes
    # an array; older bash a newline-separated string.
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))); then
      PROMPT_COMMAND=(__tsession_precmd "${PROMPT_COMMAND[@]}" __tsession_prompt_wrap)
    else
      PROMPT_COMMAND=$'__tsession_precmd\n'"${PROMPT_COMMAND-}"$'\n__tsession_prompt_wrap'
    fi
    __tsession_prompt_wrap
  }

  # Writes the nonce to ${XDG_RUNTIME_DIR:-/tmp/tsession-$UID}/tsession/nonce/$$
  # (directories 0700, file 0600) and chains an EXIT trap that empties it.
  __tsession_register_nonce() {
    local base=${XDG_RUNTIME_DIR-}
    if [[ -z $base ]]; then
      base=/tmp/tsession-$UID
      # A shared /tmp: refuse a directory someone else made (or a symlink).
      if [[ ! -e $base ]]; then
        command mkdir -m 700 -- "$base" 2>/dev/null || return 0
      fi
      [[ -d $base && ! -L $base && -O $base ]] || return 0
    fi
    local dir=$base/tsession/nonce
    if [[ ! -d $dir ]]; then
      command mkdir -p -m 700 -- "$base/tsession" "$dir" 2>/dev/null || return 0
    fi
    [[ -O $dir && ! -L $dir ]] || return 0
    __tsession_nonce_file=$dir/$$

    # umask 077 while creating the file; the old mask comes from /proc so that
    # reading it costs no fork (elsewhere a subshell writes the file).
    local key val old_umask=''
    if [[ -r /proc/$$/status ]]; then
      while IFS=$': \t' builtin read -r key val; do
        [[ $key == Umask ]] && { old_umask=$val; break; }
      done </proc/$$/status
    fi
    local old_exit=''
    if [[ -n $old_umask ]]; then
      builtin umask 077
      # `trap -p` only prints; the file (not yet holding the nonce) carries its
      # output back without a command substitution.
      builtin trap -p EXIT >|"$__tsession_nonce_file"
      IFS= builtin read -r -d '' old_exit <"$__tsession_nonce_file"
      builtin printf '%s\n' "$__tsession_nonce" >|"$__tsession_nonce_file"
      builtin umask "$old_umask"
    else
      (builtin umask 077 && builtin printf '%s\n' "$__tsession_nonce" >|"$__tsession_nonce_file") 2>/dev/null
      old_exit=$(builtin trap -p EXIT)
    fi
    if [[ -n $old_exit ]]; then
      # `trap -p` prints "trap -- '<code>' EXIT"; eval-ing into an array keeps
      # the user's quoting intact.
      local -a terms
      builtin eval "terms=( $old_exit )"
      __tsession_user_exit=${terms[2]-}
    fi
    builtin trap '__tsession_exit' EXIT
  }

  # Empties the nonce file at exit, fork-free (an `rm` would cost a fork and
  # an exec on every shell exit); tsession prunes empty files of dead pids.
  # Only the shell that wrote the file touches it (never a subshell).
  __tsession_exit() {
    local s=$?
    [[ -n ${__tsession_nonce_file-} && $BASHPID == "$$" ]] && : 2>/dev/null >|"$__tsession_nonce_file"
    if [[ -n ${__tsession_user_exit-} ]]; then
      builtin eval "$__tsession_user_exit"
    fi
    builtin return "$s"
  }

  # Escapes $1 as OSC 633 values want it into __tsession_esc (no subshell).
  __tsession_escape() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//;/\\x3b}
    if [[ $s == *[$__tsession_ctl]* ]]; then
      local out='' c i
      for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ $c == [$__tsession_ctl] ]]; then
          builtin printf -v c '\\x%02x' "'$c"
        fi
        out+=$c
      done
      s=$out
    fi
    __tsession_esc=$s
  }

  # First PROMPT_COMMAND entry: D for the command that just ended, then the cwd.
  __tsession_precmd() {
    local s=$?
    if ((__tsession_ran)); then
      builtin printf '\e]633;D;%s\a' "$s"
      __tsession_ran=0
    elif ((__tsession_prompted)); then
      # Empty Enter or an aborted line: nothing ran, so no exit code.
      builtin printf '\e]633;D\a'
    fi
    __tsession_prompted=1
    __tsession_escape "$PWD"
    builtin printf '\e]633;P;Cwd=%s\a' "$__tsession_esc"
    builtin return "$s"
  }

  # Last PROMPT_COMMAND entry: (re)wrap PS1 with A/B and PS0 with the pre-exec
  # hook whenever the user or a theme replaced them; remember the history count.
  __tsession_prompt_wrap() {
    local s=$?
    if [[ ${PS1-} != "$__tsession_ps1" ]]; then
      local p=${PS1-}
      p=${p//"$__tsession_mark_a"/}
      p=${p//"$__tsession_mark_b"/}
      __tsession_ps1=$__tsession_mark_a$p$__tsession_mark_b
      PS1=$__tsession_ps1
    fi
    if [[ ${PS0-} != "$__tsession_ps0" ]]; then
      __tsession_ps0=${PS0-}
      __tsession_ps0=${__tsession_ps0//"$__tsession_ps0_ours"/}$__tsession_ps0_ours
      PS0=$__tsession_ps0
    fi
    __tsession_hist=${HISTCMD-0}
    # A tool that assigned PROMPT_COMMAND as a string after us replaced its
    # first element, and with it our precmd: put it back for the next prompt.
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
      [[ " ${PROMPT_COMMAND[*]} " != *__tsession_precmd* ]]; then
      PROMPT_COMMAND=(__tsession_precmd "${PROMPT_COMMAND[@]}")
    fi
    builtin return "$s"
  }

  # Runs while PS0 is expanded (a subshell before bash 5.3): prints E and C.
  # The command line is taken from history only when history grew since the
  # prompt; a line kept out of history (ignorespace, ignoredups, HISTIGNORE,
  # set +o history) is reported without a command line rather than guessed.
  __tsession_preexec() {
    if ((${HISTCMD-0} > __tsession_hist)); then
      local line
      line=$(HISTTIMEFORMAT='' builtin history 1)
      # "  123  cmd" or "  123* cmd": drop the padding, the number and 2 chars.
      line=${line#"${line%%[![:space:]]*}"}
      line=${line#"${line%%[!0-9]*}"}
      line=${line:2}
      __tsession_escape "$line"
      if [[ -n $__tsession_nonce ]]; then
        builtin printf '\e]633;E;%s;%s\a' "$__tsession_esc" "$__tsession_nonce"
      else
        builtin printf '\e]633;E;%s\a' "$__tsession_esc"
      fi
    fi
    builtin printf '\e]633;C\a'
  }

  __tsession_setup
  builtin unset -f __tsession_setup __tsession_register_nonce
fi
