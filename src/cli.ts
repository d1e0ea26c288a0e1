#!/usr/bin/env node
/**
 * The command line as tsc compiles it (dist/src/cli.js): the TUI's
 * background save runs this one. The package's bin is the bundle of
 * src/bin.ts, which runs the same src/main.ts.
 */
import { runCli } from './main.js';

void runCli(process.argv.slice(2));
