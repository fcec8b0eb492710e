// The storefront as a customer uses it, in Chromium, against a private
// stack: buying with change and watching the owner's decision arrive live,
// the errors a customer meets (out of stock, a price that changed), and a
// phone's 360-pixel screen. Each test saves a screenshot of what the
// customer saw (<build>/browser/screenshots/).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, openPage, rupiah, screenshot, settle, signInAdmin } from './support/browser.mjs';
import { startStack } from './support/stack.mjs';

const PORT = Number(process.env.UMKM_BROWSER_PORT ?? 18190);

let stack;
let browser;
let token;

// Goods made for one test through the admin API. Names start with "Aa" so
// that the storefront's first page (sorted by name) shows them.
let serial = 0;
async function createGoods(label, { price, stock }) {
  serial += 1;
  const name = `Aa ${label} ${serial}`;
  const r = await stack.api('POST', '/api/small/admin/goods', { name, price, stock }, token);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

function goodsRow(page, id) {
  return page.locator(`[data-testid="goods-row"][data-goods-id="${id}"]`);
}

async function addToCart(page, goodsId, quantity) {
  const row = goodsRow(page, goodsId);
  await row.getByTestId('add-quantity').fill(String(quantity));
  await row.getByTestId('add-button').click();
  await settle(page);
}

async function errorShown(page) {
  const error = page.getByTestId('error-message');
  await error.waitFor({ state: 'visible' });
  return { status: await error.getAttribute('data-error-status'), text: await error.innerText() };
}

before(async () => {
  stack = await startStack('storefront', PORT);
  token = stack.createToken('browser-storefront');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stack?.stop();
});

describe('buying', () => {
  it('a customer buys two goods, pays with change, and sees the approval arrive without a reload', async () => {
    const coffee = await createGoods('Kopi Susu', { price: 4000, stock: 20 });
    const snack = await createGoods('Roti Bakar', { price: 7500, stock: 10 });
    const customer = await openPage(browser, stack.baseUrl + '/');
    const { page } = customer;

    await addToCart(page, coffee.id, 2);
    await addToCart(page, snack.id, 1);
    const total = 2 * 4000 + 7500;
    assert.equal(Number(await page.getByTestId('cart-total').getAttribute('data-amount')), total);
    assert.equal(await page.locator('[data-testid="cart-line"]').count(), 2);

    await page.getByTestId('pay-amount').fill('20000');
    await page.getByTestId('pay-button').click();
    await settle(page);
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor({ state: 'visible' });
    assert.equal(Number(await page.getByTestId('change-amount').getAttribute('data-amount')), 20000 - total);
    assert.equal(rupiah(await page.getByTestId('change-amount').innerText()), 20000 - total);
    const transactionId = await receipt.getAttribute('data-transaction-id');
    assert.match(transactionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await page.locator('[data-testid="transaction-status"][data-status="PAID"]').waitFor();
    await screenshot(page, 'storefront-paid');

    // The stock is taken, as the server says.
    const listed = await stack.api('GET', '/api/small/stocks?sort_by=name&sort=ASC&total_goods=100');
    const stockOf = (id) => listed.body.data.find((g) => g.id === id).stock;
    assert.equal(stockOf(coffee.id), 18);
    assert.equal(stockOf(snack.id), 9);

    // The owner approves in a second browser context; the customer's page
    // must not reload to see it: a marker on its window survives only if
    // the page stays the same document.
    await page.evaluate(() => { window.umkmSameDocument = true; });
    const admin = await openPage(browser, stack.baseUrl + '/admin/');
    await signInAdmin(admin.page, token);
    const row = admin.page.locator(`[data-testid="tx-row"][data-transaction-id="${transactionId}"]`);
    await row.getByTestId('approve').click();
    await settle(admin.page);
    await row.waitFor({ state: 'detached' });
    await screenshot(admin.page, 'admin-queue-after-approve');

    await page.locator('[data-testid="transaction-status"][data-status="VERIFIED"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.umkmSameDocument), true, 'the storefront reloaded');
    await screenshot(page, 'storefront-verified');

    const view = await stack.api('GET', `/api/small/transactions/${transactionId}`);
    assert.equal(view.body.data.status, 'VERIFIED');
    assert.equal(view.body.data.total_amount, total);

    // The offline copy holds the page's files, never an API answer.
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      return urls;
    });
    assert.ok(cached.length > 0, 'the service worker cached the shell');
    assert.deepEqual(cached.filter((url) => url.includes('/api/')), []);
    assert.deepEqual(customer.problems, []);
    assert.deepEqual(admin.problems, []);
    await customer.context.close();
    await admin.context.close();
  });

  it('the receipt and its live status come back after a reload', async () => {
    const tea = await createGoods('Teh Tarik', { price: 5000, stock: 5 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    await addToCart(page, tea.id, 1);
    await page.getByTestId('pay-exact').click();
    await page.getByTestId('pay-button').click();
    await settle(page);
    await page.getByTestId('receipt').waitFor({ state: 'visible' });
    const transactionId = await page.getByTestId('receipt').getAttribute('data-transaction-id');
    assert.ok(transactionId, 'the receipt names its transaction');
    assert.equal(Number(await page.getByTestId('change-amount').getAttribute('data-amount')), 0);

    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    await page.getByTestId('receipt').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('receipt').getAttribute('data-transaction-id'), transactionId);
    const verified = await stack.api('POST', `/api/small/admin/transactions/${transactionId}/verify`,
      { decision: 'reject', note: 'uang belum masuk' }, token);
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    await page.locator('[data-testid="transaction-status"][data-status="REJECTED"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('transaction-note').innerText(), 'uang belum masuk');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('a lost answer', () => {
  it('a payment whose answer never arrived is settled by asking again, and charged once', async () => {
    const meatballs = await createGoods('Bakso', { price: 8000, stock: 10 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    await addToCart(page, meatballs.id, 1);
    // The server gets the payment and commits it; the answer is lost on
    // the way back (Wi-Fi drops), so the page only sees a network error.
    await page.route('**/api/small/pay', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    }, { times: 1 });
    await page.getByTestId('pay-amount').fill('10000');
    await page.getByTestId('pay-button').click();
    await settle(page);
    const error = await errorShown(page);
    assert.ok(['offline', 'timeout'].includes(error.status), error.status);
    const retry = page.getByTestId('pay-retry');
    await retry.waitFor({ state: 'visible' });
    assert.equal(Number(await retry.getAttribute('data-amount')), 10000);
    assert.equal(await page.getByTestId('cart-clear').isDisabled(), true, 'the cart cannot be forgotten yet');
    await screenshot(page, 'storefront-pay-answer-lost');

    await retry.click();
    await settle(page);
    await page.getByTestId('receipt').waitFor({ state: 'visible' });
    assert.equal(Number(await page.getByTestId('change-amount').getAttribute('data-amount')), 2000);
    const listed = await stack.api('GET', '/api/small/stocks?sort_by=name&sort=ASC&total_goods=100');
    assert.equal(listed.body.data.find((g) => g.id === meatballs.id).stock, 9, 'charged once');
    assert.deepEqual(problems.filter((p) => !p.includes('net::ERR_CONNECTION_RESET')), []);
    await context.close();
  });
});

describe('errors as the customer sees them', () => {
  it('asking for more than the stock says how many are left, in Indonesian', async () => {
    const cake = await createGoods('Kue Lapis', { price: 3000, stock: 3 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    await addToCart(page, cake.id, 5);
    const error = await errorShown(page);
    assert.equal(error.status, 'ERR_OUT_OF_STOCK');
    assert.match(error.text, /(^|\D)3(\D|$)/, `the message says how many are left: ${error.text}`);
    assert.doesNotMatch(error.text, /[{}"]|ERR_/, 'plain words, not JSON');
    assert.equal(await page.locator('[data-testid="cart-line"]').count(), 0, 'nothing was added');
    await screenshot(page, 'storefront-out-of-stock');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('stock sold to someone else before paying is named at pay, and nothing is charged', async () => {
    const rice = await createGoods('Nasi Uduk', { price: 10000, stock: 2 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    await addToCart(page, rice.id, 2);
    // Another customer buys one meanwhile.
    const other = await stack.api('POST', '/api/small/cart', { user_id: 4242, goods_id: rice.id, goods_price: 10000, total: 1 });
    const paid = await stack.api('POST', '/api/small/pay', { cart_id: other.body.data.cart_id, payment_amount: 10000 });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));

    await page.getByTestId('pay-amount').fill('50000');
    await page.getByTestId('pay-button').click();
    await settle(page);
    const error = await errorShown(page);
    assert.equal(error.status, 'ERR_OUT_OF_STOCK');
    assert.ok(error.text.includes(rice.name), `the message names the goods: ${error.text}`);
    assert.equal(await page.getByTestId('receipt').isVisible(), false, 'no receipt for a failed payment');
    const listed = await stack.api('GET', '/api/small/stocks?sort_by=name&sort=ASC&total_goods=100');
    assert.equal(listed.body.data.find((g) => g.id === rice.id).stock, 1, 'only the other customer was charged');
    await screenshot(page, 'storefront-out-of-stock-at-pay');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a price changed since the page loaded is explained, the new price shown, and adding again works', async () => {
    const soup = await createGoods('Soto Ayam', { price: 12000, stock: 10 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    assert.equal(Number(await goodsRow(page, soup.id).getAttribute('data-price')), 12000);
    const patched = await stack.api('PATCH', `/api/small/admin/goods/${soup.id}`, { price: 13500 }, token);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    await addToCart(page, soup.id, 1);
    const error = await errorShown(page);
    assert.equal(error.status, 'ERR_PRICE_MISMATCH');
    assert.equal(rupiah(error.text.match(/Rp\s?[\d.]+/)?.[0] ?? ''), 13500, `names the new price: ${error.text}`);
    await page.locator(`[data-testid="goods-row"][data-goods-id="${soup.id}"][data-price="13500"]`).waitFor();
    await screenshot(page, 'storefront-price-changed');

    await addToCart(page, soup.id, 1);
    assert.equal(Number(await page.getByTestId('cart-total').getAttribute('data-amount')), 13500);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('paying less than the total names the amount needed, and English is one switch away', async () => {
    const juice = await createGoods('Jus Alpukat', { price: 9000, stock: 4 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    await page.getByTestId('lang-switch').selectOption('en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await addToCart(page, juice.id, 2);
    await page.getByTestId('pay-amount').fill('10000');
    await page.getByTestId('pay-button').click();
    await settle(page);
    const error = await errorShown(page);
    assert.equal(error.status, 'ERR_INSUFFICIENT_PAYMENT');
    assert.ok(error.text.includes('18,000') || error.text.includes('18.000'), `names the total: ${error.text}`);
    await screenshot(page, 'storefront-insufficient-payment-en');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('hostile data', () => {
  it('a goods name made of HTML is shown as text and never runs', async () => {
    const hostile = '<img src=x onerror="window.umkmInjected=1"><script>window.umkmInjected=2</script>';
    const goods = await createGoods(hostile, { price: 1000, stock: 5 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/');
    const row = goodsRow(page, goods.id);
    assert.equal(await row.getByTestId('goods-name').innerText(), goods.name);
    await addToCart(page, goods.id, 1);
    assert.ok((await page.getByTestId('cart-lines').innerText()).includes(hostile));
    assert.equal(await page.evaluate(() => window.umkmInjected), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('a phone at the stall', () => {
  it('at 360 pixels wide the whole flow fits the screen and works', async () => {
    const fritter = await createGoods('Tahu Isi', { price: 1500, stock: 30 });
    const { context, page, problems } = await openPage(browser, stack.baseUrl + '/', { width: 360, height: 740 });
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'no horizontal scroll on the catalog');
    await screenshot(page, 'storefront-360-catalog');

    await addToCart(page, fritter.id, 4);
    await page.getByTestId('pay-amount').fill('10000');
    await page.getByTestId('pay-button').click();
    await settle(page);
    await page.getByTestId('receipt').waitFor({ state: 'visible' });
    assert.equal(Number(await page.getByTestId('change-amount').getAttribute('data-amount')), 4000);
    assert.ok(await fits(), 'no horizontal scroll on the receipt');
    // Buttons big enough for a thumb.
    const box = await page.getByTestId('pay-button').boundingBox();
    assert.ok(box.height >= 40, `pay button is ${box.height}px tall`);
    await screenshot(page, 'storefront-360-paid');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
