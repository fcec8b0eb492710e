// What the storefront and the admin page share around their content: the
// language switch, the offline banner, the message areas and the service
// worker that keeps the page shell available offline.
import { applyTranslations, bindLangSwitch, onLangChange, t } from './i18n.js';
import { describeError } from './errors.js';
import { byTestId, say } from './dom.js';

export function setupPage() {
  applyTranslations();
  bindLangSwitch(byTestId('lang-switch'));

  const offline = byTestId('offline-banner');
  const showOnline = () => {
    offline.hidden = navigator.onLine !== false;
  };
  window.addEventListener('online', showOnline);
  window.addEventListener('offline', showOnline);
  showOnline();

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // no offline shell then (a private window, an old browser): the page
      // itself works the same
    });
  }

  // The last message of each kind, kept as data so that a language switch
  // re-words it rather than leaving the old language on screen.
  const errorBox = byTestId('error-message');
  const infoBox = byTestId('info-message');
  let error = null; // {err, ctx}
  let info = null; // {key, params}

  function render() {
    say(errorBox, error ? describeError(error.err, error.ctx) : '');
    errorBox.dataset.errorStatus = error ? error.err.status || error.err.kind || '' : '';
    say(infoBox, info ? t(info.key, info.params) : '', 'info');
  }
  onLangChange(render);
  // A message is dismissed by tapping it.
  errorBox.addEventListener('click', () => {
    error = null;
    render();
  });
  infoBox.addEventListener('click', () => {
    info = null;
    render();
  });

  return {
    showError(err, ctx = {}) {
      if (!(err && (err.name === 'ApiError' || err.name === 'LocalError'))) console.error(err);
      error = { err, ctx };
      info = null;
      render();
    },
    showInfo(key, params = {}) {
      info = { key, params };
      error = null;
      render();
    },
    clearMessages() {
      error = null;
      info = null;
      render();
    },
  };
}

// Tells browser tests the first data load is over (successful or not).
export function markReady() {
  document.body.dataset.ready = '1';
}
