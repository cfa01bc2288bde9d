/** Quoting values taken from a file in error messages: never more than a short excerpt. */

/** Longest excerpt of a file's text an error message quotes. */
export const MAX_QUOTE = 80;

/**
 * `text` itself when short, else its start and how long it was: a hostile file can hold a
 * name or value megabytes long, and a message should stay one readable line.
 *
 * @example
 * cut('x'.repeat(1000)) // 'xxxx…xxx… (1000 characters)'
 */
export function cut(text: string, max = MAX_QUOTE): string {
  const oneLine = text.replace(/[\r\n]/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}… (${text.length} characters)`;
}
