const MAX_SLUG = 40;

/**
 * A lowercase slug for branch and directory components: only `[a-z0-9-]`, no repeated, leading
 * or trailing dashes, at most 40 characters, and never empty (`run` when nothing is left).
 * Accents are folded (`é` → `e`) so a French title still yields a readable slug.
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug === '' ? 'run' : slug;
}
