// The plugin's options as the theme components read them (set by the plugin's contentLoaded).
import { usePluginData } from '@docusaurus/useGlobalData';

export function usePortcullisOptions() {
  return usePluginData('portcullis-docusaurus');
}

/** Whether `pathname` (with the site's baseUrl) is gated by one of `protect`. */
export function isProtected(pathname, protect, baseUrl) {
  const base = baseUrl.replace(/\/$/, '');
  const p = base && pathname.startsWith(base) ? pathname.slice(base.length) || '/' : pathname;
  return protect.some((rule) =>
    rule.startsWith('^') ? new RegExp(rule).test(p) : p === rule || p.startsWith(rule.endsWith('/') ? rule : `${rule}/`),
  );
}

/** A redirect target from ?redirect=, only if it is a path on this site (never //host or a URL). */
export function safeRedirect(value, fallback) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  return value;
}

/** A path of this site (`path` starts with "/") under its baseUrl. */
export function sitePath(baseUrl, path) {
  return (baseUrl.replace(/\/$/, '') + path).replace(/\/{2,}/g, '/');
}

/** Where a signed-out visitor of `location` is sent: the login page, with ?redirect= back here. */
export function loginRedirect(baseUrl, loginPath, location) {
  const back = location.pathname + location.search + location.hash;
  return `${sitePath(baseUrl, loginPath)}?redirect=${encodeURIComponent(back)}`;
}

/**
 * The absolute URL of a path of this site, in the browser (the links the server mails lead there;
 * it checks their origin).
 */
export function siteURL(baseUrl, path) {
  return window.location.origin + sitePath(baseUrl, path);
}
