/** tsession's version: the one constant that `--version`, checkpoints and the daemon's journal report. */
export const TSESSION_VERSION = '0.1.0';
