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

// The amounts this device has sent to pay the cart `cartId`, kept until a
// receipt arrives (or the cart is forgotten): a pay whose answer was lost
// may still commit on the server, and only its exact amount fetches its
// receipt. A quick refusal of a later amount (422) says nothing about an
// earlier one that is still running, so no refusal drops them.
// `unsure` is the amount of the last try that got no answer at all.
function payTries(cartId) {
  const stored = localStore.get(PAY_TRIES_KEY);
  if (stored && stored.cartId === cartId && Array.isArray(stored.amounts)) return stored;
  return { cartId, amounts: [], unsure: null };
}

// The amount of a pay of the current cart that got no answer (it may have
// gone through), or null: the page offers to ask again with that amount.
export function unsurePayment() {
  const { cartId } = getCart();
  const unsure = cartId ? payTries(cartId).unsure : null;
  return Number.isInteger(unsure) ? unsure : null;
}

// No answer, or a gateway error that may come after the commit: the server
// may have taken this payment. (A 429 or an envelope refusal never does.)
function maybeCommitted(err) {
  return err.kind === 'offline' || err.kind === 'timeout' || err.httpStatus === 502 || err.httpStatus === 504;
}

const PAY_REFUSALS = ['ERR_INSUFFICIENT_PAYMENT', 'ERR_OUT_OF_STOCK', 'ERR_CART_EMPTY'];

function sendPay(cartId, payment_amount) {
  return api('POST', '/api/small/pay', { body: { cart_id: cartId, payment_amount } }).then((r) => r.data);
}

// The cart is paid (the server said "cart closed"): asks again with each
// remembered amount, as pay is idempotent per amount, to fetch the receipt
// of a payment of ours whose answer was lost. Safe only on a closed cart:
// on an open one the first amount would pay it. Null when none matches.
async function recoverReceipt(cartId, amounts) {
  for (const amount of amounts) {
    try {
      return await sendPay(cartId, amount);
    } catch (err) {
      if (err.status !== 'ERR_CART_CLOSED') throw err; // no answer: the tries stay, ask again later
    }
  }
  return null;
}

function paid(receipt) {
  forgetCart();
  rememberTransaction(receipt);
  return receipt;
}

// goods: {id, name, price} as the catalog showed it; the price sent is the
// price the customer saw, so the server refuses it if it has changed since.
// Resolves to {cart} after the add, or to {receipt} when the cart turned
// out to be paid by an earlier pay from here whose answer was lost: then
// nothing was added and the receipt is that payment's.
export async function addToCart(goods, quantity) {
  const cart = getCart();
  const body = { user_id: userId(), goods_id: goods.id, goods_price: goods.price, total: quantity };
  if (cart.cartId) body.cart_id = cart.cartId;
  let summary;
  try {
    ({ data: summary } = await api('POST', '/api/small/cart', { body }));
  } catch (err) {
    const field = err.detail ? (err.detail() || {}).field : null;
    if (err.status === 'ERR_CART_CLOSED') {
      // Paid: by a pay of ours that the customer never saw answered? Then
      // its receipt is what the customer needs, not a new cart.
      const receipt = await recoverReceipt(cart.cartId, payTries(cart.cartId).amounts);
      if (receipt) return { receipt: paid(receipt) };
      forgetCart(); // paid elsewhere (another tab): the next add starts a new cart
    } else if (err.status === 'ERR_NOT_FOUND' && field === 'cart_id') {
      forgetCart(); // gone with a reset database
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
  return { cart: next };
}

// Pays the cart. Paying a paid cart again with the same amount returns the
// first receipt, so a pay whose answer was lost is simply retried with the
// same amount (see unsurePayment). If the customer types a different amount
// instead, the server says "cart closed", and asking again with the earlier
// amounts fetches the receipt of the payment that did go through: the
// receipt's payment_amount then differs from `amount`.
export async function pay(amount) {
  const cart = getCart();
  if (!cart.cartId || cart.lines.length === 0) throw localError('err.cartEmpty');
  const tries = payTries(cart.cartId);
  const earlier = tries.amounts.filter((a) => a !== amount);
  localStore.set(PAY_TRIES_KEY, { ...tries, amounts: [...earlier, amount] });

  try {
    let receipt;
    try {
      receipt = await sendPay(cart.cartId, amount);
    } catch (err) {
      if (err.status !== 'ERR_CART_CLOSED') throw err;
      receipt = await recoverReceipt(cart.cartId, earlier);
      if (!receipt) {
        forgetCart(); // paid, but not from here: nothing more to do with it
        throw err;
      }
    }
    return paid(receipt);
  } catch (err) {
    if (err.status === 'ERR_NOT_FOUND') forgetCart();
    const now = localStore.get(PAY_TRIES_KEY);
    if (now && now.cartId === cart.cartId) {
      // No answer: this amount may be paid; offer to ask again with it.
      // The server refused this very amount: nothing to ask again (the
      // amounts stay, in case the first try is still running). A refusal
      // that never reached the pay (429, 503) changes nothing.
      if (maybeCommitted(err)) now.unsure = amount;
      else if (now.unsure === amount && PAY_REFUSALS.includes(err.status)) now.unsure = null;
      localStore.set(PAY_TRIES_KEY, now);
    }
    throw err;
  }
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
