/**
 * Checkpoint schema, version 2: the on-disk record of one tmux server's
 * sessions, or of the PTY sessions tsession hosts itself (version 2 added
 * them; a version-1 file reads unchanged). The record types are inferred from this schema, so what is
 * validated is exactly what the code sees. Live types live in sessions/.
 */
import { z } from 'zod';

import { CHECKPOINT_FORMAT, CHECKPOINT_MIN_VERSION, CHECKPOINT_VERSION } from './format.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_MIN_VERSION, CHECKPOINT_VERSION };

/** Where a fact came from, best first (DESIGN.md "Fact provenance"). */
export const PROVENANCES = [
  'osc633-trusted',
  'osc633',
  'osc133',
  'osc7',
  'osc1337',
  'osc9',
  'proc',
  'tmux',
  'heuristic',
] as const;
export const provenanceSchema = z.enum(PROVENANCES);
export type Provenance = z.infer<typeof provenanceSchema>;

const tmuxId = (prefix: '$' | '@' | '%') =>
  z.string().regex(new RegExp(`^\\${prefix}[0-9]+$`), `a tmux id like ${prefix}3`);

/** A directory fact with its source. */
export const cwdFactSchema = z.object({
  path: z.string().min(1),
  source: provenanceSchema,
});

/**
 * The pane's foreground job: the pane tty's foreground process group when it
 * is not the shell itself. `argv`/`cwd` are null when /proc refused (setuid),
 * never guessed.
 */
export const foregroundSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shell') }),
  z.object({
    kind: z.literal('job'),
    /** Basename of the program (tmux pane_current_command or argv[0]). */
    command: z.string(),
    argv: z.array(z.string()).min(1).nullable(),
    cwd: z.string().nullable(),
    source: provenanceSchema,
  }),
]);

/** Pane contents stored as a content-addressed msgpack blob beside the JSON. */
export const contentsRefSchema = z.object({
  /** SHA-256 (hex) of the blob's bytes; the blob file is named after it. */
  blob: z.string().regex(/^[0-9a-f]{64}$/),
  /** Lines captured from the normal screen (history + visible). */
  lines: z.number().int().nonnegative(),
  /** True when the pane was showing the alternate screen (a full-screen program). */
  alternateScreen: z.boolean(),
});

/** Last command line seen through shell integration, with its trust. */
export const lastCommandSchema = z.object({
  commandLine: z.string(),
  trusted: z.boolean(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  source: provenanceSchema,
});

export const paneSchema = z.object({
  id: tmuxId('%'),
  index: z.number().int().nonnegative(),
  title: z.string(),
  active: z.boolean(),
  /** The window's previously active pane (select-pane -l target). */
  last: z.boolean().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** The pane's own process (the shell): argv from /proc, or null if unreadable. */
  shell: z.object({
    command: z.string(),
    argv: z.array(z.string()).min(1).nullable(),
  }),
  /** The shell's cwd: where a restore starts it. */
  cwd: cwdFactSchema,
  foreground: foregroundSchema,
  contents: contentsRefSchema.nullable(),
  lastCommand: lastCommandSchema.nullable().optional(),
  /**
   * Pane options a restore sets again, present only when not off (absent in
   * checkpoints written before they were recorded: read as off).
   */
  options: z
    .object({
      synchronizePanes: z.literal(true).optional(),
      remainOnExit: z.enum(['on', 'failed']).optional(),
    })
    .optional(),
});

export const windowSchema = z.object({
  id: tmuxId('@'),
  index: z.number().int().nonnegative(),
  name: z.string(),
  automaticRename: z.boolean(),
  /** tmux window_layout string (with checksum), applied with select-layout. */
  layout: z.string().min(1),
  active: z.boolean(),
  last: z.boolean(),
  zoomed: z.boolean(),
  panes: z.array(paneSchema).min(1),
});

export const sessionSchema = z.object({
  id: tmuxId('$'),
  name: z.string().min(1),
  /** Session's base-index option in effect when saved. */
  baseIndex: z.number().int().nonnegative(),
  createdAt: z.number().int().nonnegative(),
  /**
   * Its session group (tmux's session_group), absent when none. The
   * sessions of a group list the same windows (same ids); a restore builds
   * them once and makes the others members of the group.
   */
  group: z.string().min(1).optional(),
  windows: z.array(windowSchema).min(1),
});

/**
 * A PTY session tsession hosts (src/pty-host/). Every field is untrusted on
 * read: a revive quotes, checks and allowlists before anything runs.
 */
export const ptySessionSchema = z.object({
  /** The session's name (what `tsession attach NAME` takes). */
  name: z.string().min(1).max(256),
  /** Random id of this incarnation of the session (a revive makes a new one). */
  incarnation: z.string().min(1).max(64),
  /** The program the session was started with: argv[0] and its arguments. */
  argv: z.array(z.string()).min(1),
  /** True when argv is the user's shell (a revive walks the shell ladder), false for `new NAME -- CMD`. */
  isShell: z.boolean(),
  /** The shell's cwd: where a revive starts it. */
  cwd: cwdFactSchema,
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  /** The window title the program set (untrusted text). */
  title: z.string(),
  /** The serialized screen and scrollback (escape sequences that redraw it), as a blob. */
  screen: contentsRefSchema.nullable(),
  lastCommand: lastCommandSchema.nullable(),
  /** The foreground job on the pty when it was not the shell (argv from /proc), as for a tmux pane. */
  foreground: foregroundSchema,
  /** Epoch ms the session was first created. */
  createdAt: z.number().int().nonnegative(),
  /** The process when the checkpoint was written: its pid, or how it ended. */
  process: z.discriminatedUnion('state', [
    z.object({ state: z.literal('running'), pid: z.number().int().positive() }),
    z.object({ state: z.literal('exited'), exitCode: z.number().int(), signal: z.number().int().nullable() }),
  ]),
  /** Output bytes the screen includes (the keeper's offset), so a host that adopts the session replays only what follows. */
  outputOffset: z.number().int().nonnegative(),
  /** Generation of the output log that continues this checkpoint (checkpoints/pty-log.ts). */
  logGeneration: z.number().int().nonnegative(),
  /** When this session was revived lately (epoch ms): the crash-loop breaker counts them. */
  revives: z.array(z.number().int().nonnegative()).max(64),
});

/** The checksummed part of a checkpoint. */
export const checkpointBodySchema = z.object({
  id: z.string().min(1),
  /** ISO-8601 creation time. */
  createdAt: z.string(),
  host: z.string(),
  tmuxVersion: z.string(),
  tsessionVersion: z.string(),
  server: z.object({
    /** Absolute socket path: checkpoints are kept per server. */
    socketPath: z.string().min(1),
    /** How the server was chosen (-L name, -S path, $TMUX, default). */
    label: z.string(),
  }),
  sessions: z.array(sessionSchema),
  /** PTY sessions (version 2), kept under their own server entry (socketPath `pty`). */
  ptySessions: z.array(ptySessionSchema).optional(),
});

/** The whole file: format marker, version, checksum, body. */
export const checkpointFileSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.number().int().min(CHECKPOINT_MIN_VERSION).max(CHECKPOINT_VERSION),
  /** SHA-256 (hex) of the canonical JSON of `body`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  body: checkpointBodySchema,
});

export type CheckpointBody = z.infer<typeof checkpointBodySchema>;
export type CheckpointFile = z.infer<typeof checkpointFileSchema>;
export type SessionRecord = z.infer<typeof sessionSchema>;
export type WindowRecord = z.infer<typeof windowSchema>;
export type PaneRecord = z.infer<typeof paneSchema>;
export type ForegroundRecord = z.infer<typeof foregroundSchema>;
export type ContentsRef = z.infer<typeof contentsRefSchema>;
export type LastCommandRecord = z.infer<typeof lastCommandSchema>;
export type PtySessionRecord = z.infer<typeof ptySessionSchema>;

/** Pane contents blob (msgpack-encoded). `normal` is the shell's screen + history with SGR. */
export interface ContentsBlob {
  readonly v: 1;
  /** Normal-screen history + visible lines, escape sequences kept (capture-pane -e). */
  readonly normal: string;
  /** Alternate-screen visible lines when a full-screen program was showing, else null. */
  readonly alternate: string | null;
}
