// The storefront: catalog, cart, payment and the payment's live status.
import { api, query } from './api.js';
import * as cart from './cart.js';
import { byTestId, el, fill } from './dom.js';
import { localError } from './errors.js';
import { formatDateTime, onLangChange, t } from './i18n.js';
import { formatRupiah, parseWholeNumber } from './money.js';
import { markReady, setupPage } from './page.js';
import { followTransaction, isDecided, isTransactionId } from './tx-status.js';

const PAGE_SIZE = 10;
const page = setupPage();

// ---- Catalog ------------------------------------------------------------------

const catalog = {
  page: 1,
  sortBy: 'name',
  sortDir: 'ASC',
  goods: [], // the page on screen, as last loaded
  meta: null,
  loaded: false, // a load has succeeded at least once
  seq: 0, // the number of the latest load; older answers are dropped
};

// Loads overlap (paging clicks, a sort change, a reload after an add or a
// pay): only the latest one's answer is shown, so a slow older answer never
// paints an old page or old stock over a newer one.
async function loadCatalog() {
  const seq = ++catalog.seq;
  const stale = () => seq !== catalog.seq;
  byTestId('catalog-loading').hidden = catalog.loaded;
  try {
    const { data, meta } = await api(
      'GET',
      `/api/small/stocks${query({
        page: catalog.page,
        total_goods: PAGE_SIZE,
        sort_by: catalog.sortBy,
        sort: catalog.sortDir,
      })}`,
    );
    if (stale()) return false;
    // Goods sold out or deleted since the last look can shorten the list:
    // a page past the end comes back empty, so show the last page instead.
    if (data.length === 0 && meta.total_pages > 0 && catalog.page > meta.total_pages) {
      catalog.page = meta.total_pages;
      return loadCatalog();
    }
    catalog.goods = data;
    catalog.meta = meta;
    catalog.loaded = true;
    renderCatalog();
    return true;
  } catch (err) {
    if (!stale()) page.showError(err, { action: 'load' });
    return false;
  } finally {
    if (!stale()) byTestId('catalog-loading').hidden = true;
  }
}

function renderCatalog() {
  const list = byTestId('goods-list');
  fill(list, catalog.goods.map(goodsRow));
  byTestId('catalog-empty').hidden = !catalog.loaded || catalog.goods.length > 0;

  const meta = catalog.meta || { page: 1, total_pages: 0 };
  const pages = Math.max(1, meta.total_pages);
  const info = byTestId('page-info');
  info.textContent = t('page.info', { page: meta.page, pages });
  info.dataset.page = meta.page;
  info.dataset.totalPages = meta.total_pages;
  byTestId('page-prev').disabled = meta.page <= 1;
  byTestId('page-next').disabled = meta.page >= meta.total_pages;
}

function goodsRow(goods) {
  const quantity = el('input', {
    type: 'number',
    min: '1',
    max: '999',
    step: '1',
    value: '1',
    inputmode: 'numeric',
    class: 'qty',
    testid: 'add-quantity',
    'aria-label': t('add.quantityFor', { name: goods.name }),
  });
  const soldOut = goods.stock < 1;
  const form = el(
    'form',
    { class: 'add', testid: 'add-form', novalidate: true },
    quantity,
    el('button', {
      type: 'submit',
      class: 'primary',
      testid: 'add-button',
      disabled: soldOut || cartBusy,
      text: soldOut ? t('goods.soldOut') : t('add.button'),
    }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    addGoods(goods, quantity.value);
  });
  return el(
    'li',
    {
      class: 'goods-row',
      testid: 'goods-row',
      data: { goodsId: goods.id, price: goods.price, stock: goods.stock },
    },
    el(
      'div',
      { class: 'goods-info' },
      el('span', { class: 'goods-name', testid: 'goods-name', text: goods.name }),
      el('span', { class: 'goods-price', testid: 'goods-price', text: formatRupiah(goods.price) }),
      el('span', { class: 'muted', testid: 'goods-stock', text: t('goods.stock', { stock: goods.stock }) }),
    ),
    form,
  );
}

// ---- Cart ---------------------------------------------------------------------

// One cart request at a time (an add, a pay, a check of a pay): while one
// runs, every control that changes the cart is off (renderCart). Above all
// while a pay is out: an add would land in a cart being paid, and "empty the
// cart" would forget the cart and its pay tries, the only way to get the
// receipt back if the pay's answer is lost. One tap, one request.
let cartBusy = false;

async function cartRequest(work) {
  cartBusy = true;
  renderCart();
  try {
    return await work();
  } finally {
    cartBusy = false;
    renderCart();
  }
}

async function addGoods(goods, rawQuantity) {
  if (cartBusy) return;
  page.clearMessages();
  const quantity = Number(rawQuantity);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999) {
    page.showError(localError('err.quantityRange'));
    return;
  }
  await cartRequest(async () => {
    try {
      const { receipt } = await cart.addToCart(goods, quantity);
      if (receipt) {
        // The cart had been paid by a pay whose answer was lost: show that
        // payment's receipt; nothing was added (the next add starts anew).
        page.showInfo('add.earlierPaid', { amount: formatRupiah(receipt.payment_amount), name: goods.name });
        showTransaction(receipt);
        loadCatalog(); // that payment took stock
        return;
      }
      page.showInfo('add.done', { name: goods.name, quantity });
    } catch (err) {
      page.showError(err, { action: 'add', goodsName: goods.name });
      // Stock, price or the goods themselves changed under the customer:
      // show the catalog as it is now, so that adding again uses the new price.
      if (['ERR_PRICE_MISMATCH', 'ERR_OUT_OF_STOCK', 'ERR_NOT_FOUND'].includes(err.status)) loadCatalog();
    }
  });
}

function renderCart() {
  const c = cart.getCart();
  fill(
    byTestId('cart-lines'),
    c.lines.map((line) =>
      el(
        'li',
        { class: 'cart-line', testid: 'cart-line', data: { goodsId: line.goodsId, price: line.price, quantity: line.quantity } },
        el('span', { class: 'cart-line-name', testid: 'cart-line-name', text: line.name }),
        el('span', {
          class: 'muted',
          testid: 'cart-line-detail',
          text: t('cart.line', { quantity: line.quantity, price: formatRupiah(line.price) }),
        }),
        el('span', { class: 'cart-line-sum', testid: 'cart-line-sum', text: formatRupiah(line.price * line.quantity) }),
      ),
    ),
  );
  const empty = c.lines.length === 0;
  byTestId('cart-empty-note').hidden = !empty;
  const count = byTestId('cart-count');
  count.textContent = String(c.totalGoods);
  const total = byTestId('cart-total');
  total.textContent = formatRupiah(c.totalAmount);
  total.dataset.amount = c.totalAmount; // for tests: the plain number
  byTestId('cart').dataset.cartId = c.cartId || '';
  byTestId('pay-button').disabled = empty || cartBusy;
  byTestId('pay-exact').disabled = empty || cartBusy;
  // Forgetting a cart whose payment may have gone through would lose its
  // receipt for good (re-sending pay to an open cart would charge it, and
  // there is no "get cart"): the customer first asks again (pay-retry),
  // which always settles it one way or the other.
  byTestId('cart-clear').disabled = empty || cartBusy || cart.unsurePayment() !== null;
  for (const button of document.querySelectorAll('[data-testid="add-button"]')) {
    const row = button.closest('[data-testid="goods-row"]');
    button.disabled = cartBusy || Number(row.dataset.stock) < 1;
  }
  // A pay that got no answer may have gone through: offer to ask again with
  // the same amount (idempotent: it returns the receipt or pays once).
  const unsure = empty ? null : cart.unsurePayment();
  const retry = byTestId('pay-retry');
  retry.hidden = unsure === null;
  retry.disabled = cartBusy;
  retry.dataset.amount = unsure ?? '';
  retry.textContent = unsure === null ? '' : t('pay.retry', { amount: formatRupiah(unsure) });
}

function setupCart() {
  byTestId('cart-clear').addEventListener('click', () => {
    cart.forgetCart();
    byTestId('pay-amount').value = '';
    page.showInfo('cart.cleared');
    renderCart();
  });
  byTestId('pay-exact').addEventListener('click', () => {
    byTestId('pay-amount').value = String(cart.getCart().totalAmount);
  });
  byTestId('pay-form').addEventListener('submit', (event) => {
    event.preventDefault();
    page.clearMessages();
    const amount = parseWholeNumber(byTestId('pay-amount').value);
    if (amount === null) page.showError(localError('err.amountInvalid'));
    else payCart(amount);
  });
  byTestId('pay-retry').addEventListener('click', () => {
    const amount = cart.unsurePayment();
    page.clearMessages();
    if (amount !== null) payCart(amount);
  });
  // Another tab of the same shop changed the cart or paid.
  window.addEventListener('storage', () => {
    renderCart();
  });
}

async function payCart(amount) {
  if (cartBusy) return;
  const before = cart.getCart();
  await cartRequest(async () => {
    try {
      const receipt = await cart.pay(amount);
      byTestId('pay-amount').value = '';
      // The receipt of an earlier try whose answer was lost, not of this
      // amount (the server refused this one as "cart closed"): say so.
      if (receipt.payment_amount !== amount) {
        page.showInfo('pay.earlierDone', { amount: formatRupiah(receipt.payment_amount) });
      } else {
        page.showInfo('pay.done');
      }
      showTransaction(receipt);
      byTestId('receipt').scrollIntoView({ block: 'start' });
      loadCatalog(); // the stock just went down
    } catch (err) {
      // No answer: the message says it may be paid and points at pay-retry.
      const unsure = cart.unsurePayment() === amount ? amount : null;
      page.showError(err, { action: 'pay', lines: before.lines, total: before.totalAmount, unsure });
      if (err.status === 'ERR_OUT_OF_STOCK') loadCatalog();
    }
  });
}

// ---- The last payment and its status --------------------------------------------

let following = null;
let shown = null; // {receipt, view}

function showTransaction(receipt) {
  if (following) following.stop();
  shown = { receipt, view: null };
  renderReceipt();
  following = followTransaction(receipt.transaction_id, {
    onView(view) {
      const before = shown.view ? shown.view.status : 'PAID';
      shown.view = view;
      renderReceipt();
      // A rejection put the goods back on the shelf: show the stock as it is.
      if (view.status === 'REJECTED' && before !== 'REJECTED') loadCatalog();
    },
    onError(err) {
      // A transaction the server no longer knows (a reset database) is
      // forgotten; anything else is shown and retried by the follower.
      if (err.status === 'ERR_NOT_FOUND') {
        cart.forgetTransaction();
        hideReceipt();
      }
      page.showError(err, { action: 'tx' });
    },
  });
  return following;
}

function hideReceipt() {
  if (following) following.stop();
  following = null;
  shown = null;
  byTestId('receipt').hidden = true;
}

function renderReceipt() {
  if (!shown) return;
  const { receipt, view } = shown;
  const source = view || receipt;
  byTestId('receipt').hidden = false;
  byTestId('receipt').dataset.transactionId = receipt.transaction_id;
  byTestId('receipt-total').textContent = formatRupiah(source.total_amount);
  byTestId('receipt-paid').textContent = formatRupiah(source.payment_amount);
  const change = byTestId('change-amount');
  change.textContent = formatRupiah(source.return_amount);
  change.dataset.amount = source.return_amount;
  byTestId('transaction-id').textContent = receipt.transaction_id;

  const status = view ? view.status : 'PAID';
  const statusEl = byTestId('transaction-status');
  statusEl.textContent = t(`status.${status}`);
  statusEl.dataset.status = status; // PAID | VERIFIED | REJECTED, whatever the language

  const hasNote = Boolean(view && view.note);
  byTestId('transaction-note').hidden = !hasNote;
  byTestId('transaction-note-label').hidden = !hasNote;
  byTestId('transaction-note').textContent = hasNote ? view.note : '';

  let hint = t('receipt.waiting');
  if (view && isDecided(status)) hint = t('receipt.decidedAt', { time: formatDateTime(view.verified_at) });
  byTestId('transaction-hint').textContent = hint;
}

function setupReceipt() {
  byTestId('receipt-close').addEventListener('click', () => {
    cart.forgetTransaction();
    hideReceipt();
  });
}

// ---- Start ------------------------------------------------------------------------

function setupCatalogControls() {
  const sortBy = byTestId('sort-by');
  const sortDir = byTestId('sort-dir');
  sortBy.value = catalog.sortBy;
  sortDir.value = catalog.sortDir;
  const resort = () => {
    catalog.sortBy = sortBy.value;
    catalog.sortDir = sortDir.value;
    catalog.page = 1;
    page.clearMessages();
    loadCatalog();
  };
  sortBy.addEventListener('change', resort);
  sortDir.addEventListener('change', resort);
  byTestId('page-prev').addEventListener('click', () => {
    if (catalog.page > 1) {
      catalog.page -= 1;
      loadCatalog();
    }
  });
  byTestId('page-next').addEventListener('click', () => {
    if (catalog.meta && catalog.page < catalog.meta.total_pages) {
      catalog.page += 1;
      loadCatalog();
    }
  });
  // Back online after a failed load: try again without a tap.
  window.addEventListener('online', () => {
    if (!catalog.loaded) {
      page.clearMessages();
      loadCatalog();
    }
  });
}

async function start() {
  setupCatalogControls();
  setupCart();
  setupReceipt();
  renderCart();
  renderCatalog();
  onLangChange(() => {
    renderCatalog();
    renderCart();
    renderReceipt();
  });

  const loads = [loadCatalog()];
  const last = cart.lastTransaction();
  if (last && isTransactionId(last.transaction_id)) {
    // Shown at once from what pay answered; the status follows.
    loads.push(showTransaction(last).settled);
  } else if (last) {
    cart.forgetTransaction();
  }
  await Promise.allSettled(loads);
  markReady();
}

start();
