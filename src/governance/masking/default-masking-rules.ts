/**
 * The rules that apply when a policy says nothing: column-name patterns for the personal data and secrets an
 * operational database typically holds. Each masks only the value kinds that can carry its type (so `address_id`,
 * `email_verified` and `password_changed_at` stay readable), with the type's default strategy unless stated.
 * Order matters where patterns overlap: the first that matches wins, so `email_address` is an email and
 * `ip_address` an IP address before `*address*` sees them. A policy's rules come before these.
 */
import type { ColumnRule } from './column-rules.js';

const NUMERIC_SECRET = ['text', 'number', 'binary', 'json'] as const;
const LOCATION = ['text', 'number', 'binary', 'json'] as const;

export const DEFAULT_MASKING_RULES: readonly ColumnRule[] = Object.freeze([
  // Contact: email keeps its domain, phones their last four digits.
  { match: '*email*', type: 'email' },
  { match: '*e_mail*', type: 'email' },
  { match: '*phone*', type: 'phone' },
  { match: 'mobile', type: 'phone' },
  { match: '*mobile_number*', type: 'phone' },
  { match: '*mobile_no', type: 'phone' },
  { match: '*msisdn*', type: 'phone' },
  { match: 'fax', type: 'phone' },
  { match: '*fax_number*', type: 'phone' },

  // Network identifiers, pseudonymised (same client, same pseudonym). Before `*address*`.
  { match: 'ip', type: 'ip_address' },
  { match: '*_ip', type: 'ip_address' },
  { match: '*ip_addr*', type: 'ip_address' },
  { match: '*ipaddr*', type: 'ip_address' },
  { match: '*remote_addr*', type: 'ip_address' },
  { match: '*client_addr*', type: 'ip_address' },
  { match: '*client_hostname*', type: 'ip_address' },
  { match: '*mac_addr*', type: 'ip_address' },

  // Names, pseudonymised so that "same customer?" still has an answer.
  { match: '*first_name*', type: 'person_name' },
  { match: '*last_name*', type: 'person_name' },
  { match: '*full_name*', type: 'person_name' },
  { match: '*given_name*', type: 'person_name' },
  { match: '*family_name*', type: 'person_name' },
  { match: '*middle_name*', type: 'person_name' },
  { match: '*maiden_name*', type: 'person_name' },
  { match: 'surname', type: 'person_name' },
  { match: 'forename', type: 'person_name' },
  { match: '*holder_name*', type: 'person_name' },
  { match: '*contact_name*', type: 'person_name' },
  { match: '*recipient_name*', type: 'person_name' },
  { match: 'display_name', type: 'person_name' },
  { match: 'username', type: 'person_name' },
  { match: 'user_name', type: 'person_name' },

  // Where someone lives or is.
  { match: '*address*', type: 'address' },
  { match: '*street*', type: 'address' },
  { match: '*postcode*', type: 'address' },
  { match: '*postal_code*', type: 'address' },
  { match: 'zip', type: 'address' },
  { match: '*zip_code*', type: 'address' },
  { match: '*zipcode*', type: 'address' },
  { match: '*latitude*', type: 'address', kinds: LOCATION },
  { match: '*longitude*', type: 'address', kinds: LOCATION },
  { match: 'lat', type: 'address', kinds: LOCATION },
  { match: 'lng', type: 'address', kinds: LOCATION },
  { match: '*geolocation*', type: 'address' },

  // Birth dates: redacted; a policy may choose `partial` (the year).
  { match: '*date_of_birth*', type: 'date_of_birth' },
  { match: '*birth_date*', type: 'date_of_birth' },
  { match: '*birthdate*', type: 'date_of_birth' },
  { match: '*birthday*', type: 'date_of_birth' },
  { match: 'dob', type: 'date_of_birth' },
  { match: '*_dob', type: 'date_of_birth' },

  // Government identifiers.
  { match: 'ssn', type: 'national_id' },
  { match: '*_ssn', type: 'national_id' },
  { match: 'ssn_*', type: 'national_id' },
  { match: '*social_security*', type: 'national_id' },
  { match: '*national_id*', type: 'national_id' },
  { match: '*national_insurance*', type: 'national_id' },
  { match: 'nino', type: 'national_id' },
  { match: '*tax_id*', type: 'national_id' },
  { match: '*taxpayer_id*', type: 'national_id' },
  { match: 'tin', type: 'national_id' },
  { match: '*passport*', type: 'national_id' },
  { match: '*driver_licen*', type: 'national_id' },
  { match: '*drivers_licen*', type: 'national_id' },
  { match: '*driving_licen*', type: 'national_id' },

  // Payment cards keep their last four digits (PCI DSS allows more; we show less). Verification codes never.
  { match: '*cvv*', type: 'payment_card', strategy: 'redact' },
  { match: '*cvc*', type: 'payment_card', strategy: 'redact' },
  { match: '*card_verification*', type: 'payment_card', strategy: 'redact' },
  { match: '*card_security_code*', type: 'payment_card', strategy: 'redact' },
  { match: '*card_number*', type: 'payment_card' },
  { match: '*card_no', type: 'payment_card' },
  { match: '*cardnumber*', type: 'payment_card' },
  { match: '*credit_card*', type: 'payment_card' },
  { match: 'cc_number', type: 'payment_card' },
  { match: 'pan', type: 'payment_card' },
  { match: '*_pan', type: 'payment_card' },
  { match: 'primary_account_number', type: 'payment_card' },

  // Bank accounts keep their country and last four characters.
  { match: '*iban*', type: 'iban' },
  { match: '*bank_account*', type: 'iban' },
  { match: '*account_number*', type: 'iban' },

  // Secrets: redacted, never partial or hashed (a pseudonym of a weak password can be brute-forced by a key holder).
  { match: 'password*', type: 'secret' },
  { match: '*password', type: 'secret' },
  { match: '*passwd*', type: 'secret' },
  { match: '*passphrase*', type: 'secret' },
  { match: '*secret*', type: 'secret' },
  { match: '*token*', type: 'secret' },
  { match: '*api_key*', type: 'secret' },
  { match: '*apikey*', type: 'secret' },
  { match: '*private_key*', type: 'secret' },
  { match: '*access_key*', type: 'secret' },
  { match: '*signing_key*', type: 'secret' },
  { match: '*encryption_key*', type: 'secret' },
  { match: '*credential*', type: 'secret' },
  { match: 'session_id', type: 'secret' },
  { match: '*session_key*', type: 'secret' },
  { match: '*recovery_code*', type: 'secret' },
  { match: 'pin', type: 'secret', kinds: NUMERIC_SECRET },
  { match: '*_pin', type: 'secret', kinds: NUMERIC_SECRET },
  { match: '*pin_code*', type: 'secret', kinds: NUMERIC_SECRET },
] satisfies ColumnRule[]);
