/** `tsession doctor`: the doctor op (src/ops/doctor.ts), one line per check; exit 1 when any check failed. */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { runDoctor, type CheckStatus } from '../../ops/doctor.js';
import { refuseArguments } from './shared.js';
import type { ValuesOf } from './options.js';

const MARK: Readonly<Record<CheckStatus, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export async function run(ctx: Context, _v: ValuesOf<'doctor'>, positionals: string[]): Promise<number> {
  refuseArguments('doctor', positionals);
  const checks = await runDoctor(ctx);
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (ctx.opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: failed === 0, checks })}\n`);
  } else {
    const lines = checks.map((c) => `${MARK[c.status]} ${c.id.padEnd(17)} ${c.summary}${c.fix ? ` — fix: ${c.fix}` : ''}`);
    const warned = checks.filter((c) => c.status === 'warn').length;
    lines.push(failed ? `${failed} ${failed === 1 ? 'problem' : 'problems'} found` : `no problems${warned ? ` (${warned} ${warned === 1 ? 'warning' : 'warnings'})` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
