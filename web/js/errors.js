// Turns an ApiError (or a local validation problem) into one sentence for a
// person, in the current language. The server's messages are English and
// meant for developers; the numbers and names a customer needs (how many
// are left, the new price, the amount due) are read out of them here, and
// when a message does not have the expected form, a sentence without the
// number is shown instead of the raw text.
import { t } from './i18n.js';
import { formatRupiah } from './money.js';

function match(err, field, pattern) {
  const entry = err.detail(field) || err.detail();
  const m = entry && typeof entry.message === 'string' ? entry.message.match(pattern) : null;
  return m || null;
}

function retryHint(err) {
  return err.retryAfter != null && err.retryAfter > 0
    ? t('err.retryIn', { seconds: err.retryAfter })
    : t('err.retryLater');
}

function fieldLabel(field) {
  const key = `field.${field}`;
  const label = t(key);
  return label === key ? field : label;
}

// ctx: { action: 'load'|'add'|'pay'|'tx'|'admin'|'verify'|'stock',
//        goodsName, lines: [{goodsId, name}], total,
//        unsure: the amount of a pay that got no answer, or null }
export function describeError(err, ctx = {}) {
  if (err && err.name === 'LocalError') return t(err.key, err.params);
  if (!err || err.name !== 'ApiError') return t('err.generic');
  // A pay that got no answer may have gone through: say so, and point at the
  // button that asks again with the same amount, not at a new amount.
  if (ctx.action === 'pay' && ctx.unsure != null) return t('err.payUnsure', { amount: formatRupiah(ctx.unsure) });
  if (err.kind === 'offline' || (typeof navigator !== 'undefined' && navigator.onLine === false)) {
    return t('err.offline');
  }
  if (err.kind === 'timeout') return t('err.timeout');

  switch (err.status) {
    case 'ERR_RATE_LIMITED':
      return `${t('err.rateLimited')} ${retryHint(err)}`;
    case 'ERR_UNAVAILABLE':
    case 'ERR_GATEWAY_TIMEOUT':
      return `${t('err.unavailable')} ${retryHint(err)}`;
    case 'ERR_UNAUTHORIZED':
      return t('err.tokenRejected');

    case 'ERR_OUT_OF_STOCK': {
      if (ctx.action === 'pay') {
        // "goods 3 (Bakwan): only 2 left, cart holds 5"
        const m = match(err, 'goods_id', /^goods (\d+) \((.*)\): only (\d+) left, cart holds (\d+)$/);
        if (!m) return t('err.outOfStockPayPlain');
        const line = (ctx.lines || []).find((l) => String(l.goodsId) === m[1]);
        const name = line ? line.name : m[2];
        return t('err.outOfStockPay', { name, left: m[3], held: m[4] });
      }
      if (ctx.action === 'stock') {
        const m = match(err, 'total', /only (\d+) in stock/);
        return m ? t('err.stockBelowZero', { left: m[1] }) : t('err.stockBelowZeroPlain');
      }
      // add to cart: "only 4 more of Kopi available"
      const m = match(err, 'total', /only (\d+) more of (.*) available$/);
      const name = ctx.goodsName || (m ? m[2] : '');
      return m ? t('err.outOfStockAdd', { name, left: m[1] }) : t('err.outOfStockAddPlain', { name });
    }

    case 'ERR_PRICE_MISMATCH': {
      // "the price of Kopi is now 3500"
      const m = match(err, 'goods_price', /^the price of (.*) is now (\d+)$/);
      const name = ctx.goodsName || (m ? m[1] : '');
      return m
        ? t('err.priceChanged', { name, price: formatRupiah(Number(m[2])) })
        : t('err.priceChangedPlain', { name });
    }

    case 'ERR_INSUFFICIENT_PAYMENT': {
      // "payment_amount 1000 is less than total_amount 6000"
      const m = match(err, 'payment_amount', /total_amount (\d+)$/);
      const total = m ? Number(m[1]) : ctx.total;
      return total != null
        ? t('err.insufficient', { total: formatRupiah(total) })
        : t('err.insufficientPlain');
    }

    case 'ERR_CART_CLOSED':
      return ctx.action === 'pay' ? t('err.cartClosedPay') : t('err.cartClosedAdd');
    case 'ERR_CART_EMPTY':
      return t('err.cartEmpty');

    case 'ERR_ALREADY_DECIDED': {
      const m = match(err, 'decision', /already (PAID|VERIFIED|REJECTED)$/);
      return m ? t('err.alreadyDecided', { status: t(`status.${m[1]}`) }) : t('err.alreadyDecidedPlain');
    }

    case 'ERR_NOT_FOUND': {
      const field = (err.detail() || {}).field;
      if (ctx.action === 'add' && field === 'cart_id') return t('err.cartGone');
      if (ctx.action === 'add' && field === 'goods_id') return t('err.goodsGone', { name: ctx.goodsName || '' });
      if (ctx.action === 'pay') return t('err.cartGone');
      if (field === 'transaction_id') return t('err.txNotFound');
      return t('err.notFound');
    }

    case 'ERR_BAD_REQUEST': {
      const field = (err.detail() || {}).field;
      return field ? t('err.badRequestField', { field: fieldLabel(field) }) : t('err.badRequest');
    }
    case 'ERR_PAYLOAD_TOO_LARGE':
      return t('err.tooLarge');
    default:
      return t('err.generic');
  }
}

// A problem found before anything was sent (a quantity of 0, a blank note):
// shown through the same path as the server's errors.
// Kept as a key, not a sentence, so that switching language re-words it.
export function localError(key, params = {}) {
  const e = new Error(key);
  e.name = 'LocalError';
  e.key = key;
  e.params = params;
  e.status = 'LOCAL_VALIDATION';
  return e;
}
