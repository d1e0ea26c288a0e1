/**
 * Shell integration in hosted shells without touching the user's rc files,
 * the way VS Code's terminal does: bash reads a generated `--rcfile` that
 * sources the user's ~/.bashrc and then our script; zsh starts with ZDOTDIR
 * pointing at generated start-up files that source the user's own (from
 * their real ZDOTDIR) and then ours; fish runs our script with
 * `--init-command`. Other shells start unchanged. The nonce reaches the
 * script through the environment ($TSESSION_NONCE), which it removes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { programName } from '../proc/program-name.js';
import { NONCE_ENV } from '../shell-integration/nonce-store.js';

/** The integration scripts (shell/tsession.*), by shell. */
export interface IntegrationScripts {
  readonly bash: string;
  readonly zsh: string;
  readonly fish: string;
}

/** How to start a shell with integration on. */
export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** True when integration was injected (false: an unknown shell, or bash with -c and the like). */
  readonly integrated: boolean;
}

/** Where the generated start-up files go, under a private runtime dir. */
export const LAUNCH_DIR = 'shell-launch' as const;

// One word for sh-compatible files: the script path inside single quotes.
const sq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Write the generated start-up files under `runtimeDir` (0700 dir, 0600
 * files). They hold only paths, so every session shares them.
 */
export async function writeLaunchFiles(runtimeDir: string, scripts: IntegrationScripts): Promise<string> {
  const dir = join(runtimeDir, LAUNCH_DIR);
  const zdot = join(dir, 'zsh');
  await mkdir(zdot, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {
    [join(dir, 'bashrc')]: [
      '# tsession: the user\'s ~/.bashrc, then shell integration (bash --rcfile replaces ~/.bashrc).',
      'if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi',
      `. ${sq(scripts.bash)}`,
      '',
    ].join('\n'),
    // zsh reads each start-up file from $ZDOTDIR: each of ours runs the user's from their own.
    [join(zdot, '.zshenv')]: zshForward('.zshenv'),
    [join(zdot, '.zprofile')]: zshForward('.zprofile'),
    [join(zdot, '.zshrc')]: [
      '# tsession: the user\'s .zshrc, then shell integration; later files come from the user\'s ZDOTDIR.',
      'ZDOTDIR=${TSESSION_USER_ZDOTDIR:-$HOME}',
      'builtin unset TSESSION_USER_ZDOTDIR',
      '[[ -f $ZDOTDIR/.zshrc ]] && builtin source $ZDOTDIR/.zshrc',
      `builtin source ${sq(scripts.zsh)}`,
      '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) await writeFile(path, text, { mode: 0o600 });
  return dir;
}

function zshForward(name: string): string {
  return [
    `# tsession: run the user's ${name} from their own ZDOTDIR, then come back here for the next file.`,
    '__tsession_zdotdir=$ZDOTDIR',
    'ZDOTDIR=${TSESSION_USER_ZDOTDIR:-$HOME}',
    `[[ -f $ZDOTDIR/${name} ]] && builtin source $ZDOTDIR/${name}`,
    // The user's file may set ZDOTDIR: remember theirs, keep ours for the next file.
    'TSESSION_USER_ZDOTDIR=$ZDOTDIR',
    'ZDOTDIR=$__tsession_zdotdir',
    'builtin unset __tsession_zdotdir',
    '',
  ].join('\n');
}

/**
 * How to start `file args` with integration: `launchDir` from
 * writeLaunchFiles, or null when integration is off (then only the env is set).
 */
export function launchShell(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { readonly launchDir: string | null; readonly nonce: string | null; readonly scripts: IntegrationScripts | null },
): Launch {
  const withNonce = options.nonce ? { ...env, [NONCE_ENV]: options.nonce } : { ...env };
  const plain: Launch = { file, args, env: withNonce, integrated: false };
  if (!options.launchDir || !options.scripts) return plain;
  // A shell told to run something (-c, a script file) is not interactive: leave it alone.
  if (args.some((a) => a === '-c' || !a.startsWith('-'))) return plain;
  switch (programName(file)) {
    case 'bash':
      // --rcfile is ignored by a login shell; drop -l (a login shell's profile is not an interactive need here).
      return { file, args: ['--rcfile', join(options.launchDir, 'bashrc'), ...args.filter((a) => a !== '-l' && a !== '--login')], env: withNonce, integrated: true };
    case 'zsh': {
      const userZdotdir = env.ZDOTDIR ?? env.HOME ?? '';
      return { file, args, env: { ...withNonce, ZDOTDIR: join(options.launchDir, 'zsh'), TSESSION_USER_ZDOTDIR: userZdotdir }, integrated: true };
    }
    case 'fish':
      return { file, args: [...args, '--init-command', `source ${sq(options.scripts.fish)}`], env: withNonce, integrated: true };
    default:
      return plain;
  }
}
