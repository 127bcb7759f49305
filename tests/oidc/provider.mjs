// A real OpenID Connect provider for the test suite (the npm package oidc-provider), on
// loopback. Not a mock: discovery, PKCE, signed ID tokens, one-time codes, consent.
//
//   node tests/oidc/provider.mjs REDIRECT_URI [REDIRECT_URI...]
//
// Listens on a free port of 127.0.0.1 and prints "listening <issuer>" once ready. One static
// client (CLIENT_ID / CLIENT_SECRET below), two test accounts, and an interaction page of
// its own: username, password, and "Allow" or "Deny". With WRONG_JWKS=1 in the environment
// it publishes another public key under its key's id: its ID tokens' signatures then fail.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'digilit-test';
export const CLIENT_SECRET = 'digilit-test-secret-0123456789abcdef';
const PASSWORD = 'vneid-pass';
const ACCOUNTS = {
  // Claims of a national identity: a name, and the person's area as official codes.
  lan: { name: 'Nguyễn Thị Lan', province_code: 1, commune_code: 70 },
  // No area in the claims: the platform asks for it once.
  minh: { name: 'Trần Văn Minh' },
};

const redirectUris = process.argv.slice(2);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test-key' };
const { publicKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wrongJwks = JSON.stringify({ keys: [{ ...otherKey.export({ format: 'jwk' }), use: 'sig',
  kid: 'test-key', alg: 'RS256' }] });

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>`
    + `</head><body><h1>${title}</h1>${body}</body></html>`;
}

function loginForm(uid, clientId, error) {
  return page('Test identity provider', `<p>Sign in to share your identity with ${clientId}.</p>`
    + (error ? `<p class="error">${error}</p>` : '')
    + `<form method="post" action="/interaction/${uid}">`
    + '<label>Username <input name="username" autocomplete="off"></label>'
    + '<label>Password <input type="password" name="password"></label>'
    + '<button name="action" value="allow">Allow</button>'
    + '<button name="action" value="deny">Deny</button></form>');
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(details.uid, details.params.client_id));
    return;
  }
  const form = await readForm(req);
  if (form.action === 'deny') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The person did not consent.' });
    return;
  }
  if (!ACCOUNTS[form.username] || form.password !== PASSWORD) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(details.uid, details.params.client_id, 'Wrong username or password.'));
    return;
  }
  // Signing in here also grants what the client asked for (the "Allow" button).
  const grant = new provider.Grant({ accountId: form.username, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: form.username }, consent: { grantId } });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name'], area: ['province_code', 'commune_code'] },
    scopes: ['openid', 'profile', 'area'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, details) => `/interaction/${details.uid}` },
    async findAccount(_ctx, sub) {
      if (!ACCOUNTS[sub]) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) };
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (process.env.WRONG_JWKS === '1' && req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(wrongJwks);
    } else if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(error.message));
      });
    } else {
      callback(req, res);
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});
