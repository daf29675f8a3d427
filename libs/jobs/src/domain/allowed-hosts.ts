/**
 * Whether `url` may be POSTed to: http(s), and its host (with or without its port) is in
 * `allowedHosts` (CONVEYOR_WEBHOOK_ALLOWED_HOSTS). A job service that POSTs anywhere is an open
 * proxy into the network it runs in. Webhooks and completion callbacks share this rule.
 */
export function isAllowedTarget(allowedHosts: readonly string[], url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  return (
    allowedHosts.includes(parsed.host.toLowerCase()) || allowedHosts.includes(parsed.hostname.toLowerCase())
  );
}
