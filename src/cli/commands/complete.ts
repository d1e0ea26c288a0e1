/**
 * `tsession __complete -- WORD…` (hidden): the completion scripts' question.
 * Prints a directive line (`:words` or `:file`), then one candidate per
 * line as `word<TAB>description`. Session names come from the live server
 * and the checkpoints, checkpoint ids from the store — of the server and
 * state dir the words themselves name (`-L`, `-S`, `--state-dir`).
 * Failures offer nothing rather than print an error into the prompt.
 */
import { createContext, type Context, type GlobalOptions } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { readSessionNames } from '../../../sessions/tmux/queries.js';
import { completeWords, type Candidate } from './completion.js';
import type { ValuesOf } from './options.js';

/** How long a completion waits for tmux: a hung server must not hang the prompt. */
const TMUX_TIMEOUT_MS = 1000;

/** The global options the words before the cursor give (the server, the state dir). */
function globalsOf(words: readonly string[], base: GlobalOptions): GlobalOptions {
  const out: { -readonly [K in keyof GlobalOptions]: GlobalOptions[K] } = { ...base };
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    const next = words[i + 1]!;
    if (w === '-L' || w === '--socket') out.socketName = next;
    else if (w === '-S' || w === '--socket-path') out.socketPath = next;
    else if (w === '--state-dir') out.stateDir = next;
  }
  return out;
}

async function sessionCandidates(ctx: Context): Promise<Candidate[]> {
  const [live, saved] = await Promise.all([
    readSessionNames(ctx.server, { env: ctx.env, timeoutMs: TMUX_TIMEOUT_MS }).catch(() => new Map<string, string>()),
    ctx.store().then((s) => s.list()).catch(() => null),
  ]);
  const out = new Map<string, string>();
  for (const name of live.values()) out.set(name, 'running');
  if (saved?.ok) for (const e of saved.value) if (e.valid) for (const s of e.sessions) if (!out.has(s)) out.set(s, 'saved');
  return [...out].map(([word, description]) => ({ word, description }));
}

async function checkpointCandidates(ctx: Context): Promise<Candidate[]> {
  const listed = await ctx
    .store()
    .then((s) => s.list())
    .catch(() => null);
  if (!listed?.ok) return [];
  return listed.value.map((e) => ({ word: e.id, description: `${e.createdAt} ${e.sessions.join(', ')}${e.valid ? '' : ' (damaged)'}` }));
}

export async function run(ctx: Context, _v: ValuesOf<'__complete'>, positionals: string[]): Promise<number> {
  const words = positionals.length ? positionals : [''];
  const cur = words[words.length - 1]!;
  const what = completeWords(words);
  if (what.kind === 'file') {
    process.stdout.write(':file\n');
    return EXIT.ok;
  }
  let candidates: readonly Candidate[];
  if (what.kind === 'words') candidates = what.candidates;
  else {
    const wctx = createContext(globalsOf(words, ctx.opts), ctx.env);
    candidates = (what.kind === 'session' ? await sessionCandidates(wctx) : await checkpointCandidates(wctx)).filter((c) =>
      c.word.startsWith(cur),
    );
  }
  // One line per candidate: a name holding a newline or tab cannot be offered.
  const lines = candidates.filter((c) => !/[\n\t]/.test(c.word)).map((c) => `${c.word}\t${c.description.replace(/[\n\t]/g, ' ')}`);
  process.stdout.write([':words', ...lines].join('\n') + '\n');
  return EXIT.ok;
}
