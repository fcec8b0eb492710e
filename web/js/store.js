// JSON values in Web Storage that survive a browser refusing storage
// (private mode, quota full, storage disabled): the page then keeps working
// for this visit from memory instead of throwing on every click.
function makeStore(kind) {
  const memory = new Map();
  let storage = null;
  try {
    storage = kind === 'session' ? window.sessionStorage : window.localStorage;
    storage.setItem('umkm.probe', '1');
    storage.removeItem('umkm.probe');
  } catch {
    storage = null;
  }

  return {
    get(key) {
      let raw = memory.has(key) ? memory.get(key) : null;
      if (raw == null && storage) raw = storage.getItem(key);
      if (raw == null) return null;
      try {
        return JSON.parse(raw);
      } catch {
        return null; // a value someone else wrote: treat it as absent
      }
    },
    set(key, value) {
      const raw = JSON.stringify(value);
      try {
        if (storage) {
          storage.setItem(key, raw);
          memory.delete(key);
          return;
        }
      } catch {
        // quota full: fall through to memory
      }
      memory.set(key, raw);
    },
    remove(key) {
      memory.delete(key);
      if (storage) storage.removeItem(key);
    },
  };
}

// Kept on this device across visits: user id, cart, language, last payment.
export const localStore = makeStore('local');
// Gone when the tab closes: the admin token, and nothing else.
export const sessionStore = makeStore('session');
