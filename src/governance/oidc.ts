/**
 * OpenID Connect: a JWT from the organisation's identity provider, verified against its JWKS (signature, issuer,
 * audience, expiry) with `jose`, becomes a human Principal whose groups come from a claim.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Principal } from '../shared/principal.js';

export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The claim that lists the user's groups (default `groups`). */
  readonly groupsClaim?: string;
  /** The claim that names the user (default `preferred_username`, then `sub`). */
  readonly subjectClaim?: string;
}

export type OidcResult = { ok: true; principal: Principal } | { ok: false; reason: string };

export function createOidcVerifier(settings: OidcSettings): (token: string) => Promise<OidcResult> {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience }));
    } catch (error) {
      return { ok: false, reason: `token refused: ${(error as Error).message}` };
    }
    const id = payload[settings.subjectClaim ?? 'preferred_username'] ?? payload.sub;
    if (typeof id !== 'string' || id === '') return { ok: false, reason: 'token names no user' };
    const claim = payload[settings.groupsClaim ?? 'groups'];
    const groups = Array.isArray(claim) ? claim.filter((g): g is string => typeof g === 'string') : [];
    return { ok: true, principal: { id, kind: 'human', groups } };
  };
}
