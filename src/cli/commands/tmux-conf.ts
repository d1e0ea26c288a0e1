/**
 * `tsession tmux-conf`: the tmux.conf lines that load tsession.tmux (the
 * plugin file at the package root), with its options and their defaults.
 */
import { join } from 'node:path';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { refuseArguments } from './shared.js';
import { packageRoot } from './shell-integration.js';
import type { ValuesOf } from './options.js';

/** The plugin file's name at the package root. */
export const PLUGIN_FILE = 'tsession.tmux';

/** A word tmux's config parser reads back as itself (single quotes; a quote inside is closed, escaped and reopened). */
function tmuxWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The snippet for `plugin` (an absolute path to tsession.tmux). */
export function tmuxConfSnippet(plugin: string): string {
  return [
    '# tsession: prefix C-s saves every session, prefix C-r opens the interface in a popup.',
    '# Options (uncomment to change; set them before the run-shell line):',
    "# set -g @tsession-save-key 'C-s'        # 'none': no binding",
    "# set -g @tsession-restore-key 'C-r'     # 'none': no binding",
    "# set -g @tsession-popup-size '90%'",
    "# set -g @tsession-bin 'tsession'        # default: tsession on PATH, else this package's build",
    "# set -g @tsession-watch 'on'            # start tsession --watch for this server (when systemd does not)",
    `run-shell ${tmuxWord(plugin)}`,
    '',
  ].join('\n');
}

export async function run(ctx: Context, _v: ValuesOf<'tmux-conf'>, positionals: string[]): Promise<number> {
  refuseArguments('tmux-conf', positionals);
  const plugin = join(packageRoot(), PLUGIN_FILE);
  process.stdout.write(ctx.opts.json ? `${JSON.stringify({ plugin, snippet: tmuxConfSnippet(plugin) })}\n` : tmuxConfSnippet(plugin));
  return EXIT.ok;
}
