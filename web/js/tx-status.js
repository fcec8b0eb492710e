// Follows one transaction's status live: GET once (the fallback, and what a
// page without EventSource relies on), then the server-sent events stream,
// whose every message is the whole transaction view and whose first
// message is the current state, so a reconnect never misses a change.
import { api } from './api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60000;

export function isTransactionId(id) {
  return typeof id === 'string' && UUID.test(id);
}

export function isDecided(status) {
  return status === 'VERIFIED' || status === 'REJECTED';
}

// onView(view) for every state seen; onError(err) when the GET fails.
// Returns {stop(), settled}: settled resolves once the first GET has
// answered (or failed), which is when the page's first load is over. Stops by itself once the status is final: nothing
// changes after VERIFIED or REJECTED.
export function followTransaction(id, { onView, onError }) {
  const path = `/api/small/transactions/${encodeURIComponent(id)}`;
  let source = null;
  let timer = null;
  let stopped = false;
  let delay = FIRST_RETRY_MS;

  function stop() {
    stopped = true;
    clearTimeout(timer);
    if (source) source.close();
    source = null;
  }

  function seen(view) {
    if (stopped || !view || view.transaction_id !== id) return;
    onView(view);
    if (isDecided(view.status)) stop();
  }

  async function fetchView() {
    try {
      const { data } = await api('GET', path);
      seen(data);
      return { ok: true };
    } catch (err) {
      if (!stopped) onError(err);
      return { ok: false, gone: err.status === 'ERR_NOT_FOUND' };
    }
  }

  function openStream() {
    if (stopped || typeof EventSource === 'undefined') return;
    source = new EventSource(`${path}/events`);
    source.onmessage = (event) => {
      delay = FIRST_RETRY_MS;
      try {
        seen(JSON.parse(event.data));
      } catch {
        // not a transaction view: ignore it, the next one will be
      }
    };
    source.onerror = () => {
      // While CONNECTING the browser retries by itself (a dropped stream, an
      // nginx reload). CLOSED means it gave up: the answer was not a stream
      // (429, 503, 404). Then retry here, slower each time, with a GET first
      // so that the page shows the latest state even if the stream stays down.
      if (!source || source.readyState !== EventSource.CLOSED) return;
      source = null;
      timer = setTimeout(async () => {
        const r = await fetchView();
        if (!r.gone) openStream();
      }, delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    };
  }

  const settled = fetchView().then((r) => {
    if (!r.gone) openStream();
  });
  return { stop, settled };
}
