#!/usr/bin/env node
/**
 * The package's bin (bundled to dist/tsession.cjs, a few KB). For `tsession
 * save` it asks tmux for the layout (src/cli/early.ts) before it loads the
 * command line (dist/tsession-main.cjs, the bundle of src/cli/main.ts), so tmux
 * answers while the command line compiles and its modules load (~40 ms
 * here) instead of after: start-up is most of a save.
 */
import { createRequire } from 'node:module';
import { startEarlyWork } from './early.js';
import type { runCli } from './main.js';

const argv = process.argv.slice(2);
// Before the command line loads: Node maps a module's stack frames only if
// source maps were on when it was compiled. Only under --debug, the one
// time a stack is printed (reading the map costs start-up time).
// This bin was compiled before that, so under --debug the early read is left
// to the command line, whose frames map.
const debug = argv.includes('--debug');
if (debug) process.setSourceMapsEnabled(true);
const early = debug ? {} : startEarlyWork(argv);
// Required at run time, beside this file (esbuild does not follow createRequire).
const cli = createRequire(import.meta.url)('./tsession-main.cjs') as { runCli: typeof runCli };
void cli.runCli(argv, early);
