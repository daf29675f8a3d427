import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Browser tests drive Debian's Chromium (no browser download): `apt-get install chromium`.
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

/** Where every run writes its screenshots, for a reviewer to look at (ignored by git). */
export const ARTIFACTS = new URL('../../../test/artifacts/', import.meta.url);

export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 390, height: 844 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/**
 * A page that records every Content-Security-Policy violation: the `securitypolicyviolation`
 * events of the document (listened for by an init script, which the browser runs outside the
 * page's CSP) and Chromium's console reports of them; and every uncaught error.
 */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** CSP violations and uncaught errors so far. */
  problems(): Promise<string[]>;
}

export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = WIDE,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, colorScheme });
  // Page-side code as strings: the tests compile without the DOM's types.
  await context.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline')));`,
  });
  const page = await context.newPage();
  // Pages ask the service every 5 s: a change shows within two rounds.
  page.setDefaultTimeout(12_000);
  const reported: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) reported.push(message.text());
  });
  page.on('pageerror', (error) => reported.push(`uncaught: ${error.message}`));
  return {
    page,
    context,
    async problems() {
      const violations = await page.evaluate<string[]>('window.cspViolations ?? []');
      return [...reported, ...violations];
    },
  };
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA, and
 * axe's best practices). axe's source is evaluated through the DevTools protocol: an injected
 * <script> tag would be an inline script, which the service's CSP refuses, and turning the CSP
 * off for the test (bypassCSP) would hide the violations the tests look for.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(await axeSource);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run({ runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } }).then((results) => results.violations)`,
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
    );
}

/** Writes test/artifacts/<name>.png, the whole page. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}
