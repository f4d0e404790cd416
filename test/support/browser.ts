/**
 * A real browser for the UI tests: Debian's Chromium (installed by the test setup when missing, see
 * src/dev/chromium.ts) driven by playwright-core, headless, with the flags this kind of machine needs. Never a
 * downloaded browser. A machine without Chromium fails the browser tests, saying why, unless VIGIL_SKIP_BROWSER=1
 * says to skip them: a silent skip would pass green with the UI untested. Screenshots go to test-output/ui/
 * (gitignored), at a phone's and a desk's width, and each one also checks that the page fits its width (no sideways
 * scrolling on a phone).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium, type ChromiumLookup } from '../../src/dev/chromium.js';

export const SCREENSHOT_DIR = 'test-output/ui';
export const PHONE = { width: 390, height: 844 } as const;
export const DESK = { width: 1280, height: 800 } as const;

export type BrowserForTests =
  | { readonly state: 'ready'; readonly path: string }
  /** No Chromium: `reason` is what the failing test says. */
  | { readonly state: 'missing'; readonly reason: string }
  /** VIGIL_SKIP_BROWSER=1: the one way to skip the browser tests, and they say so. */
  | { readonly state: 'skipped' };

/** Whether the browser tests run, and in which Chromium (installed if need be, unless they are skipped). */
export function browserForTests(env: NodeJS.ProcessEnv = process.env, find: () => ChromiumLookup = () => ensureChromium((line) => console.log(line))): BrowserForTests {
  if (env.VIGIL_SKIP_BROWSER === '1') {
    console.log('UI browser tests skipped: VIGIL_SKIP_BROWSER=1');
    return { state: 'skipped' };
  }
  const found = find();
  if (found.ok) return { state: 'ready', path: found.path };
  return { state: 'missing', reason: `no Chromium for the browser tests: ${found.reason}. Install it, or set VIGIL_SKIP_BROWSER=1 to skip them.` };
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

export interface Shot {
  readonly file: string;
  readonly width: number;
  /** The page's own width: more than the viewport means it scrolls sideways. */
  readonly scrollWidth: number;
}

/** The page as it is, at phone and desk width, full length; the viewport is put back to what it was. */
export async function screenshots(page: Page, name: string): Promise<Shot[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const shots: Shot[] = [];
  for (const size of [PHONE, DESK]) {
    await page.setViewportSize(size);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    const file = join(SCREENSHOT_DIR, `${name}-${size.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push({ file, width: size.width, scrollWidth });
  }
  if (before) await page.setViewportSize(before);
  return shots;
}
