/**
 * ISO 4217 minor units (the decimals of an invoice line, SPEC §1). The runtime's ICU data is
 * not used for this: it gives the digits a currency is usually *displayed* with (0 for HUF,
 * IDR or PKR, 0 for IQD), not its ISO exponent. Codes not listed here have two decimals.
 * Source: ISO 4217 list one, amendment 179 (2024).
 */
const ISO_4217_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Codes ISO lists that some ICU builds do not. */
const ALSO_ISO_4217 = new Set(['CLF', 'UYW', 'VED', 'ZWG']);

export function isCurrencyCode(code: string): boolean {
  return ALSO_ISO_4217.has(code) || Intl.supportedValuesOf('currency').includes(code);
}

export function minorUnitsOf(currency: string): number {
  return ISO_4217_EXPONENTS[currency] ?? 2;
}
