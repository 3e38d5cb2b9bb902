/** No content type (older clients) or a JSON one: `application/json`, `application/problem+json; charset=utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const type = (header.split(';', 1)[0] as string).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
