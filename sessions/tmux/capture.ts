/**
 * Captures pane contents (colours and attributes kept) for many panes in one
 * tmux call. Each pane's output is preceded by a marker line carrying a
 * random per-call token, so pane text cannot forge a boundary.
 */
import { randomBytes } from 'node:crypto';
import type { LivePane } from '../live/types.js';
import type { ServerSpec } from './server.js';
import type { TmuxCommand } from './argv.js';
import { runTmuxScript, type RunOptions } from './client.js';

/** A pane's captured screens: the shell's normal screen (with history) and, if shown, the alternate one. */
export interface CapturedContents {
  readonly normal: string;
  readonly alternate: string | null;
}

type Part = 'n' | 'a';

/** Commands capturing `lines` of history for each pane, delimited by `token`. */
export function captureCommands(panes: readonly LivePane[], lines: number, token: string): TmuxCommand[] {
  const cmds: TmuxCommand[] = [];
  for (const p of panes) {
    // Normal capture: history + visible grid (the alternate one while a
    // full-screen program shows it). -a: the saved normal grid, which only
    // exists while the alternate screen is on.
    // display-message runs its text through strftime first ("%12" would be
    // mangled), so the pane id is written as #{pane_id}, expanded after.
    cmds.push(['display-message', '-p', '-t', p.id, `${token} #{pane_id} n`]);
    cmds.push(['capture-pane', '-p', '-e', '-S', `-${lines}`, '-t', p.id]);
    if (p.alternateOn) {
      cmds.push(['display-message', '-p', '-t', p.id, `${token} #{pane_id} a`]);
      cmds.push(['capture-pane', '-p', '-e', '-a', '-q', '-t', p.id]);
    }
  }
  return cmds;
}

/** Split the output of captureCommands into per-pane parts. */
export function splitCaptureOutput(out: Buffer, token: string): Map<string, Partial<Record<Part, string>>> {
  const result = new Map<string, Partial<Record<Part, string>>>();
  const marker = Buffer.from(token + ' ');
  let pos = out.indexOf(marker);
  while (pos >= 0) {
    const eol = out.indexOf(0x0a, pos);
    if (eol < 0) break;
    const [, id, part] = out.toString('utf8', pos, eol).split(' ');
    const next = out.indexOf(marker, eol + 1);
    const body = out.toString('utf8', eol + 1, next < 0 ? out.length : next);
    if (id && (part === 'n' || part === 'a')) {
      const entry = result.get(id) ?? {};
      entry[part] = body;
      result.set(id, entry);
    }
    pos = next;
  }
  return result;
}

const SGR_ONLY = /\x1b\[[0-9;:]*m/g;

/** Drop trailing lines that are blank once SGR is removed; keep at most `max` lines. */
export function trimLines(text: string, max: number): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[lines.length - 1]!.replace(SGR_ONLY, '').trim() === '') lines.pop();
  return lines.length > max ? lines.slice(lines.length - max) : lines;
}

/**
 * Assemble a pane's screens from its parts. While the alternate screen is on,
 * the normal capture holds normal history followed by the alternate grid
 * (pane height lines), and `-a` holds the normal grid.
 */
export function assembleContents(
  parts: Partial<Record<Part, string>>,
  pane: Pick<LivePane, 'alternateOn' | 'height'>,
  maxLines: number,
): CapturedContents {
  const n = parts.n ?? '';
  if (!pane.alternateOn || parts.a === undefined) {
    return { normal: trimLines(n, maxLines).join('\n'), alternate: null };
  }
  const all = n.split('\n');
  if (all[all.length - 1] === '') all.pop();
  const history = all.slice(0, Math.max(0, all.length - pane.height));
  const alternate = all.slice(Math.max(0, all.length - pane.height));
  const normal = trimLines([...history, parts.a.replace(/\n$/, '')].join('\n'), maxLines);
  return { normal: normal.join('\n'), alternate: alternate.join('\n') };
}

/** Capture the last `lines` lines of each pane in one tmux call. */
export async function capturePanes(
  server: ServerSpec,
  panes: readonly LivePane[],
  lines: number,
  opts: RunOptions = {},
): Promise<Map<string, CapturedContents>> {
  const out = new Map<string, CapturedContents>();
  if (lines <= 0 || panes.length === 0) return out;
  // 96 random bits: pane text cannot guess a boundary.
  const token = `tsc-${randomBytes(12).toString('base64url')}`;
  // One tmux process for every pane (a script on stdin); a pane that closed
  // since the layout was read fails alone and is simply not captured.
  const { stdout } = await runTmuxScript(server, captureCommands(panes, lines, token), opts);
  const parts = splitCaptureOutput(stdout, token);
  for (const p of panes) {
    const got = parts.get(p.id);
    if (got) out.set(p.id, assembleContents(got, p, lines));
  }
  return out;
}
