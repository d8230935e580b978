// A git source as given with --git URL --ref REF: checked before any git sees it (a value
// that starts with '-' would be read as an option: `--upload-pack=...` runs a command), and
// shown with its credentials masked wherever it is written (logs, memo, messages).

/** Why a git URL cannot be used, or null when it can. */
export function gitUrlProblem(url: string): string | null {
  if (url === '') return 'the URL is empty';
  if (url.startsWith('-')) return 'a URL cannot start with "-"';
  if (/[\u0000-\u001f\u007f\s]/.test(url)) return 'a URL cannot hold spaces or control characters';
  // Remote helpers such as ext:: run commands; only plain transports are accepted.
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return 'remote helpers (transport::address) are not accepted';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined)
    return ['https', 'http', 'ssh', 'git', 'file'].includes(scheme)
      ? null
      : `transport ${scheme}:// is not accepted (https, http, ssh, git or file)`;
  // scp-like user@host:path, or a path on the worker's machine.
  return null;
}

/** Why a git ref cannot be used, or null when it can (git check-ref-format's rules, and a commit id). */
export function gitRefProblem(ref: string): string | null {
  if (ref === '') return 'the ref is empty';
  if (ref.startsWith('-')) return 'a ref cannot start with "-"';
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref))
    return 'a ref cannot hold spaces, control characters or any of ~ ^ : ? * [ \\';
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//')) return 'a ref cannot hold "..", "@{" or "//"';
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock') || ref.startsWith('/'))
    return 'a ref cannot start with "/" or end with "/", "." or ".lock"';
  return null;
}

/** The URL with the password of its user info masked (`https://user:***@host/...`). */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*)@/, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
  });
}

/** The credentials in a URL's user info (to mask them in output), or none. */
export function urlCredentials(url: string): string[] {
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/@]*)@/.exec(url)?.[1];
  if (!userinfo) return [];
  const colon = userinfo.indexOf(':');
  const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // as written
  }
  return [...new Set([secret, decoded])].filter(Boolean);
}
