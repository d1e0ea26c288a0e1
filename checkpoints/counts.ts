/** Counting what a checkpoint (or a live snapshot shaped like one) holds. Pure. */

interface HasPanes {
  readonly windows: readonly { readonly panes: readonly unknown[] }[];
}

/** Panes of one session, over all its windows. */
export function paneCount(session: HasPanes): number {
  let n = 0;
  for (const w of session.windows) n += w.panes.length;
  return n;
}

/** Panes of many sessions. */
export function totalPanes(sessions: readonly HasPanes[]): number {
  let n = 0;
  for (const s of sessions) n += paneCount(s);
  return n;
}
