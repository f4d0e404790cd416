/**
 * The arithmetic that keeps detectors honest: Luhn and issuer ranges for payment cards, the IBAN registry's lengths
 * and its mod-97 check, and the SSA's rules for SSNs. A 16-digit order number passes Luhn one time in ten; with the
 * issuer range and length of a real card network too, far less often. Pure functions over ASCII digit strings.
 */

/** Luhn over a string of ASCII digits (no separators). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const prefix = (digits: string, n: number): number => Number(digits.slice(0, n));

/**
 * True when the number lies in the range of a card network and has one of that network's lengths (ISO/IEC 7812
 * issuer ranges as the networks publish them: Visa, Mastercard, American Express, Discover, Diners, JCB,
 * UnionPay, Maestro, Mir). Ranges only; no claim that the account exists.
 */
export function cardIssuerPlausible(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const p2 = prefix(digits, 2);
  const p3 = prefix(digits, 3);
  const p4 = prefix(digits, 4);
  const p6 = prefix(digits, 6);
  switch (digits[0]) {
    case '4': // Visa
      return n === 13 || n === 16 || n === 19;
    case '5':
      if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
      return [5018, 5020, 5038, 5893].includes(p4) && n >= 13; // Maestro
    case '2':
      if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
      return p4 >= 2200 && p4 <= 2204 && n >= 16; // Mir
    case '3':
      if (p2 === 34 || p2 === 37) return n === 15; // American Express
      if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14; // Diners Club
      return p4 >= 3528 && p4 <= 3589 && n >= 16; // JCB
    case '6':
      if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) return n >= 16; // Discover
      if (p2 === 62) return n >= 16; // UnionPay
      return [6304, 6759, 6761, 6762, 6763].includes(p4) && n >= 13; // Maestro
    default:
      return false;
  }
}

/** A card number: plausible issuer and length, Luhn-valid, and not one digit repeated. */
export function cardNumberValid(digits: string): boolean {
  if (!cardIssuerPlausible(digits)) return false;
  let same = true;
  for (let i = 1; i < digits.length && same; i++) same = digits[i] === digits[0];
  return !same && luhnValid(digits);
}

/** IBAN length per country, from the SWIFT IBAN registry. A country not listed here is not detected. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27,
  ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
});

/** ISO 13616 check: the length of its country, then mod 97 of the rearranged number equals 1. Spaces are ignored. */
export function ibanValid(text: string): boolean {
  const iban = text.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban) || IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  return ibanMod97(iban) === 1;
}

/** Mod 97 of the IBAN with its first four characters moved to the end and letters as 10..35, without big integers. */
export function ibanMod97(iban: string): number {
  let remainder = 0;
  const n = iban.length;
  for (let k = 0; k < n; k++) {
    const code = iban.charCodeAt((k + 4) % n);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return -1;
  }
  return remainder;
}

/** Social Security Administration rules: area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}
