/**
 * The PTY host's start history on disk, for its crash-loop breaker
 * (start-breaker.ts decides): one small JSON file in the PTY store, 0600,
 * replaced atomically, written only by the host that holds the host lock;
 * clients read it to say why no host comes. Non-goal: surviving a power
 * cut exactly (a lost line only makes the breaker count one crash less).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../checkpoints/atomic-write.js';
import { errorMessage } from '../../checkpoints/result.js';
import {
  EMPTY_START_HISTORY,
  HOST_START_BREAKER,
  START_HISTORY_MAX,
  startVerdict,
  withRefusal,
  withStart,
  withUpdate,
  type HostEnd,
  type StartBreakerPolicy,
  type StartHistory,
  type StartVerdict,
} from './start-breaker.js';

const historySchema = z.object({
  version: z.literal(1),
  starts: z
    .array(
      z.object({
        at: z.number(),
        pid: z.number().int(),
        readyAt: z.number().optional(),
        end: z.enum(['clean', 'keeper-lost', 'failed', 'crashed']).optional(),
        reason: z.string().max(2000).optional(),
      }),
    )
    .max(START_HISTORY_MAX),
  refusedAt: z.number().nullable(),
});

/** The history as read: absent (never started) and unreadable are both an empty history, the latter with why. */
export type StartHistoryRead = { readonly history: StartHistory; readonly problem: string | null };

/** Read the history; never throws. */
export async function readStartHistory(file: string): Promise<StartHistoryRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { history: EMPTY_START_HISTORY, problem: null };
    return { history: EMPTY_START_HISTORY, problem: `Cannot read the PTY host's start history ${file}: ${errorMessage(e)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { history: EMPTY_START_HISTORY, problem: `Expected the PTY host's start history ${file} to be JSON, got a damaged file` };
  }
  const parsed = historySchema.safeParse(raw);
  if (!parsed.success) return { history: EMPTY_START_HISTORY, problem: `Expected the PTY host's start history ${file} to be version 1, got ${parsed.error.issues[0]?.message ?? 'something else'}` };
  return { history: { starts: parsed.data.starts, refusedAt: parsed.data.refusedAt }, problem: null };
}

/** Replace the history (0600, atomic). */
export async function writeStartHistory(file: string, h: StartHistory): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, starts: h.starts, refusedAt: h.refusedAt })}\n`, { durable: false });
}

/** A start the breaker let through: it says when it serves and how it ends (each a write; resolves to why it failed, or null). */
export interface AllowedStart {
  ready(now: number): Promise<string | null>;
  end(how: HostEnd, reason?: string): Promise<string | null>;
}

/** What the gate said. `problems`: the history could not be read or written (the start goes ahead). */
export type StartGate =
  | { readonly kind: 'start'; readonly start: AllowedStart; readonly problems: readonly string[] }
  | { readonly kind: 'open'; readonly verdict: Extract<StartVerdict, { kind: 'open' }>; readonly problems: readonly string[] };

/**
 * Ask the breaker whether this host (`pid`, holding the host lock) may
 * start at `now`, and record the answer: a start, or a refusal. Started by
 * hand, it always may, and the crashes before are forgotten.
 */
export async function passStartGate(
  file: string,
  o: { readonly pid: number; readonly now: number; readonly byHand: boolean; readonly policy?: StartBreakerPolicy },
): Promise<StartGate> {
  const problems: string[] = [];
  const read = await readStartHistory(file);
  if (read.problem) problems.push(read.problem);
  let history = read.history;
  const save = async (next: StartHistory): Promise<string | null> => {
    history = next;
    try {
      await writeStartHistory(file, next);
      return null;
    } catch (e) {
      return `Cannot write the PTY host's start history ${file}: ${errorMessage(e)}`;
    }
  };
  const note = (problem: string | null) => void (problem && problems.push(problem));
  const verdict = o.byHand ? null : startVerdict(history, o.now, o.policy ?? HOST_START_BREAKER);
  if (verdict?.kind === 'open') {
    note(await save(withRefusal(history, o.now)));
    return { kind: 'open', verdict, problems };
  }
  note(await save(withStart(history, { at: o.now, pid: o.pid }, o.byHand)));
  // One write at a time, in call order.
  let writing: Promise<unknown> = Promise.resolve();
  const update = (change: Parameters<typeof withUpdate>[2]): Promise<string | null> => {
    const next = writing.then(() => save(withUpdate(history, o.pid, change)));
    writing = next;
    return next;
  };
  return {
    kind: 'start',
    problems,
    start: {
      ready: (now) => update({ readyAt: now }),
      end: (how, reason) => update({ end: how, ...(reason ? { reason: reason.slice(0, 2000) } : {}) }),
    },
  };
}
