/** `tsession list`: live sessions, and those only a checkpoint remembers (src/ops/list.ts), as a table or JSON. */
import { departureWords } from '../../../checkpoints/departures.js';
import { age, visible } from '../../../checkpoints/words.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { listSessions, type ListedHealth, type ListedSession, type SessionList } from '../../ops/list.js';
import type { PtyListing } from '../../ops/pty-sessions.js';
import { ptyStateText } from '../../ops/pty-words.js';
import { table } from './format-table.js';
import { refuseArguments } from './shared.js';

/** What each health is called in the table: the interface's badge words (attachment is its own column). */
export const HEALTH_WORDS = {
  healthy: 'healthy',
  changed: 'changed',
  frozen: 'frozen',
  crashed: 'crashed',
  closed: 'closed',
  unknown: 'unknown (no answer)',
} as const satisfies Record<ListedHealth, string>;

/** A row's health in words, with why it left when that is known (the interface's words). */
const healthText = (s: ListedSession): string => (s.departed && (s.health === 'crashed' || s.health === 'closed') ? `${HEALTH_WORDS[s.health]}: ${departureWords(s.departed)}` : HEALTH_WORDS[s.health]);

/** The list as text: tmux sessions, then PTY sessions, with a kind column. */
export function formatList(sessions: readonly ListedSession[], now = Date.now(), pty: readonly PtyListing[] = []): string {
  if (sessions.length === 0 && pty.length === 0) return 'no sessions, live or saved\n';
  return table(
    ['SESSION', 'HEALTH', 'KIND', 'WINDOWS', 'PANES', 'ATTACHED', 'CHECKPOINT'],
    [
      ...sessions.map((s) => [
        visible(s.name),
        healthText(s),
        'tmux',
        s.windows === null ? '-' : String(s.windows),
        s.panes === null ? '-' : String(s.panes),
        s.attached ? 'yes' : 'no',
        s.checkpoint ? `${age(now - Date.parse(s.checkpoint.createdAt))} ago` : 'never',
      ]),
      ...pty.map((p) => [visible(p.name), ptyStateText(p), 'pty', '-', '1', p.clients > 0 ? 'yes' : 'no', '-']),
    ],
  );
}

/**
 * Print the list. A tmux failure other than "no server running" (a stopped
 * or hung server, tmux missing) is said first and exits EXIT.tmux: the
 * saved sessions may be running, so the list is not the whole truth.
 */
export function printList(ctx: Context, list: SessionList): number {
  const pty = list.pty?.sessions ?? [];
  // Without tmux, PTY sessions are the whole story: one quiet line, not a failure.
  const tmuxAbsent = list.tmuxProblem?.kind === 'not-installed' && list.sessions.length === 0 && pty.length > 0;
  // One line a person can act on, as a failing command says it (not a warning: the exit code says it failed).
  if (list.tmuxProblem) process.stderr.write(tmuxAbsent ? 'tsession: tmux is not installed; PTY sessions only\n' : `tsession: ${list.tmuxProblem.message}\n`);
  if (ctx.opts.json) {
    const problem = list.tmuxProblem ? { kind: list.tmuxProblem.kind, message: list.tmuxProblem.message } : null;
    process.stdout.write(`${JSON.stringify({ server: ctx.server, sessions: list.sessions, tmuxProblem: problem, pty: list.pty })}\n`);
  } else process.stdout.write(formatList(list.sessions, Date.now(), pty));
  return list.tmuxProblem && !tmuxAbsent ? EXIT.tmux : EXIT.ok;
}

export async function run(ctx: Context, _v: unknown, positionals: string[]): Promise<number> {
  refuseArguments('list', positionals);
  return printList(ctx, await listSessions(ctx));
}
