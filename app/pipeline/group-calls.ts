// Group commit for the worker's database steps: calls made while the previous run is under way, or in the same
// turn of the event loop, go together into the next run. At hundreds of deliveries a second most answers arrive
// while a write is in progress, so one transaction (one statement on PostgreSQL) serves many deliveries instead
// of one each, and the write lock of a SQLite file shared by several worker processes is taken far less often.

export interface Grouped<I, O> {
  (item: I): Promise<O>;
}

/**
 * `run` gets the waiting items (at most `max`) and answers one result per item, in order; when it throws, every
 * item of that run gets the error (their callers retry, as they would a failed single step).
 */
export function groupCalls<I, O>(run: (items: I[]) => Promise<O[]>, max = 256): Grouped<I, O> {
  const waiting: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  let scheduled = false;
  const flush = async () => {
    while (waiting.length) {
      const batch = waiting.splice(0, max);
      try {
        const results = await run(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(results[i]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    scheduled = false;
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => void flush());
    });
}

/** One grouped function per owner (a worker's context), made on first use. */
export function groupedPer<K extends object, I, O>(make: (owner: K) => Grouped<I, O>): (owner: K) => Grouped<I, O> {
  const groups = new WeakMap<K, Grouped<I, O>>();
  return (owner) => {
    let group = groups.get(owner);
    if (!group) groups.set(owner, (group = make(owner)));
    return group;
  };
}
