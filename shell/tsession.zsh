# tsession shell integration for zsh (>= 5.0). Emits OSC 633 markers so
# tsession knows the prompt, each command line, its exit code and the cwd.
# Source it from ~/.zshrc:  source ~/.config/tsession/tsession.zsh
#
# Wire format (BEL-terminated): 633;A prompt start, 633;B prompt end,
# 633;E;<line>;<nonce> command line, 633;C executing, 633;D[;<exit>] finished,
# 633;P;Cwd=<dir>. Values escape "\" as "\\", ";" and control bytes as \xHH.
# No fork at start-up or per command: zsh/system and zsh/files do the I/O.

# Interactive shells only (a script sourcing this gets nothing, not even
# functions); a second `source` is a no-op.
if [[ -o interactive ]] && (( ! ${+__tsession_loaded} )); then
  # mkdir -p -m 700 without a fork when zsh/files is there.
  __tsession_mkdir() {
    if zmodload -F zsh/files b:zf_mkdir 2>/dev/null; then
      zf_mkdir -p -m 700 -- "$@" 2>/dev/null
    else
      command mkdir -p -m 700 -- "$@" 2>/dev/null
    fi
  }

  # An anonymous function: `return` never ends the user's .zshrc, and set-up
  # temporaries stay local.
  () {
    typeset -g __tsession_loaded=1
    emulate -L zsh

    # zsh/system gives sysread/sysopen/sysparams; zsh/files is loaded only
    # when needed, and hooks go straight into the *_functions arrays: each
    # module load or add-zsh-hook autoload costs start-up time.
    zmodload zsh/system 2>/dev/null

    # --- the nonce: proves that a command line came from this shell -------------
    # A non-exported global: children and remote hosts never see it.
    typeset -g __tsession_nonce=''
    if (( ${#TSESSION_NONCE} >= 16 && ${#TSESSION_NONCE} <= 128 )) && [[ $TSESSION_NONCE != *[^A-Za-z0-9]* ]]; then
      # tsession-hosted PTYs hand one in; take it out of the environment.
      __tsession_nonce=$TSESSION_NONCE
    elif (( $+builtins[sysread] )) && [[ -r /dev/urandom ]]; then
      local buf c i LC_ALL=C
      sysread -s 16 buf </dev/urandom 2>/dev/null
      if (( $#buf == 16 )); then
        for (( i = 1; i <= 16; i++ )); do
          c=$buf[i]
          __tsession_nonce+=${(L)${(l:2::0:)$(( [##16] #c ))}}
        done
      fi
    fi
    unset TSESSION_NONCE

    # Register the nonce where tsession finds it by shell pid (nonce-store.ts):
    # ${XDG_RUNTIME_DIR:-/tmp/tsession-$UID}/tsession/nonce/$$, dirs 0700, file 0600.
    typeset -g __tsession_nonce_file=''
    if [[ -n $__tsession_nonce ]] && (( $+builtins[sysopen] )); then
      local base=${XDG_RUNTIME_DIR-} dir fd
      if [[ -z $base ]]; then
        base=/tmp/tsession-$UID
        # A shared /tmp: refuse a directory someone else made (or a symlink).
        [[ -e $base ]] || __tsession_mkdir $base
      fi
      dir=$base/tsession/nonce
      [[ -d $dir ]] || __tsession_mkdir $base/tsession $dir
      if [[ -d $base && ! -L $base && -O $base && -d $dir && ! -L $dir && -O $dir ]] &&
          sysopen -w -m 600 -o creat,trunc,nofollow -u fd -- $dir/$$ 2>/dev/null; then
        print -rn -u $fd -- $__tsession_nonce$'\n'
        exec {fd}>&-
        __tsession_nonce_file=$dir/$$
        zshexit_functions=(${zshexit_functions:#__tsession_exit} __tsession_exit)
      fi
    fi

    # --- hooks ---------------------------------------------------------------
    # All control characters, for the escaping pattern (no ranges: locale-proof).
    typeset -g __tsession_ctl=$'\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f'
    typeset -g __tsession_mark_a=$'%{\e]633;A\a%}' __tsession_mark_b=$'%{\e]633;B\a%}'
    typeset -g __tsession_ps1='' __tsession_esc=''
    typeset -gi __tsession_ran=0 __tsession_prompted=0

    # Ours first among precmd hooks (D before any other hook prints) and last
    # (wrap PS1 after themes set it); preexec keeps that order when others add
    # hooks later. zsh hands every hook the same $?, so order never changes it.
    precmd_functions=(__tsession_precmd ${precmd_functions:#__tsession_(precmd|prompt_wrap)} __tsession_prompt_wrap)
    preexec_functions=(${preexec_functions:#__tsession_preexec} __tsession_preexec)
  }


  # zshexit also fires when a forked subshell such as `(exit 42)` ends; only the
  # shell that wrote the file may remove it.
  __tsession_exit() {
    [[ -n $__tsession_nonce_file ]] && (( ${sysparams[pid]:-0} == $$ )) &&
      zmodload -F zsh/files b:zf_rm 2>/dev/null && zf_rm -f -- $__tsession_nonce_file 2>/dev/null
    return 0
  }

  # Escapes $1 as OSC 633 values want it into __tsession_esc (no subshell).
  __tsession_escape() {
    emulate -L zsh
    local s=${1//\\/\\\\}
    s=${s//;/\\x3b}
    if [[ $s == *[$__tsession_ctl]* ]]; then
      local out='' c
      for c in ${(s::)s}; do
        [[ $c == [$__tsession_ctl] ]] && c=\\x${(L)${(l:2::0:)$(( [##16] #c ))}}
        out+=$c
      done
      s=$out
    fi
    __tsession_esc=$s
  }

  # First precmd hook: D for the command that just ended, then the cwd.
  __tsession_precmd() {
    local s=$?
    if (( __tsession_ran )); then
      builtin printf '\e]633;D;%s\a' $s
      __tsession_ran=0
    elif (( __tsession_prompted )); then
      # Empty Enter or an aborted line: nothing ran, so no exit code.
      builtin printf '\e]633;D\a'
    fi
    __tsession_prompted=1
    __tsession_escape $PWD
    builtin printf '\e]633;P;Cwd=%s\a' $__tsession_esc
    return $s
  }

  # Last precmd hook: (re)wrap PS1 with A/B whenever the user or a theme replaced it.
  __tsession_prompt_wrap() {
    local s=$?
    if [[ $PS1 != $__tsession_ps1 && -o prompt_percent ]]; then
      local p=${PS1//$__tsession_mark_a/}
      p=${p//$__tsession_mark_b/}
      __tsession_ps1=$__tsession_mark_a$p$__tsession_mark_b
      PS1=$__tsession_ps1
    fi
    return $s
  }

  # preexec: E with the line exactly as typed (multi-line included), then C.
  # A line kept out of history by hist_ignore_space is reported without its
  # text, as in bash: tsession never records what the user chose to hide.
  __tsession_preexec() {
    # Read before `emulate -L` so the user's own option is what counts.
    local hidden=0
    [[ -o hist_ignore_space && $1 == ' '* ]] && hidden=1
    emulate -L zsh
    __tsession_ran=1
    if (( ! hidden )); then
      __tsession_escape $1
      if [[ -n $__tsession_nonce ]]; then
        builtin printf '\e]633;E;%s;%s\a' $__tsession_esc $__tsession_nonce
      else
        builtin printf '\e]633;E;%s\a' $__tsession_esc
      fi
    fi
    builtin printf '\e]633;C\a'
    # Hooks added after ours (themes) go between our first and last again.
    if [[ $precmd_functions[1] != __tsession_precmd || $precmd_functions[-1] != __tsession_prompt_wrap ]]; then
      precmd_functions=(__tsession_precmd ${precmd_functions:#__tsession_(precmd|prompt_wrap)} __tsession_prompt_wrap)
    fi
  }
fi
