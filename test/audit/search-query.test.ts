/** The search filter becomes SQL with every value bound, never spliced; table names match with and without `public.`. */
import { describe, expect, it } from 'vitest';
import { searchQuery, splitColumn, tableVariants } from '../../src/audit/search-query.js';
import { VigilError } from '../../src/shared/vigil-error.js';

describe('audit search query', () => {
  it('matches a table with and without the public schema, as given and lower-cased', () => {
    expect(tableVariants('customers')).toEqual(['customers', 'public.customers']);
    expect(tableVariants('public.customers')).toEqual(['public.customers', 'customers']);
    expect(tableVariants('Billing.Invoices')).toEqual(['Billing.Invoices', 'billing.invoices']);
  });

  it('splits table.column at the last dot', () => {
    expect(splitColumn('public.customers.email')).toEqual({ table: 'public.customers', column: 'email' });
    expect(() => splitColumn('email')).toThrow(VigilError);
  });

  it('binds every value: a hostile filter stays data', () => {
    const hostile = "x'); DROP TABLE vigil_audit; --";
    const q = searchQuery({ column: `customers.${hostile}`, principal: hostile, text: hostile, runbook: hostile, workflowId: hostile, effect: hostile });
    expect(q.text).not.toContain('DROP');
    expect(JSON.stringify(q.values)).toContain('DROP TABLE');
    expect(q.text).toMatch(/ORDER BY seq DESC LIMIT \$\d+$/);
  });

  it('asks for the column, or the table when no column of it was named', () => {
    const q = searchQuery({ column: 'customers.email' });
    expect(q.values).toEqual([['customers', 'public.customers'], ['customers.email', 'public.customers.email'], 100]);
    expect(q.text).toContain('columns_written && $2::text[]');
    expect(q.text).toContain('tables_written && $1::text[] AND NOT EXISTS');
  });

  it('matches a principal as a whole id or a whole link of the chain', () => {
    expect(searchQuery({ principal: 'alice' }).values).toEqual(['alice', ':alice -> ', 100]);
    expect(searchQuery({ principal: 'human:alice' }).values).toEqual(['human:alice', ' -> human:alice -> ', 100]);
  });

  it('normalises times, clamps the limit and refuses an unknown kind', () => {
    expect(searchQuery({ from: '2026-01-31', limit: 1e9 }).values).toEqual(['2026-01-31T00:00:00.000Z', 10_000]);
    expect(() => searchQuery({ from: 'yesterday' })).toThrow(/--from wants a time/);
    expect(() => searchQuery({ kind: 'bogus' as never })).toThrow(/--kind wants one of/);
  });
});
