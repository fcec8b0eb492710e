// The admin page as the shop's owner uses it, in Chromium, against a
// private stack: signing in with a token from scripts/admin-token (kept only
// in the tab's session), creating and restocking goods, rejecting a payment
// with a note that the customer's storefront shows live, and the audit log.
// Screenshots go to <build>/browser/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, openPage, screenshot, settle, signInAdmin } from './support/browser.mjs';
import { startStack } from './support/stack.mjs';

const PORT = Number(process.env.UMKM_BROWSER_PORT ?? 18191);

let stack;
let browser;
let token;

function adminRow(page, id) {
  return page.locator(`[data-testid="admin-goods-row"][data-goods-id="${id}"]`);
}

async function goodsById(id) {
  const r = await stack.api('GET', `/api/small/admin/goods/${id}`, undefined, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
}

before(async () => {
  stack = await startStack('admin', PORT);
  token = stack.createToken('browser-owner');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stack?.stop();
});

describe('signing in', () => {
  it('a wrong token is refused in plain words and nothing is stored', async () => {
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/admin/');
    await page.getByTestId('token-input').fill('umkm_not-a-real-token');
    await page.getByTestId('sign-in').click();
    await settle(page);
    const error = page.getByTestId('error-message');
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.getAttribute('data-error-status'), 'ERR_UNAUTHORIZED');
    assert.equal(await page.getByTestId('admin-panel').isVisible(), false);
    const stored = await page.evaluate(() => [
      ...Object.keys(localStorage).map((k) => localStorage.getItem(k)),
      ...Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)),
      document.cookie,
    ].join('\n'));
    assert.ok(!stored.includes('not-a-real-token'), `the refused token was kept: ${stored}`);
    await screenshot(page, 'admin-token-rejected');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('the token lives in the tab session only, and signing out forgets it', async () => {
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/admin/');
    await signInAdmin(page, token);
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage).map((k) => localStorage.getItem(k)).join('\n'),
      session: Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)).join('\n'),
      cookies: document.cookie,
      url: location.href,
    }));
    assert.ok(stored.session.includes(token), 'kept for the tab');
    assert.ok(!stored.local.includes(token), 'never in localStorage');
    assert.ok(!stored.cookies.includes(token) && !stored.url.includes(token), 'never in a cookie or URL');

    // A second tab of the same browser (same localStorage) is not signed in.
    const other = await context.newPage();
    await other.goto(stack.baseUrl + '/admin/');
    await other.waitForSelector('body[data-ready="1"]');
    assert.equal(await other.getByTestId('sign-in-panel').isVisible(), true);
    await other.close();

    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-panel').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('goods', () => {
  it('the owner creates goods, restocks them and changes the price; the storefront shows them', async () => {
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/admin/');
    await signInAdmin(page, token);
    await page.getByTestId('tab-goods').click();
    await settle(page);

    await page.getByTestId('goods-create-name').fill('Es Cendol');
    await page.getByTestId('goods-create-price').fill('6.000');
    await page.getByTestId('goods-create-stock').fill('12');
    await page.getByTestId('goods-create-submit').click();
    await settle(page);
    const row = page.locator('[data-testid="admin-goods-row"]').filter({ hasText: 'Es Cendol' });
    await row.waitFor();
    const id = Number(await row.getAttribute('data-goods-id'));
    assert.deepEqual(await goodsById(id), { id, name: 'Es Cendol', price: 6000, stock: 12, deleted: false });

    await row.getByTestId('restock-quantity').fill('8');
    await row.getByTestId('restock-incr').click();
    await settle(page);
    await page.locator(`[data-testid="admin-goods-row"][data-goods-id="${id}"][data-stock="20"]`).waitFor();
    assert.equal((await goodsById(id)).stock, 20);

    // Taking away more than there is: refused, in words, and nothing changes.
    await adminRow(page, id).getByTestId('restock-quantity').fill('25');
    await adminRow(page, id).getByTestId('restock-decr').click();
    await settle(page);
    assert.equal(await page.getByTestId('error-message').getAttribute('data-error-status'), 'ERR_OUT_OF_STOCK');
    assert.equal((await goodsById(id)).stock, 20);

    await adminRow(page, id).getByTestId('goods-edit').click();
    await adminRow(page, id).getByTestId('goods-edit-price').fill('6500');
    await adminRow(page, id).getByTestId('goods-edit-save').click();
    await settle(page);
    await page.locator(`[data-testid="admin-goods-row"][data-goods-id="${id}"][data-price="6500"]`).waitFor();
    await screenshot(page, 'admin-goods-created-restocked');

    const listed = await stack.api('GET', '/api/small/stocks?total_goods=100');
    assert.deepEqual(listed.body.data.find((g) => g.id === id), { id, name: 'Es Cendol', stock: 20, price: 6500 });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('deleting asks first, then hides the goods from sale', async () => {
    const created = await stack.api('POST', '/api/small/admin/goods', { name: 'Kerupuk', price: 500, stock: 40 }, token);
    const id = created.body.data.id;
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/admin/');
    await signInAdmin(page, token);
    await page.getByTestId('tab-goods').click();
    await settle(page);
    await adminRow(page, id).getByTestId('goods-delete').click();
    await settle(page);
    await adminRow(page, id).getByTestId('goods-delete-confirm-box').waitFor({ state: 'visible' });
    assert.equal((await goodsById(id)).deleted, false, 'nothing happens before the confirmation');
    await adminRow(page, id).getByTestId('goods-delete-confirm').click();
    await settle(page);
    await page.locator(`[data-testid="admin-goods-row"][data-goods-id="${id}"][data-deleted="true"]`).waitFor();
    const listed = await stack.api('GET', '/api/small/stocks?total_goods=100');
    assert.equal(listed.body.data.some((g) => g.id === id), false);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('payments', () => {
  it('rejecting a payment with a note puts the stock back and the customer sees the note live', async () => {
    const created = await stack.api('POST', '/api/small/admin/goods', { name: 'Aa Martabak', price: 25000, stock: 3 }, token);
    const goods = created.body.data;

    // The customer buys on the storefront and keeps the page open.
    const customer = await openPage(browser, stack.baseUrl + '/');
    const shop = customer.page;
    const goodsRow = shop.locator(`[data-testid="goods-row"][data-goods-id="${goods.id}"]`);
    await goodsRow.getByTestId('add-quantity').fill('2');
    await goodsRow.getByTestId('add-button').click();
    await settle(shop);
    await shop.getByTestId('pay-amount').fill('50000');
    await shop.getByTestId('pay-button').click();
    await settle(shop);
    const transactionId = await shop.getByTestId('receipt').getAttribute('data-transaction-id');
    await shop.locator('[data-testid="transaction-status"][data-status="PAID"]').waitFor();
    assert.equal((await goodsById(goods.id)).stock, 1);

    const admin = await openPage(browser, stack.baseUrl + '/admin/');
    await signInAdmin(admin.page, token);
    const row = admin.page.locator(`[data-testid="tx-row"][data-transaction-id="${transactionId}"]`);
    await row.waitFor();
    assert.ok((await row.innerText()).includes('Aa Martabak'), 'the queue shows what was bought');

    // A reject without a note is stopped before anything is sent.
    await row.getByTestId('reject').click();
    assert.equal(await admin.page.getByTestId('error-message').getAttribute('data-error-status'), 'LOCAL_VALIDATION');
    assert.equal((await stack.api('GET', `/api/small/transactions/${transactionId}`)).body.data.status, 'PAID');

    await row.getByTestId('reject-note').fill('transfer tidak masuk');
    await screenshot(admin.page, 'admin-queue-paid');
    await row.getByTestId('reject').click();
    await settle(admin.page);
    await row.waitFor({ state: 'detached' });
    await screenshot(admin.page, 'admin-queue-after-reject');

    await shop.locator('[data-testid="transaction-status"][data-status="REJECTED"]').waitFor({ timeout: 10_000 });
    assert.equal(await shop.getByTestId('transaction-note').innerText(), 'transfer tidak masuk');
    await screenshot(shop, 'storefront-rejected-with-note');
    assert.equal((await goodsById(goods.id)).stock, 3, 'the rejection put the stock back');

    // The decided payment is in the list of rejected ones, with its note.
    await admin.page.getByTestId('tx-status-filter').selectOption('REJECTED');
    await settle(admin.page);
    const decided = admin.page.locator(`[data-testid="tx-row"][data-transaction-id="${transactionId}"]`);
    assert.equal(await decided.getByTestId('tx-status').getAttribute('data-status'), 'REJECTED');
    assert.equal(await decided.getByTestId('tx-note').innerText(), 'transfer tidak masuk');

    // And the audit log names the decision.
    await admin.page.getByTestId('tab-audit').click();
    await settle(admin.page);
    const entry = admin.page.locator('[data-testid="audit-row"][data-action="transaction.verify"]').first();
    assert.ok((await entry.innerText()).includes(transactionId), 'the audit entry names the transaction');
    await screenshot(admin.page, 'admin-audit-log');

    assert.deepEqual(customer.problems, []);
    assert.deepEqual(admin.problems, []);
    await customer.context.close();
    await admin.context.close();
  });
});
