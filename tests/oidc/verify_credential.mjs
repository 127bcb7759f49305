// An independent verifier of the platform's credentials: the `jose` library (a dependency of
// oidc-provider), not the platform's signing code.
//
//   node tests/oidc/verify_credential.mjs CREDENTIAL.json JWKS.json STATUS_LIST.jwt
//
// Prints {"valid": true, ...} or {"valid": false, "reason": ...} (exit status 1).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [credentialFile, jwksFile, statusFile] = process.argv.slice(2);
const PREFIX = 'data:application/vc+jwt,';

function fail(reason) {
  process.stdout.write(JSON.stringify({ valid: false, reason }) + '\n');
  process.exit(1);
}

function bitIsSet(encodedList, index) {
  const raw = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
  const bits = gunzipSync(Buffer.from(raw, 'base64url'));
  return (bits[Math.floor(index / 8)] & (0x80 >> (index % 8))) !== 0;
}

const envelope = JSON.parse(readFileSync(credentialFile, 'utf8'));
if (envelope.type !== 'EnvelopedVerifiableCredential' || !envelope.id.startsWith(PREFIX)) {
  fail('not an enveloped VC-JWT');
}
const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
let credential;
try {
  ({ payload: credential } = await jwtVerify(envelope.id.slice(PREFIX.length), keys,
    { algorithms: ['EdDSA'], typ: 'vc+jwt' }));
} catch (error) {
  fail(`signature: ${error.code || error.message}`);
}
if (!credential.type.includes('OpenBadgeCredential')) fail('not an OpenBadgeCredential');
const status = credential.credentialStatus;
let list;
try {
  ({ payload: list } = await jwtVerify(readFileSync(statusFile, 'utf8').trim(), keys,
    { algorithms: ['EdDSA'] }));
} catch (error) {
  fail(`status list signature: ${error.code || error.message}`);
}
if (list.id !== status.statusListCredential) fail('status list: not the one referenced');
if (bitIsSet(list.credentialSubject.encodedList, Number(status.statusListIndex))) fail('revoked');
process.stdout.write(JSON.stringify({
  valid: true, id: credential.id, issuer: credential.issuer.id,
  holder: credential.credentialSubject.identifier[0].identityHash,
  achievement: credential.credentialSubject.achievement.name,
}) + '\n');
