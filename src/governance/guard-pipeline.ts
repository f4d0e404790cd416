/**
 * Several extended-protocol statements sent to PostgreSQL as one pipeline ending in a single Sync: the guard's
 * BEGIN, the session stamp, the statement itself and (for reads) COMMIT cost one network round trip instead of four.
 * Used only by execute-guarded.ts.
 *
 * Why not pg's own tools: pg-cursor caps a read but pays a round trip per step, and pg's `pipeline` client mode
 * refuses row-limited portals. This is the same kind of custom query that pg-cursor is (a `Submittable` on pg's
 * connection), holding only what the guard needs.
 *
 * What it guarantees: every message goes out in one write, before any answer; the statement's rows stop at its row
 * limit (a suspended portal ends with the transaction); on the first error PostgreSQL skips to the Sync, so nothing
 * after a failed step runs, and the transaction is left aborted for the caller's ROLLBACK. Values are prepared by
 * the driver before anything is sent, so a value that can't be encoded fails with nothing on the wire.
 */
import type pg from 'pg';
// The driver's own value encoder (what pg-cursor uses), so parameters travel exactly as pg.query would send them.
import { prepareValue } from 'pg/lib/utils.js';
import { jsonSafe } from './json-safe.js';
import { isTimestamptz, utcTimestampToIso } from './utc-timestamp.js';
import { connectionOf } from './pg-connection.js';

export interface PipelineStatement {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** Return this statement's rows and fields (at most one statement per pipeline does). */
  readonly collect?: boolean;
  /** Stop after this many rows (0: all). Only for the collected statement. */
  readonly rowLimit?: number;
  /**
   * Keep this text as a named prepared statement on the connection, parsed and planned once: Vigil's own fixed
   * statements (the session stamp) and governed reads (their names come from statement-slots.ts).
   */
  readonly prepareAs?: string;
}

export interface PipelineResult {
  /** The collected statement's command tag (`SELECT`, `UPDATE` ...), row count and rows. */
  readonly command: string;
  readonly rowCount: number | null;
  readonly fields: pg.FieldDef[];
  readonly rows: Record<string, unknown>[];
  /** The row limit stopped the statement before its end. */
  readonly suspended: boolean;
}

type Parser = (value: string) => unknown;

interface Wire {
  readonly stream: { cork?: () => void; uncork?: () => void };
  parse(query: { name?: string; text: string }): void;
  bind(config: { statement?: string; portal: string; values: unknown[] }): void;
  close(config: { type: 'S'; name: string }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** The named statements each connection holds, by name, with their text. */
const prepared = new WeakMap<pg.Connection, Map<string, string>>();

function remember(connection: pg.Connection, name: string, text: string): void {
  let names = prepared.get(connection);
  if (!names) prepared.set(connection, (names = new Map()));
  names.set(name, text);
}

/**
 * Forgets what the client's connection holds: after a statement that may have run DEALLOCATE or DISCARD, the next
 * pipeline closes and parses its named statements again.
 */
export function forgetPrepared(client: pg.PoolClient): void {
  prepared.delete(connectionOf(client));
}

class GuardPipeline implements pg.Submittable {
  private step = 0;
  private connection: pg.Connection | undefined;
  private readonly collected: number;
  private fields: pg.FieldDef[] = [];
  private names: string[] = [];
  private parsers: Parser[] = [];
  private readonly rows: Record<string, unknown>[] = [];
  private command = 'UNKNOWN';
  private rowCount: number | null = null;
  private suspended = false;
  private readonly values: unknown[][];
  readonly done: Promise<PipelineResult>;
  private resolve!: (result: PipelineResult) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly statements: readonly PipelineStatement[],
    private readonly typeParser: (oid: number, format: 'text') => Parser,
  ) {
    this.collected = statements.findIndex((s) => s.collect);
    // Encoding first: a value pg can't send throws here, before the pipeline has started.
    this.values = statements.map((s) => (s.values ?? []).map((v) => prepareValue(v)));
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    const wire = connection as unknown as Wire;
    this.connection = connection;
    const known = prepared.get(connection);
    wire.stream.cork?.();
    try {
      this.statements.forEach((s, i) => {
        const name = s.prepareAs;
        if (name === undefined) wire.parse({ text: s.text });
        else if (known?.get(name) !== s.text) {
          // Closing a name that does not exist is no error: this clears one a governed statement might have left.
          // Forgotten at once: should the parse fail, the name holds nothing.
          known?.delete(name);
          wire.close({ type: 'S', name });
          wire.parse({ name, text: s.text });
        }
        wire.bind({ ...(name === undefined ? {} : { statement: name }), portal: '', values: this.values[i] ?? [] });
        if (i === this.collected) wire.describe({ type: 'P', name: '' });
        wire.execute({ portal: '', rows: i === this.collected ? (s.rowLimit ?? 0) : 0 });
      });
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: pg.FieldDef[] }): void {
    this.fields = msg.fields;
    this.names = msg.fields.map((f) => f.name);
    this.parsers = msg.fields.map((f) => this.typeParser(f.dataTypeID, 'text'));
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    // Rows of the other statements (the stamp's SELECT) are not wanted.
    if (this.step !== this.collected) return;
    const row: Record<string, unknown> = {};
    const raw = msg.fields;
    for (let i = 0; i < raw.length; i++) {
      const name = this.names[i] as string;
      let value = raw[i] === null ? null : (this.parsers[i] as Parser)(raw[i] as string);
      // Made JSON-safe here, as it is parsed, so a big result is not copied a second time; most values already are.
      if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) value = jsonSafe(value);
      if (name === '__proto__') Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
      else row[name] = value;
    }
    this.rows.push(row);
  }

  /** It ran, so it was parsed: a prepared statement outlives the transaction, even one rolled back later. */
  private rememberCurrent(): void {
    const current = this.statements[this.step];
    if (current?.prepareAs !== undefined && this.connection) remember(this.connection, current.prepareAs, current.text);
  }

  handleCommandComplete(msg: { text?: string; command?: string }): void {
    this.rememberCurrent();
    if (this.step === this.collected) {
      // `SELECT 5`, `UPDATE 3`, `INSERT 0 1`, `CREATE TABLE`: the words, then the row count last.
      const tag = msg.text ?? msg.command ?? '';
      this.command = tag.replace(/(?: \d+)+$/, '') || 'UNKNOWN';
      const count = / (\d+)$/.exec(tag)?.[1];
      this.rowCount = count === undefined ? null : Number(count);
    }
    this.step++;
  }

  handlePortalSuspended(): void {
    this.rememberCurrent();
    if (this.step === this.collected) this.suspended = true;
    this.step++;
  }

  handleEmptyQuery(): void {
    this.step++;
  }

  handleCopyInResponse(connection: pg.Connection): void {
    // The classifier denies COPY FROM STDIN; should one get here anyway, it gets no data.
    (connection as unknown as Wire).sendCopyFail('Vigil sends no COPY data');
  }

  handleCopyData(): void {}

  handleError(error: unknown): void {
    // The failed step's name is parsed again next time: its plan may no longer fit (a table altered since).
    const name = this.statements[this.step]?.prepareAs;
    if (name !== undefined && this.connection) prepared.get(this.connection)?.delete(name);
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolve({ command: this.command, rowCount: this.rowCount, fields: this.fields, rows: this.rows, suspended: this.suspended });
  }
}

/** Sends the statements as one pipeline and resolves with the collected statement's result, its values JSON-safe. */
export function runPipeline(client: pg.PoolClient, statements: readonly PipelineStatement[]): Promise<PipelineResult> {
  const pipeline = new GuardPipeline(statements, (oid, format) => {
    const parse = client.getTypeParser(oid, format) as Parser;
    return isTimestamptz(oid) ? (text) => utcTimestampToIso(text) ?? parse(text) : parse;
  });
  void client.query(pipeline as unknown as pg.QueryConfig);
  return pipeline.done;
}
