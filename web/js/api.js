// The one place that talks HTTP to /api/small/. Every call resolves to the
// envelope's {data, meta} or rejects with an ApiError; callers never look at
// a Response, a status line or raw JSON.
const TIMEOUT_MS = 20000; // a little under the pool's own 30 s request limit

export class ApiError extends Error {
  // kind: 'offline' (fetch threw: no network, DNS, refused),
  //       'timeout' (no answer in time; pay is safe to retry),
  //       'http'    (an answer that is not a success envelope).
  constructor({ kind, httpStatus = 0, status = '', errors = [], retryAfter = null }) {
    super(`${kind} ${httpStatus} ${status}`.trim());
    this.name = 'ApiError';
    this.kind = kind;
    this.httpStatus = httpStatus;
    this.status = status; // the envelope's status, e.g. ERR_OUT_OF_STOCK
    this.errors = errors; // [{field?, message}]
    this.retryAfter = retryAfter; // seconds, or null
  }

  // The first error entry, or the one that names `field`.
  detail(field) {
    if (field) return this.errors.find((e) => e.field === field) || null;
    return this.errors[0] || null;
  }
}

// Retry-After is seconds or an HTTP date; answers in whole seconds.
function retryAfterSeconds(header) {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const when = Date.parse(header);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

// When an answer has no JSON envelope (a proxy in between, a captive
// portal), its HTTP status still tells the kind of trouble.
function statusFromHttp(code) {
  if (code === 401) return 'ERR_UNAUTHORIZED';
  if (code === 404) return 'ERR_NOT_FOUND';
  if (code === 429) return 'ERR_RATE_LIMITED';
  if (code === 502 || code === 503) return 'ERR_UNAVAILABLE';
  if (code === 504) return 'ERR_GATEWAY_TIMEOUT';
  return `HTTP_${code}`;
}

// Requests in flight, mirrored on <body data-busy> so that browser tests
// (and CSS) can tell when the page has settled.
let inFlight = 0;
function setBusy(delta) {
  inFlight += delta;
  if (document.body) document.body.dataset.busy = inFlight > 0 ? '1' : '0';
}

export async function api(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  setBusy(+1);
  let response;
  let text;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit', // the admin token travels in the header, nothing in cookies
      signal: abort.signal,
    });
    text = await response.text();
  } catch (e) {
    throw new ApiError({ kind: abort.signal.aborted ? 'timeout' : 'offline' });
  } finally {
    clearTimeout(timer);
    setBusy(-1);
  }

  let envelope = null;
  try {
    envelope = JSON.parse(text);
  } catch {
    envelope = null;
  }
  const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'));
  if (response.ok && envelope && typeof envelope === 'object' && 'data' in envelope) {
    return { data: envelope.data, meta: envelope.meta || null, httpStatus: response.status };
  }
  const enveloped = envelope && typeof envelope === 'object' && typeof envelope.status === 'string';
  throw new ApiError({
    kind: 'http',
    httpStatus: response.status,
    status: enveloped ? envelope.status : statusFromHttp(response.status),
    errors: enveloped && Array.isArray(envelope.errors) ? envelope.errors : [],
    retryAfter,
  });
}

// Builds a query string from the set values only.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
