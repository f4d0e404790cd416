/**
 * The browser tests' setup: a machine without Chromium gets a failing test that says why and how to opt out, and
 * only VIGIL_SKIP_BROWSER=1 skips them. No browser is looked for or installed here.
 */
import { describe, expect, it } from 'vitest';
import type { ChromiumLookup } from '../../src/dev/chromium.js';
import { browserForTests } from '../support/browser.js';

const missing = (): ChromiumLookup => ({ ok: false, reason: '/usr/bin/chromium is missing and only root can install it (apt-get install -y chromium)' });
const found = (): ChromiumLookup => ({ ok: true, path: '/usr/bin/chromium' });
const notAsked = (): ChromiumLookup => {
  throw new Error('looked for Chromium although the browser tests are skipped');
};

describe('browser test setup', () => {
  it('runs the browser tests in the Chromium it found', () => {
    expect(browserForTests({}, found)).toEqual({ state: 'ready', path: '/usr/bin/chromium' });
  });

  it('without Chromium, says why and how to skip knowingly, for the test that fails', () => {
    expect(browserForTests({}, missing)).toEqual({
      state: 'missing',
      reason: 'no Chromium for the browser tests: /usr/bin/chromium is missing and only root can install it (apt-get install -y chromium). Install it, or set VIGIL_SKIP_BROWSER=1 to skip them.',
    });
  });

  it.each([{ VIGIL_SKIP_BROWSER: '0' }, { VIGIL_SKIP_BROWSER: 'yes' }, { VIGIL_SKIP_BROWSER: '' }])('does not skip for %o', (env) => {
    expect(browserForTests(env, missing).state).toBe('missing');
  });

  it('skips only on VIGIL_SKIP_BROWSER=1, and then installs nothing', () => {
    expect(browserForTests({ VIGIL_SKIP_BROWSER: '1' }, notAsked)).toEqual({ state: 'skipped' });
  });
});
