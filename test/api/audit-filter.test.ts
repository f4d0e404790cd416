/** The audit filter of the API and the UI has the names of `vigil audit search`'s options and means the same. */
import { describe, expect, it } from 'vitest';
import { auditQuery, auditQueryString, auditSearch } from '../../src/api/audit-filter.js';

describe('audit filter', () => {
  it('maps the CLI option names onto the store search (run -> workflowId, decision -> effect)', () => {
    const q = auditQuery({ column: 'customers.email', principal: 'alice', run: 'vigil-x', decision: 'require_approval', kind: 'attempt', from: '2026-01-01', to: '2026-02-01', text: 'phone', limit: '20', table: 'orders', runbook: 'r' });
    expect(auditSearch(q)).toEqual({ column: 'customers.email', principal: 'alice', workflowId: 'vigil-x', effect: 'require_approval', kind: 'attempt', from: '2026-01-01', to: '2026-02-01', text: 'phone', limit: 20, table: 'orders', runbook: 'r' });
  });

  it('drops empty and unknown fields, as an HTML form sends every field', () => {
    expect(auditQuery({ column: '', principal: '  ', nonsense: 'x', kind: ['attempt'] })).toEqual({});
    expect(auditSearch({})).toEqual({});
  });

  it('refuses an unknown kind or decision, and a limit that is not a whole number', () => {
    expect(() => auditSearch({ kind: 'nonsense' })).toThrow(/kind wants one of attempt, outcome, denial/);
    expect(() => auditSearch({ decision: 'maybe' })).toThrow(/decision wants one of allow, deny, require_approval/);
    expect(() => auditSearch({ limit: 'ten' })).toThrow(/limit wants a whole number/);
  });

  it('writes the query string back, all fields or only some (the evidence link keeps only the time range)', () => {
    const q = { column: 'customers.email', from: '2026-01-01T00:00:00Z', to: '2026-02-01' };
    expect(auditQueryString(q)).toBe('?column=customers.email&from=2026-01-01T00%3A00%3A00Z&to=2026-02-01');
    expect(auditQueryString(q, ['from', 'to'])).toBe('?from=2026-01-01T00%3A00%3A00Z&to=2026-02-01');
    expect(auditQueryString({}, ['from', 'to'])).toBe('');
  });
});
