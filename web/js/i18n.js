// The page's words: Bahasa Indonesia by default, English on request. Every
// string the pages show lives in i18n/id.js and i18n/en.js (same keys).
// Static text in the HTML is marked with data-i18n="key" (textContent) or
// data-i18n-attr="placeholder:key;aria-label:key"; dynamic text calls t().
import id from './i18n/id.js';
import en from './i18n/en.js';
import { localStore } from './store.js';

const dictionaries = { id, en };
const LANG_KEY = 'umkm.lang';
const listeners = new Set();

let lang = dictionaries[localStore.get(LANG_KEY)] ? localStore.get(LANG_KEY) : 'id';

export function getLang() {
  return lang;
}

// The BCP 47 locale for dates and numbers in the current language.
export function locale() {
  return lang === 'en' ? 'en-GB' : 'id-ID';
}

// t('cart.items', {count: 3}) -> "3 barang". A missing key shows itself,
// which a test or a reviewer notices at once.
export function t(key, params = {}) {
  const text = dictionaries[lang][key] ?? dictionaries.id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
}

export function applyTranslations(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

export function setLang(next) {
  if (!dictionaries[next] || next === lang) return;
  lang = next;
  localStore.set(LANG_KEY, next);
  applyTranslations();
  for (const fn of listeners) fn(lang);
}

// Re-render hooks for text built in JS.
export function onLangChange(fn) {
  listeners.add(fn);
}

// Wires a <select> of languages: shows the current one, switches on change.
export function bindLangSwitch(select) {
  select.value = lang;
  select.addEventListener('change', () => setLang(select.value));
  onLangChange((l) => {
    select.value = l;
  });
}

export function formatDateTime(rfc3339) {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
