/**
 * The demo application's schema and data: a small shop with customers (PII), orders, payment jobs,
 * feature flags and batch jobs. The example runbooks and the tests run against it.
 * Seeding is idempotent: tables are created when missing and filled only when empty.
 * The data is generated deterministically, so every machine sees the same rows.
 */
import pg from 'pg';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  id            bigserial PRIMARY KEY,
  full_name     text NOT NULL,
  email         text NOT NULL UNIQUE,
  phone         text,
  ssn           text,
  date_of_birth date,
  address       text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS payment_methods (
  id           bigserial PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES customers(id),
  card_number  text NOT NULL,
  iban         text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS orders (
  id           bigserial PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES customers(id),
  status       text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
  total_cents  integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS payment_jobs (
  id           bigserial PRIMARY KEY,
  order_id     bigint NOT NULL REFERENCES orders(id),
  state        text NOT NULL CHECK (state IN ('queued', 'running', 'stuck', 'done', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  locked_at    timestamptz,
  last_error   text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS feature_flags (
  name        text PRIMARY KEY,
  enabled     boolean NOT NULL,
  description text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS batch_jobs (
  name        text PRIMARY KEY,
  heavy       boolean NOT NULL,
  paused      boolean NOT NULL DEFAULT false,
  schedule    text NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
  id          bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  token       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE VIEW customer_contacts AS
  SELECT c.id, c.full_name, c.email, c.phone FROM customers c;
`;

const FIRST = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Frances', 'Donald', 'Radia', 'Ken', 'Margaret'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Allen', 'Knuth', 'Perlman', 'Thompson', 'Hamilton'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;

/** A Luhn-valid test card number derived from n (prefix 4000 00, like the payment networks' test ranges). */
export function testCardNumber(n: number): string {
  const body = `400000${String(n).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export const DEMO_CUSTOMERS = 40;

export async function seedDemoDatabase(url: string): Promise<{ seeded: boolean }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Serialise concurrent seeders (e.g. two test files on one database).
    await client.query('SELECT pg_advisory_xact_lock(7461)');
    await client.query(SCHEMA);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    if (Number(rows[0]?.n) > 0) {
      await client.query('COMMIT');
      return { seeded: false };
    }
    for (let i = 1; i <= DEMO_CUSTOMERS; i++) {
      const first = FIRST[i % FIRST.length] as string;
      const last = LAST[(i * 3) % LAST.length] as string;
      await client.query(
        `INSERT INTO customers (full_name, email, phone, ssn, date_of_birth, address, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(days => $7))`,
        [
          `${first} ${last}`,
          `${first}.${last}.${i}@example.com`.toLowerCase(),
          `+1 415 555 ${String(1000 + i).slice(-4)}`,
          `${String(100 + i).slice(-3)}-${String(10 + (i % 89)).padStart(2, '0')}-${String(1000 + i * 7).slice(-4)}`,
          `19${50 + (i % 49)}-0${1 + (i % 9)}-1${i % 10}`,
          `${10 + i} Market Street, San Francisco`,
          400 - i,
        ],
      );
      await client.query('INSERT INTO payment_methods (customer_id, card_number, iban) VALUES ($1, $2, $3)', [i, testCardNumber(i), i % 4 === 0 ? 'DE89370400440532013000' : null]);
      await client.query('INSERT INTO api_tokens (customer_id, token) VALUES ($1, $2)', [i, `tok_live_${(i * 7919).toString(36)}${'x'.repeat(12)}`]);
    }
    for (let i = 1; i <= 200; i++) {
      const customer = 1 + ((i * 7) % DEMO_CUSTOMERS);
      const status = STATUSES[(i * 11) % STATUSES.length] as string;
      await client.query(
        `INSERT INTO orders (customer_id, status, total_cents, created_at) VALUES ($1, $2, $3, now() - make_interval(hours => $4))`,
        [customer, status, 500 + ((i * 997) % 25_000), i * 3],
      );
    }
    // Payment jobs: most done, a handful stuck for hours (the "stuck payment jobs" incident).
    for (let i = 1; i <= 60; i++) {
      const stuck = i % 12 === 0;
      await client.query(
        `INSERT INTO payment_jobs (order_id, state, attempts, locked_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(mins => $6))`,
        [i, stuck ? 'stuck' : i % 7 === 0 ? 'failed' : 'done', stuck ? 5 : 1, stuck ? new Date(Date.now() - 3 * 3600_000) : null, stuck ? 'gateway timeout' : null, stuck ? 180 : 5],
      );
    }
    await client.query(`INSERT INTO feature_flags (name, enabled, description) VALUES
      ('new_checkout', true, 'The redesigned checkout flow'),
      ('recommendations', true, 'Product recommendations on the cart page'),
      ('bulk_export', false, 'CSV export of all orders')`);
    await client.query(`INSERT INTO batch_jobs (name, heavy, schedule) VALUES
      ('nightly_reindex', true, '0 2 * * *'),
      ('analytics_rollup', true, '*/15 * * * *'),
      ('email_digest', false, '0 7 * * *')`);
    await client.query('COMMIT');
    return { seeded: true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
