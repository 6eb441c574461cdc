/** Empty, root, 0, root:x, 0:x (and white space) run as uid 0: the value of a USER instruction or of an image's Config.User. A named user is taken at its word. */
export function isRootUser(user: string | undefined | null): boolean {
  const u = (user ?? '').trim();
  if (!u) return true;
  const name = u.split(':')[0];
  return name === 'root' || name === '0';
}
