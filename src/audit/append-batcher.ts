/**
 * Group commit for audit appends within one process. Appends are serialised on the chain head anyway, so instead of
 * queueing N transactions on that lock (each paying its own commit flush while holding it), one append is in flight
 * at a time and every append that arrives meanwhile goes into the next batch: one statement, one commit, many records.
 * A caller's promise settles only after the commit that holds its record, so write-ahead semantics are unchanged:
 * when recordAttempt resolves, the attempt is durable.
 *
 * When a batch of several fails on its data (e.g. an outcome for an unknown attempt), its entries are retried one by
 * one, so one bad record fails only its own caller. Any other failure (connection lost) fails the whole batch: the
 * commit may or may not have happened, and retrying blindly could record twice.
 */
export interface BatchWriter<E, R> {
  (entries: readonly E[]): Promise<readonly R[]>;
}

interface Waiting<E, R> {
  readonly entry: E;
  readonly resolve: (receipt: R) => void;
  readonly reject: (error: unknown) => void;
}

/** SQLSTATE classes that mean "this data", not "this connection": 22 data exception, 23 constraint violation. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export class AppendBatcher<E, R> {
  private readonly queue: Waiting<E, R>[] = [];
  private draining = false;

  constructor(
    private readonly write: BatchWriter<E, R>,
    private readonly maxBatch = 256,
  ) {}

  append(entry: E): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Never rejects: every failure is handed to the callers it concerns. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          settle(batch, await this.write(batch.map((w) => w.entry)));
        } catch (error) {
          if (batch.length > 1 && isDataError(error)) {
            for (const one of batch) {
              try {
                settle([one], await this.write([one.entry]));
              } catch (e) {
                one.reject(e);
              }
            }
          } else {
            for (const w of batch) w.reject(error);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

function settle<E, R>(batch: readonly Waiting<E, R>[], receipts: readonly R[]): void {
  batch.forEach((w, i) => {
    const receipt = receipts[i];
    if (receipt === undefined) w.reject(new Error(`audit append returned ${receipts.length} receipts for ${batch.length} records`));
    else w.resolve(receipt);
  });
}
