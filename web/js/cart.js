// The customer's side of a purchase, kept on this device. The API has no
// "get cart" and no "remove line": the cart id and the lines the customer
// added are remembered here (localStorage), the server's totals from the
// last add are shown as the truth, and "empty the cart" simply forgets the
// cart so that the next add opens a new one.
import { api } from './api.js';
import { localError } from './errors.js';
import { localStore } from './store.js';

const USER_KEY = 'umkm.userId';
const CART_KEY = 'umkm.cart';
const LAST_TX_KEY = 'umkm.lastTransaction';
const PAY_TRIES_KEY = 'umkm.payTries';
const MAX_USER_ID = 2 ** 31 - 1;

// A random id in 1..2^31-1, made once per device. It is not a login: it
// only ties a cart to the device that opened it (the API answers 404 to
// anyone else adding to it), so a random number is all it needs to be.
export function userId() {
  const known = localStore.get(USER_KEY);
  if (Number.isInteger(known) && known >= 1 && known <= MAX_USER_ID) return known;
  let id = 0;
  while (id < 1) id = crypto.getRandomValues(new Uint32Array(1))[0] & MAX_USER_ID;
  localStore.set(USER_KEY, id);
  return id;
}

function emptyCart() {
  return { cartId: null, lines: [], totalGoods: 0, totalAmount: 0 };
}

export function getCart() {
  const c = localStore.get(CART_KEY);
  if (!c || !Number.isInteger(c.cartId) || !Array.isArray(c.lines)) return emptyCart();
  return c;
}

export function forgetCart() {
  localStore.remove(CART_KEY);
  localStore.remove(PAY_TRIES_KEY);
}

// goods: {id, name, price} as the catalog showed it; the price sent is the
// price the customer saw, so the server refuses it if it has changed since.
export async function addToCart(goods, quantity) {
  const cart = getCart();
  const body = { user_id: userId(), goods_id: goods.id, goods_price: goods.price, total: quantity };
  if (cart.cartId) body.cart_id = cart.cartId;
  let summary;
  try {
    ({ data: summary } = await api('POST', '/api/small/cart', { body }));
  } catch (err) {
    // This cart can take nothing more (paid in another tab, or gone with a
    // reset database): forget it, so that the next add starts a new one.
    const field = err.detail ? (err.detail() || {}).field : null;
    if (err.status === 'ERR_CART_CLOSED' || (err.status === 'ERR_NOT_FOUND' && field === 'cart_id')) {
      forgetCart();
    }
    throw err;
  }
  const next = summary.cart_id === cart.cartId ? cart : emptyCart();
  next.cartId = summary.cart_id;
  // The server merges an add into the line of the same goods at the same
  // price; a line at an older price stays its own line. Mirror that.
  const line = next.lines.find((l) => l.goodsId === goods.id && l.price === goods.price);
  if (line) line.quantity += quantity;
  else next.lines.push({ goodsId: goods.id, name: goods.name, price: goods.price, quantity });
  next.totalGoods = summary.total_goods;
  next.totalAmount = summary.total_amount;
  localStore.set(CART_KEY, next);
  return next;
}

// Pays the cart. Paying a paid cart again with the same amount returns the
// first receipt, so a pay whose answer was lost is simply retried. The
// amounts of such unanswered tries are remembered: if the customer then
// types a different amount, the server says "cart closed", and asking again
// with the earlier amount fetches the receipt of the payment that did go
// through instead of leaving the customer without one.
export async function pay(amount) {
  const cart = getCart();
  if (!cart.cartId || cart.lines.length === 0) throw localError('err.cartEmpty');
  const send = (payment_amount) =>
    api('POST', '/api/small/pay', { body: { cart_id: cart.cartId, payment_amount } }).then((r) => r.data);

  const stored = localStore.get(PAY_TRIES_KEY);
  const earlier = stored && stored.cartId === cart.cartId ? stored.amounts : [];
  localStore.set(PAY_TRIES_KEY, { cartId: cart.cartId, amounts: [...new Set([...earlier, amount])] });

  let receipt = null;
  try {
    receipt = await send(amount);
  } catch (err) {
    if (err.status === 'ERR_CART_CLOSED') {
      for (const other of earlier.filter((a) => a !== amount)) {
        try {
          receipt = await send(other);
          break;
        } catch (again) {
          if (again.status !== 'ERR_CART_CLOSED') throw again;
        }
      }
      if (!receipt) {
        forgetCart(); // paid, but not from here: nothing more to do with it
        throw err;
      }
    } else {
      // A definite refusal (422, out of stock, empty) means the cart is
      // still open and unpaid: no earlier try went through.
      if (err.kind === 'http' && err.httpStatus >= 400 && err.httpStatus < 500 && err.httpStatus !== 429) {
        localStore.remove(PAY_TRIES_KEY);
      }
      if (err.status === 'ERR_NOT_FOUND') forgetCart();
      throw err;
    }
  }
  forgetCart();
  rememberTransaction(receipt);
  return receipt;
}

// The last payment's receipt, so that a reload shows its status again.
export function rememberTransaction(receipt) {
  localStore.set(LAST_TX_KEY, {
    transaction_id: receipt.transaction_id,
    total_amount: receipt.total_amount,
    payment_amount: receipt.payment_amount,
    return_amount: receipt.return_amount,
  });
}

export function lastTransaction() {
  const tx = localStore.get(LAST_TX_KEY);
  return tx && typeof tx.transaction_id === 'string' ? tx : null;
}

export function forgetTransaction() {
  localStore.remove(LAST_TX_KEY);
}
