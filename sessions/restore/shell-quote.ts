/**
 * Quotes an argv so that typing it at a shell prompt yields exactly that
 * argv. bash/zsh and fish quote differently; control bytes are always
 * written as escapes, because a raw newline typed at a prompt is Enter.
 */

/** Shell families with distinct quoting rules. */
export type ShellFamily = 'posix-ansi' | 'fish' | 'sh';

/** Which quoting a shell needs: bash/zsh/ksh understand $'…'; dash/sh do not. */
export function shellFamily(command: string): ShellFamily {
  if (command === 'fish') return 'fish';
  if (command === 'bash' || command === 'zsh' || command === 'ksh' || command === 'mksh') return 'posix-ansi';
  return 'sh';
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const CONTROL = /[\x00-\x1f\x7f]/;

const hex = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Quote one argument for bash/zsh. */
function quotePosixAnsi(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  if (!CONTROL.test(arg)) return `'${arg.replaceAll("'", `'\\''`)}'`;
  // $'…' with every control byte, backslash and quote escaped.
  return `$'${arg.replace(/[\x00-\x1f\x7f\\']/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "\\'" : hex(c)))}'`;
}

/** Quote one argument for fish: '…' escapes only \\ and \'; control bytes go outside as \xHH. */
function quoteFish(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  let out = '';
  let run = '';
  const flush = () => {
    if (run) out += `'${run.replace(/[\\']/g, '\\$&')}'`;
    run = '';
  };
  for (const ch of arg) {
    if (CONTROL.test(ch)) {
      flush();
      out += hex(ch);
    } else run += ch;
  }
  flush();
  return out || "''";
}

/** Quote one argument for plain sh (dash): no $'…', so control bytes cannot be typed. */
function quoteSh(arg: string): string | null {
  if (CONTROL.test(arg)) return null;
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quote argv as one command line for `family`, or null when it cannot be
 * typed safely (control bytes for plain sh).
 */
export function quoteCommandLine(argv: readonly string[], family: ShellFamily): string | null {
  const parts: string[] = [];
  for (const arg of argv) {
    const q = family === 'fish' ? quoteFish(arg) : family === 'posix-ansi' ? quotePosixAnsi(arg) : quoteSh(arg);
    if (q === null) return null;
    parts.push(q);
  }
  return parts.join(' ');
}
