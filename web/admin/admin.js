// The shop owner's page: sign in with a token, then the payments waiting
// for verification, the goods, and the audit log.
import { api, query } from '../js/api.js';
import { byTestId, el, fill } from '../js/dom.js';
import { localError } from '../js/errors.js';
import { formatDateTime, onLangChange, t } from '../js/i18n.js';
import { formatRupiah, parseWholeNumber } from '../js/money.js';
import { markReady, setupPage } from '../js/page.js';
import { sessionStore } from '../js/store.js';

const TOKEN_KEY = 'umkm.adminToken';
const ADMIN = '/api/small/admin';
const ui = setupPage();

// ---- Token ----------------------------------------------------------------------
// The token lives in sessionStorage only: it goes when the tab closes, is
// never in localStorage, a cookie or a URL, and travels only in the
// Authorization header of admin calls.

let token = sessionStore.get(TOKEN_KEY);

async function adminApi(method, path, body) {
  try {
    return await api(method, path, { body, token });
  } catch (err) {
    // Revoked or expired while the page was open: back to the sign-in form.
    if (err.status === 'ERR_UNAUTHORIZED') signOut();
    throw err;
  }
}

// Runs one admin action; a failure becomes the page's error message.
async function attempt(work, ctx = { action: 'admin' }) {
  try {
    return await work();
  } catch (err) {
    ui.showError(err, ctx);
    return undefined;
  }
}

function showSignedIn(signedIn) {
  byTestId('sign-in-panel').hidden = signedIn;
  byTestId('admin-panel').hidden = !signedIn;
  byTestId('sign-out').hidden = !signedIn;
}

function signOut() {
  token = null;
  sessionStore.remove(TOKEN_KEY);
  byTestId('token-input').value = '';
  showSignedIn(false);
}

// A token is accepted when an admin endpoint accepts it: the queue's first
// page, which is also what the owner sees first.
async function signIn(candidate) {
  ui.clearMessages();
  token = candidate;
  try {
    await queue.load();
  } catch (err) {
    token = null;
    ui.showError(err, { action: 'signin' });
    return;
  }
  sessionStore.set(TOKEN_KEY, candidate);
  byTestId('token-input').value = '';
  showSignedIn(true);
  showTab('queue', false);
}

// ---- Paged lists ----------------------------------------------------------------

// One list with prev/next paging: the payments, the goods, the audit log.
function pagedList({ list, empty, pager, pageSize, url, row }) {
  const state = { page: 1, items: [], meta: null };

  async function load() {
    const { data, meta } = await adminApi('GET', url(state.page, pageSize));
    // The list shrank (decisions, filters): show its last page instead.
    if (data.length === 0 && meta.total_pages > 0 && state.page > meta.total_pages) {
      state.page = meta.total_pages;
      return load();
    }
    state.items = data;
    state.meta = meta;
    render();
    return data;
  }

  function render() {
    fill(byTestId(list), state.items.map(row));
    byTestId(empty).hidden = !state.meta || state.items.length > 0;
    const meta = state.meta || { page: 1, total_pages: 0 };
    const info = byTestId(`${pager}-info`);
    info.textContent = t('page.info', { page: meta.page, pages: Math.max(1, meta.total_pages) });
    info.dataset.page = meta.page;
    info.dataset.totalPages = meta.total_pages;
    byTestId(`${pager}-prev`).disabled = meta.page <= 1;
    byTestId(`${pager}-next`).disabled = meta.page >= meta.total_pages;
  }

  byTestId(`${pager}-prev`).addEventListener('click', () => {
    if (state.page > 1) {
      state.page -= 1;
      attempt(load);
    }
  });
  byTestId(`${pager}-next`).addEventListener('click', () => {
    if (state.meta && state.page < state.meta.total_pages) {
      state.page += 1;
      attempt(load);
    }
  });

  return {
    load,
    render,
    firstPage() {
      state.page = 1;
    },
    replace(item, key) {
      const i = state.items.findIndex((x) => x[key] === item[key]);
      if (i >= 0) state.items[i] = item;
      render();
    },
  };
}

// Disables a row's or form's buttons while its request runs.
async function busy(container, work) {
  const buttons = [...container.querySelectorAll('button')];
  buttons.forEach((b) => {
    b.disabled = true;
  });
  try {
    return await work();
  } finally {
    buttons.forEach((b) => {
      b.disabled = false;
    });
  }
}

function readName(input) {
  const name = input.value.trim();
  if (name.length < 1 || name.length > 255) throw localError('err.nameInvalid');
  return name;
}

function readAmount(input, key) {
  const n = parseWholeNumber(input.value);
  if (n === null) throw localError(key);
  return n;
}

// ---- Payments waiting for verification ------------------------------------------

const queue = pagedList({
  list: 'tx-list',
  empty: 'queue-empty',
  pager: 'tx-page',
  pageSize: 10,
  url: (page, size) =>
    `${ADMIN}/transactions${query({ status: byTestId('tx-status-filter').value, page, total_goods: size })}`,
  row: txRow,
});

function txRow(view) {
  const li = el('li', {
    class: 'card tx-row',
    testid: 'tx-row',
    data: { transactionId: view.transaction_id, status: view.status },
  });
  li.append(
    el(
      'div',
      { class: 'tx-head' },
      el('span', { class: 'mono', testid: 'tx-id', text: view.transaction_id }),
      el('span', { class: 'muted', testid: 'tx-paid-at', text: t('tx.paidAt', { time: formatDateTime(view.paid_at) }) }),
    ),
    el(
      'ul',
      { class: 'tx-items' },
      view.items.map((item) =>
        el(
          'li',
          { testid: 'tx-item', data: { goodsId: item.goods_id } },
          el('span', { text: t('tx.item', { quantity: item.total, name: item.name, price: formatRupiah(item.price) }) }),
          el('span', { text: formatRupiah(item.price * item.total) }),
        ),
      ),
    ),
    el(
      'dl',
      { class: 'totals' },
      el('dt', { text: t('receipt.total') }),
      el('dd', { class: 'strong', testid: 'tx-total', text: formatRupiah(view.total_amount) }),
      el('dt', { text: t('receipt.paid') }),
      el('dd', { testid: 'tx-paid', text: formatRupiah(view.payment_amount) }),
      el('dt', { text: t('receipt.change') }),
      el('dd', { testid: 'tx-change', text: formatRupiah(view.return_amount) }),
    ),
  );
  li.append(view.status === 'PAID' ? decisionForm(view, li) : decisionShown(view));
  return li;
}

function decisionShown(view) {
  return el(
    'div',
    { class: 'tx-decided' },
    el('span', { class: 'status', testid: 'tx-status', data: { status: view.status }, text: t(`status.${view.status}`) }),
    view.verified_at ? el('span', { class: 'muted', text: formatDateTime(view.verified_at) }) : null,
    view.note ? el('p', { testid: 'tx-note', text: view.note }) : null,
  );
}

function decisionForm(view, row) {
  const note = el('input', {
    type: 'text',
    maxlength: '1000',
    autocomplete: 'off',
    testid: 'reject-note',
    placeholder: t('tx.notePlaceholder'),
    'aria-label': t('tx.noteLabel'),
  });
  const decide = (decision) =>
    busy(row, async () => {
      ui.clearMessages();
      const text = note.value.trim();
      if (decision === 'reject' && !text) {
        ui.showError(localError('err.noteRequired'));
        note.focus();
        return;
      }
      const body = { decision };
      if (text) body.note = text;
      const done = await attempt(
        () => adminApi('POST', `${ADMIN}/transactions/${encodeURIComponent(view.transaction_id)}/verify`, body),
        { action: 'verify' },
      );
      if (done) {
        ui.showInfo(decision === 'approve' ? 'tx.approved' : 'tx.rejected', { id: view.transaction_id.slice(0, 8) });
      }
      // Decided now or by someone else before (409): either way the list has changed.
      await attempt(queue.load);
    });
  return el(
    'div',
    { class: 'tx-actions' },
    el('button', { type: 'button', class: 'primary', testid: 'approve', text: t('tx.approve'), on: { click: () => decide('approve') } }),
    note,
    el('button', { type: 'button', class: 'danger', testid: 'reject', text: t('tx.reject'), on: { click: () => decide('reject') } }),
  );
}

// ---- Goods ----------------------------------------------------------------------

let editing = null; // goods id whose edit form is open
let confirming = null; // goods id whose delete waits for a confirm

const goodsList = pagedList({
  list: 'admin-goods-list',
  empty: 'goods-empty',
  pager: 'goods-page',
  pageSize: 20,
  url: (page, size) => `${ADMIN}/goods${query({ page, total_goods: size })}`,
  row: goodsRow,
});

// A change answered with the goods: show it in place.
function goodsChanged(goods, infoKey) {
  editing = null;
  confirming = null;
  goodsList.replace(goods, 'id');
  ui.showInfo(infoKey, { name: goods.name, stock: goods.stock });
}

function goodsRow(goods) {
  const li = el('li', {
    class: `card admin-goods-row${goods.deleted ? ' is-deleted' : ''}`,
    testid: 'admin-goods-row',
    data: { goodsId: goods.id, deleted: String(goods.deleted), price: goods.price, stock: goods.stock },
  });
  li.append(editing === goods.id ? editForm(goods, li) : goodsInfo(goods));
  if (confirming === goods.id) li.append(deleteConfirm(goods, li));
  else if (editing !== goods.id) li.append(goodsActions(goods, li));
  return li;
}

function goodsInfo(goods) {
  return el(
    'div',
    { class: 'goods-info' },
    el('span', { class: 'goods-name', testid: 'admin-goods-name', text: goods.name }),
    goods.deleted ? el('span', { class: 'badge', testid: 'goods-deleted-badge', text: t('goods.deleted') }) : null,
    el('span', { class: 'muted', text: `#${goods.id}` }),
    el('span', { testid: 'admin-goods-price', text: formatRupiah(goods.price) }),
    el('span', { testid: 'admin-goods-stock', text: t('goods.stock', { stock: goods.stock }) }),
  );
}

function editForm(goods, row) {
  const name = el('input', { type: 'text', maxlength: '255', testid: 'goods-edit-name', value: goods.name, 'aria-label': t('field.name') });
  const price = el('input', { type: 'text', inputmode: 'numeric', testid: 'goods-edit-price', value: String(goods.price), 'aria-label': t('field.price') });
  const form = el(
    'form',
    { class: 'edit', testid: 'goods-edit-form', novalidate: true },
    el('label', {}, el('span', { text: t('field.name') }), name),
    el('label', {}, el('span', { text: t('field.price') }), price),
    el('div', { class: 'inline' },
      el('button', { type: 'submit', class: 'primary', testid: 'goods-edit-save', text: t('common.save') }),
      el('button', { type: 'button', testid: 'goods-edit-cancel', text: t('common.cancel'), on: { click: () => { editing = null; goodsList.render(); } } }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(row, async () => {
      ui.clearMessages();
      const change = {};
      try {
        const newName = readName(name);
        const newPrice = readAmount(price, 'err.priceInvalid');
        if (newName !== goods.name) change.name = newName;
        if (newPrice !== goods.price) change.price = newPrice;
      } catch (err) {
        ui.showError(err);
        return;
      }
      if (Object.keys(change).length === 0) {
        editing = null;
        goodsList.render();
        return;
      }
      // PATCH: only what changed, so a price change never rewrites the stock.
      const r = await attempt(() => adminApi('PATCH', `${ADMIN}/goods/${goods.id}`, change));
      if (r) goodsChanged(r.data, 'goods.saved');
    });
  });
  return form;
}

function goodsActions(goods, row) {
  const quantity = el('input', {
    type: 'number', min: '1', step: '1', inputmode: 'numeric', class: 'qty',
    testid: 'restock-quantity', placeholder: t('goods.quantity'), 'aria-label': t('goods.quantityFor', { name: goods.name }),
  });
  const stock = (action) =>
    busy(row, async () => {
      ui.clearMessages();
      const total = Number(quantity.value);
      if (!Number.isInteger(total) || total < 1) {
        ui.showError(localError('err.restockInvalid'));
        return;
      }
      const r = await attempt(() => adminApi('POST', `${ADMIN}/goods/${goods.id}/stock`, { action, total }), { action: 'stock' });
      if (r) goodsChanged(r.data, 'goods.stockChanged');
    });
  const patch = (body, infoKey) =>
    busy(row, async () => {
      ui.clearMessages();
      const r = await attempt(() => adminApi('PATCH', `${ADMIN}/goods/${goods.id}`, body));
      if (r) goodsChanged(r.data, infoKey);
    });

  return el(
    'div',
    { class: 'goods-actions' },
    el('div', { class: 'inline restock' },
      quantity,
      el('button', { type: 'button', testid: 'restock-incr', text: t('goods.incr'), on: { click: () => stock('INCR') } }),
      el('button', { type: 'button', testid: 'restock-decr', text: t('goods.decr'), on: { click: () => stock('DECR') } }),
    ),
    el('div', { class: 'inline' },
      el('button', { type: 'button', testid: 'goods-edit', text: t('goods.edit'), on: { click: () => { editing = goods.id; confirming = null; goodsList.render(); } } }),
      goods.deleted
        ? el('button', { type: 'button', testid: 'goods-restore', text: t('goods.restore'), on: { click: () => patch({ deleted: false }, 'goods.restored') } })
        : el('button', { type: 'button', class: 'danger', testid: 'goods-delete', text: t('goods.delete'), on: { click: () => { confirming = goods.id; editing = null; goodsList.render(); } } }),
    ),
  );
}

function deleteConfirm(goods, row) {
  return el(
    'div',
    { class: 'confirm', testid: 'goods-delete-confirm-box', role: 'alertdialog' },
    el('p', { text: t('goods.deleteQuestion', { name: goods.name }) }),
    el('div', { class: 'inline' },
      el('button', {
        type: 'button', class: 'danger', testid: 'goods-delete-confirm', text: t('goods.deleteYes'),
        on: {
          click: () => busy(row, async () => {
            ui.clearMessages();
            const r = await attempt(() => adminApi('DELETE', `${ADMIN}/goods/${goods.id}`));
            if (r) goodsChanged(r.data, 'goods.deletedInfo');
          }),
        },
      }),
      el('button', { type: 'button', testid: 'goods-delete-cancel', text: t('common.cancel'), on: { click: () => { confirming = null; goodsList.render(); } } }),
    ),
  );
}

function setupCreateForm() {
  const form = byTestId('goods-create-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form, async () => {
      ui.clearMessages();
      let body;
      try {
        body = {
          name: readName(byTestId('goods-create-name')),
          price: readAmount(byTestId('goods-create-price'), 'err.priceInvalid'),
          stock: readAmount(byTestId('goods-create-stock'), 'err.stockInvalid'),
        };
      } catch (err) {
        ui.showError(err);
        return;
      }
      const r = await attempt(() => adminApi('POST', `${ADMIN}/goods`, body));
      if (!r) return;
      form.reset();
      ui.showInfo('goods.created', { name: r.data.name });
      goodsList.firstPage(); // newest first: the new goods lead page 1
      await attempt(goodsList.load);
    });
  });
}

// ---- Audit log ------------------------------------------------------------------

const auditList = pagedList({
  list: 'audit-list',
  empty: 'audit-empty',
  pager: 'audit-page',
  pageSize: 20,
  url: (page, size) => `${ADMIN}/audit${query({ page, total_goods: size })}`,
  row: auditRow,
});

function showValue(v) {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// {"name":"Kopi","price":3000} -> "name: Kopi, price: 3000"
function describeState(state) {
  if (state === null || state === undefined) return '—';
  if (typeof state !== 'object') return String(state);
  return Object.entries(state)
    .map(([k, v]) => `${k}: ${showValue(v)}`)
    .join(', ');
}

// What an entry changed: only the fields that differ ("price: 2000 → 2500"),
// or the whole state where there is no before (created) or no after.
function describeChange(before, after) {
  const isObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObject(before) || !isObject(after)) return `${describeState(before)} → ${describeState(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((k) => showValue(before[k]) !== showValue(after[k]));
  if (changed.length === 0) return describeState(after);
  return changed.map((k) => `${k}: ${showValue(before[k] ?? '—')} → ${showValue(after[k] ?? '—')}`).join('; ');
}

function auditRow(entry) {
  const key = `audit.action.${entry.action}`;
  const action = t(key) === key ? entry.action : t(key);
  return el(
    'li',
    { class: 'card audit-row', testid: 'audit-row', data: { auditId: entry.id, action: entry.action } },
    el('div', { class: 'audit-head' },
      el('span', { testid: 'audit-at', text: formatDateTime(entry.at) }),
      el('span', { class: 'muted', testid: 'audit-actor', text: entry.actor }),
    ),
    el('div', {},
      el('strong', { testid: 'audit-action', text: action }),
      ' ',
      el('span', { class: 'mono', testid: 'audit-target', text: entry.target }),
    ),
    el('div', { class: 'audit-change', testid: 'audit-change', text: describeChange(entry.before, entry.after) }),
  );
}

// ---- Tabs and start -------------------------------------------------------------

const panels = { queue, goods: goodsList, audit: auditList };

function showTab(name, reload = true) {
  for (const tab of document.querySelectorAll('[data-tab]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  }
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== name;
  document.body.dataset.tab = name;
  return reload ? attempt(panels[name].load) : Promise.resolve();
}

async function start() {
  for (const tab of document.querySelectorAll('[data-tab]')) {
    tab.addEventListener('click', () => {
      ui.clearMessages();
      showTab(tab.dataset.tab);
    });
  }
  byTestId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const candidate = byTestId('token-input').value.trim();
    if (!candidate) {
      ui.showError(localError('err.tokenMissing'));
      return;
    }
    busy(byTestId('sign-in-form'), () => signIn(candidate));
  });
  byTestId('sign-out').addEventListener('click', () => {
    ui.clearMessages();
    signOut();
  });
  byTestId('tx-status-filter').addEventListener('change', () => {
    queue.firstPage();
    attempt(queue.load);
  });
  byTestId('queue-refresh').addEventListener('click', () => attempt(queue.load));
  byTestId('goods-refresh').addEventListener('click', () => attempt(goodsList.load));
  byTestId('audit-refresh').addEventListener('click', () => attempt(auditList.load));
  setupCreateForm();
  onLangChange(() => Object.values(panels).forEach((p) => p.render()));

  if (token) {
    showSignedIn(true);
    await showTab('queue');
  } else {
    showSignedIn(false);
  }
  markReady();
}

start();
