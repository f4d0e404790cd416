/**
 * OIDC tokens verified against a real JWKS served over HTTP on 127.0.0.1: good, expired, wrong audience, wrong issuer,
 * and signed by another key.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier } from '../../src/governance/oidc.js';

describe('OIDC verification', () => {
  let server: Server;
  let jwksUrl: string;
  let sign: (claims: Record<string, unknown>, options?: { exp?: string; aud?: string; iss?: string; other?: boolean }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
    sign = (claims, o = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(o.iss ?? 'https://idp.example')
        .setAudience(o.aud ?? 'vigil')
        .setIssuedAt()
        .setExpirationTime(o.exp ?? '5m')
        .sign(o.other ? stranger.privateKey : privateKey);
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const verify = (token: string) => createOidcVerifier({ issuer: 'https://idp.example', audience: 'vigil', jwksUrl })(token);

  it('turns a valid token into a human principal with groups from the claim', async () => {
    expect(await verify(await sign({ sub: 'u-1', preferred_username: 'bob', groups: ['dba', 7] }))).toEqual({ ok: true, principal: { id: 'bob', kind: 'human', groups: ['dba'] } });
  });

  it.each([
    ['expired', { exp: '-1m' }, /"exp" claim timestamp check failed/],
    ['for another audience', { aud: 'other' }, /unexpected "aud" claim value/],
    ['from another issuer', { iss: 'https://evil.example' }, /unexpected "iss" claim value/],
    ['signed by another key', { other: true }, /signature verification failed/],
  ])('refuses a token %s', async (_name, options, reason) => {
    const result = await verify(await sign({ sub: 'bob' }, options));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
