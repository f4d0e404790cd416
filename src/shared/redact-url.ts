/** A connection URL fit to print: the password replaced, so an error message never carries a credential. Pure. */
export function redactUrl(url: string, options: { readonly dropQuery?: boolean } = {}): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // A query string can carry tokens too (`?access_token=`); where the URL is only shown, it is dropped.
    if (options.dropQuery) u.search = u.search ? '?…' : '';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
