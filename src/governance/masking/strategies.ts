/**
 * How a sensitive value is replaced. `hash` is a keyed HMAC pseudonym: stable within a deployment, so joins and
 * counts still work, and irreversible without the key.
 */
import { createHmac } from 'node:crypto';

export type Strategy = 'redact' | 'partial' | 'hash' | 'null';

export function applyStrategy(strategy: Strategy, value: string, label: string, hashKey: string): string | null {
  switch (strategy) {
    case 'null':
      return null;
    case 'redact':
      return `[REDACTED:${label}]`;
    case 'hash':
      return `h:${createHmac('sha256', hashKey).update(value).digest('hex').slice(0, 16)}`;
    case 'partial': {
      const at = value.lastIndexOf('@');
      if (at > 0) return `***${value.slice(at)}`;
      const digits = value.replace(/\D/g, '');
      if (digits.length >= 8) return `***${digits.slice(-4)}`;
      return `[REDACTED:${label}]`;
    }
  }
}
