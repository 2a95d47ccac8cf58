/**
 * DPoP keys (RFC 9449) of the OAuth client (src/auth/provider.ts): tokens bound to a key are only good
 * with it, so the key is kept in the token record and a later host process (a new Neovim) signs with
 * the same one. The protocol itself (proofs, nonces) is the SDK's and the conformance suite's
 * auth/dpop and auth/dpop-nonce scenarios check it against a real DPoP authorization server; no
 * package offers one to run here.
 */
import { describe, expect, it } from 'vitest';
import { MemoryAuthStore } from '../../src/auth/memory-store.js';
import { McpOAuthProvider } from '../../src/auth/provider.js';
import { silentLogger } from '../../src/log.js';

const metadata = (algs: string[]) => ({
  issuer: 'https://as.example.com',
  authorization_endpoint: 'https://as.example.com/authorize',
  token_endpoint: 'https://as.example.com/token',
  response_types_supported: ['code'],
  dpop_signing_alg_values_supported: algs,
});

function provider(store: MemoryAuthStore) {
  return new McpOAuthProvider({
    server: 'remote',
    serverUrl: 'https://mcp.example.com/mcp',
    config: { grant: 'authorization_code' },
    store,
    openBrowser: () => Promise.reject(new Error('no browser in this test')),
    log: silentLogger,
  });
}

describe('DPoP keys', () => {
  it('a new host process signs with the key the tokens were bound to', async () => {
    const store = new MemoryAuthStore();
    const first = provider(store);
    first.saveDiscoveryState({ authorizationServerUrl: 'https://as.example.com', authorizationServerMetadata: metadata(['ES256']) });
    const bound = (await first.dpop())!;
    expect((await store.read('remote'))!.dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });

    const later = provider(store);
    await later.tokens({ issuer: 'https://as.example.com' });
    const again = (await later.dpop())!;
    expect(again.thumbprint).toBe(bound.thumbprint);
    // The proof verifies with the stored key's public half.
    const proof = await again.buildProof({ htm: 'POST', htu: 'https://mcp.example.com/mcp' });
    expect(JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString()).jwk).toEqual(bound.publicJwk);
  });

  it('uses no DPoP when the authorization server offers none', async () => {
    const p = provider(new MemoryAuthStore());
    p.saveDiscoveryState({ authorizationServerUrl: 'https://as.example.com', authorizationServerMetadata: { ...metadata([]), dpop_signing_alg_values_supported: undefined } });
    expect(await p.dpop()).toBeUndefined();
  });

  it('forgets the key with the record (:Mcp logout)', async () => {
    const store = new MemoryAuthStore();
    const p = provider(store);
    p.saveDiscoveryState({ authorizationServerUrl: 'https://as.example.com', authorizationServerMetadata: metadata(['ES256']) });
    const before = (await p.dpop())!.thumbprint;
    await store.remove('remote');
    p.reload();
    await p.tokens({ issuer: 'https://as.example.com' });
    expect((await p.dpop())!.thumbprint).not.toBe(before);
  });
});
