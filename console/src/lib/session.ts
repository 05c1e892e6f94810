// Where the token lives: sessionStorage (gone with the tab), filled from the login form or from
// the URL fragment `#token=<JWT>` (a fragment never reaches a server), which is then removed.

export const TOKEN_KEY = "infobus.token";

/** The token of a fragment like "#token=abc" or "#a=1&token=abc"; null when there is none. */
export function tokenFromFragment(hash: string): string | null {
  const h = hash.startsWith("#") ? hash.slice(1) : hash;
  const t = new URLSearchParams(h).get("token");
  return t !== null && t.trim() !== "" ? t.trim() : null;
}

/** The fragment with the token taken out ("" when nothing else was there). */
export function fragmentWithoutToken(hash: string): string {
  const h = hash.startsWith("#") ? hash.slice(1) : hash;
  const p = new URLSearchParams(h);
  p.delete("token");
  const rest = p.toString();
  return rest === "" ? "" : `#${rest}`;
}

export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadToken(store: TokenStore): string {
  return store.getItem(TOKEN_KEY) ?? "";
}

export function saveToken(store: TokenStore, token: string): void {
  store.setItem(TOKEN_KEY, token.trim());
}

export function clearToken(store: TokenStore): void {
  store.removeItem(TOKEN_KEY);
}
