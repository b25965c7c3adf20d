const STORAGE_KEY = 'gaffer.token';

/**
 * The API token: `gaffer serve` prints `/?token=…`. It is kept in sessionStorage (so a reload or a
 * client route still has it, and it dies with the tab) and taken out of the address bar, so it
 * stays out of the history, bookmarks and screenshots. A token in the URL wins over a stored one:
 * the user just opened a new server's address.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}
