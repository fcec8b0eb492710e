// Debian's Chromium driven by playwright-core (no downloaded browser), and
// the checks every page must pass: no console error, no uncaught exception,
// no Content-Security-Policy violation.
//
//   const browser = await launchBrowser();
//   const { context, page, problems } = await openPage(browser, url, { width: 360 });
//   ...
//   assert.deepEqual(problems, []);
//   await screenshot(page, 'storefront-paid');   -> <build>/browser/screenshots/storefront-paid.png
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, selectors } from 'playwright-core';
import { BUILD_DIR } from './stack.mjs';

export const SCREENSHOT_DIR = join(BUILD_DIR, 'browser', 'screenshots');

// Every API answer a page receives goes to the contract log, like the C++
// suites' (tests/integration/contract_log.h), so the pages' traffic is
// validated against docs/openapi.yaml too. Events streams never end, so
// their bodies are not read here; the C++ events suite covers them.
const contractLog = process.env.UMKM_CONTRACT_LOG_DIR
  ? join(process.env.UMKM_CONTRACT_LOG_DIR, `browser-${basename(process.argv[1] ?? 'test')}-${process.pid}.jsonl`)
  : null;

async function recordAnswer(response, testName) {
  const url = new URL(response.url());
  if (!url.pathname.startsWith('/api/small/') || url.pathname.endsWith('/events')) return;
  let body;
  try {
    body = (await response.body()).toString('utf8');
  } catch {
    return; // the page navigated away before the body was read
  }
  const request = response.request();
  appendFileSync(contractLog, JSON.stringify({
    test: testName,
    method: request.method(),
    target: url.pathname + url.search,
    status: response.status(),
    headers: await response.allHeaders(),
    body,
  }) + '\n');
}

export async function launchBrowser() {
  selectors.setTestIdAttribute('data-testid');
  return chromium.launch({
    executablePath: process.env.UMKM_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // CI runs as root, where Chromium refuses its sandbox; containers
    // without user namespaces need UMKM_CHROMIUM_NO_SANDBOX=1 too.
    args: process.getuid?.() === 0 || process.env.UMKM_CHROMIUM_NO_SANDBOX === '1' ? ['--no-sandbox'] : [],
  });
}

// A new context (its own storage: a second customer, or the admin) with one
// page, watched for problems.
export async function openPage(browser, url, { width = 1280, height = 800, locale = 'id-ID' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    // Chromium logs every non-2xx fetch as an error; the pages show API
    // errors to the customer on purpose, so those are not problems. A page
    // file that failed to load (a 404 for a script or a style) is one.
    if (message.type() !== 'error') return;
    const from = message.location()?.url ?? '';
    const apiAnswer = /\/api\/small\//.test(from) || /\/api\/small\//.test(message.text());
    if (/^Failed to load resource: the server responded with a status of/.test(message.text()) && apiAnswer) return;
    problems.push(`console: ${message.text()}${from ? ` (${from})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (contractLog) {
    mkdirSync(process.env.UMKM_CONTRACT_LOG_DIR, { recursive: true });
    page.on('response', (response) => recordAnswer(response, url ?? '').catch(() => {}));
  }
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  if (url) {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]');
  }
  return { context, page, problems };
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// After a click that calls the API: wait until no request is in flight
// (the pages set body[data-busy] while they wait for an answer).
export async function settle(page) {
  await page.waitForFunction(() => document.body.dataset.busy !== '1');
}

// The whole Rupiah amount in a text such as "Rp 12.500".
export function rupiah(text) {
  return Number(String(text).replace(/[^0-9]/g, ''));
}

// Signs the admin page in with a token; resolves once the admin panel shows.
export async function signInAdmin(page, token) {
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('admin-panel').waitFor({ state: 'visible' });
  await page.waitForSelector('body[data-ready="1"]');
  await settle(page);
}
