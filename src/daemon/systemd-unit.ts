/**
 * A systemd user unit that supervises `tsession --watch` for one server:
 * restarted on failure (not after a clean stop, a usage error or "already
 * watched"), with systemd's start limit as the backoff. Printed, not
 * installed: where it goes is the user's call (README, "Watching").
 */

/**
 * One ExecStart argument in systemd's syntax: `%` and `$` are specifiers
 * and variables there, so they are doubled; anything beyond a plain word is
 * double-quoted with C escapes.
 */
export function systemdArg(arg: string): string {
  // A function replacement: in a replacement string '$$' means one '$'.
  const doubled = arg.replace(/[%$]/g, (c) => c + c);
  if (/^[A-Za-z0-9_@%$+=:,./-]+$/.test(doubled)) return doubled;
  const escaped = doubled.replace(/[\\"\x00-\x1f\x7f]/g, (c) =>
    c === '\\' ? '\\\\' : c === '"' ? '\\"' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `"${escaped}"`;
}

/** A one-line value for a unit setting: no control bytes, `%` doubled, no trailing `\` (a line continuation). */
const settingValue = (v: string): string => v.replace(/[\x00-\x1f\x7f]/g, ' ').replaceAll('%', () => '%%').replace(/\\+$/, '');

/** What sets one tsession unit apart from another; the rest of the unit is the same for every service. */
export interface UnitShape {
  readonly description: string;
  /** Service settings after ExecStart (restart policy, kill mode). */
  readonly service: readonly string[];
}

/**
 * A systemd user unit for `argv` (node, the bin, then tsession's arguments)
 * with the environment it must run with (systemd starts services without the
 * login shell's variables, so paths tsession derives from them are passed).
 * Both of tsession's services (the watch daemon, the PTY host) are written here.
 */
export function userUnit(shape: UnitShape, argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  return [
    '[Unit]',
    `Description=${settingValue(shape.description)}`,
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    ...Object.entries(env).map(([k, v]) => `Environment=${systemdArg(`${k}=${v}`)}`),
    `ExecStart=${argv.map(systemdArg).join(' ')}`,
    ...shape.service,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** The watch daemon's unit for the server labelled `label`. */
export function watchUnit(label: string, argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  return userUnit(
    {
      description: `tsession watch of tmux server ${label}`,
      service: [
        // Stopping the daemon must not stop the tmux server an automatic restore started (it lives in this unit's cgroup).
        'KillMode=process',
        'Restart=on-failure',
        'RestartSec=2',
        // 2: usage, 6: another daemon already watches this server.
        'RestartPreventExitStatus=2 6',
      ],
    },
    argv,
    env,
  );
}
