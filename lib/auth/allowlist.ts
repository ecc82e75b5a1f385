/**
 * RUNNEL_ALLOWED_EMAILS: who may sign in. An entry is an address (`ana@example.com`) or a domain
 * (`example.com`, which admits its addresses but not its subdomains'). An empty list admits anyone.
 */
export function emailAllowed(allowed: readonly string[], email: string): boolean {
  if (allowed.length === 0) return true;
  const address = email.trim().toLowerCase();
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return allowed.some((entry) => (entry.includes('@') ? entry === address : entry === domain));
}
