/**
 * One way to turn a credential into a Principal, for every door of the server: the API's bearer token and the web
 * UI's session (which holds the same token the person signed in with, server-side). A token from the identities file,
 * or, when the identities configure OIDC, an ID token (JWT) from that provider, checked against its keys each time,
 * so an expired token or JWT ends the session too.
 */
import type { Identities } from '../governance/identity.js';
import { createOidcVerifier } from '../governance/oidc.js';
import type { Principal } from '../shared/principal.js';

export type Authenticator = (token: string) => Promise<Principal | undefined>;

export function createAuthenticator(identities: Identities): Authenticator {
  const verifyOidc = identities.oidc ? createOidcVerifier(identities.oidc) : undefined;
  return async (token) => {
    if (!token) return undefined;
    const principal = identities.authenticate(token);
    if (principal) return principal;
    if (verifyOidc && token.split('.').length === 3) {
      const result = await verifyOidc(token);
      if (result.ok) return result.principal;
    }
    return undefined;
  };
}
