/**
 * JSON that can sit inside `<script type="application/json">` (Lighthouse's sanitizeJson):
 * no `</script`, no `<!--`, and no U+2028/U+2029 line separators survive, yet JSON.parse
 * of the element's text gives back the same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script body inlined in a page must not close its own tag or open an HTML comment. */
export function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
