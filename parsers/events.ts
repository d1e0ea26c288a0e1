/**
 * Event types produced by the streaming parsers. This file is the contract
 * between `parsers/` (which emits) and `sessions/` (which folds events into
 * pane state). Pure types: no runtime code, no I/O.
 */

/** Which shell-integration protocol a marker came from. */
export type MarkerDialect = '633' | '133';

/** Where a cwd report came from: OSC 633 P;Cwd=, OSC 7, OSC 1337 CurrentDir, OSC 9;9. */
export type CwdSource = '633' | '7' | '1337' | '9';

/** Prompt/command lifecycle markers (OSC 633/133 A, B, C). */
export interface LifecycleMarkerEvent {
  readonly type: 'prompt-start' | 'command-start' | 'command-executed';
  readonly dialect: MarkerDialect;
  /** Byte offset (from the start of the stream) of the ESC that began the sequence. */
  readonly offset: number;
  /** OSC 133 `;key=value` options, when present. */
  readonly options?: Readonly<Record<string, string>>;
}

/** OSC 633/133 D: the command finished. `exitCode` is null when the shell sent none. */
export interface CommandFinishedEvent {
  readonly type: 'command-finished';
  readonly dialect: MarkerDialect;
  readonly exitCode: number | null;
  readonly offset: number;
  readonly options?: Readonly<Record<string, string>>;
}

/**
 * OSC 633 E: the command line the shell is about to run. `trusted` is true only
 * when the sequence carried a nonce equal to the pane's nonce: any program can
 * print this sequence, so an untrusted command line must never be re-run.
 */
export interface CommandLineEvent {
  readonly type: 'command-line';
  readonly commandLine: string;
  readonly trusted: boolean;
  readonly offset: number;
}

/** A working-directory report. Never trusted for execution: any program can forge it. */
export interface CwdEvent {
  readonly type: 'cwd';
  readonly cwd: string;
  readonly source: CwdSource;
  /** Host named by OSC 7 file://host/path or OSC 1337 RemoteHost, when given. */
  readonly host?: string;
  readonly offset: number;
}

/** OSC 633 P;Key=Value for keys other than Cwd (and OSC 1337 keys we keep). */
export interface PropertyEvent {
  readonly type: 'property';
  readonly key: string;
  readonly value: string;
  readonly offset: number;
}

/** Every event the marker parser can emit. */
export type MarkerEvent =
  | LifecycleMarkerEvent
  | CommandFinishedEvent
  | CommandLineEvent
  | CwdEvent
  | PropertyEvent;

/** Counters a parser keeps; `tsession parse` prints them as its final `stats` line. */
export interface MarkerParserStats {
  /** Bytes pushed so far. */
  readonly bytes: number;
  /** OSC sequences seen (recognised or not). */
  readonly sequences: number;
  /** Sequences recognised as a marker dialect but malformed (skipped). */
  readonly malformed: number;
  /** Sequences dropped because they exceeded a payload limit. */
  readonly dropped: number;
  /** Best dialect seen so far, or null when no marker has been seen. */
  readonly dialect: MarkerDialect | null;
  /** Valid marker events emitted. Zero after enough bytes: the pane is raw passthrough. */
  readonly markers: number;
  /** Sequences cancelled by CAN/SUB, or cut off by the end of the stream (flush). */
  readonly aborted: number;
}
