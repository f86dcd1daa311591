/** Phone numbers as the platforms write them, cleaned for the generic record. */

/**
 * Strips `tel:`, the host of a `sip:user@host` URI, and the spaces, dashes, dots and brackets
 * of display formats; keeps a leading '+'. Does not invent a '+' or a country code: a number
 * written nationally (a PBX's `89001234567`) stays as written, since its country is unknown.
 */
export function cleanPhoneNumber(text: string): string {
  let number = text.trim();
  if (/^tel:/i.test(number)) number = number.slice(4);
  const sip = /^sips?:([^@;]+)/i.exec(number);
  if (sip?.[1] !== undefined) number = sip[1];
  return number.replace(/[\s\-.()]/g, '');
}

/**
 * A PBX's own extensions are short; public numbers have 7 or more digits (national or E.164).
 * Used by the PBX importers, whose CDRs do not say which way a call went.
 */
export function isPublicNumber(text: string): boolean {
  return /^\+?\d{7,15}$/.test(cleanPhoneNumber(text));
}
