// Signs an application body for the eGov channel with the demo key from sign-in (WebCrypto,
// ECDSA P-256 with SHA-256; the raw r||s signature, base64).

import { canonicalJson } from './canonical';
import type { Application } from './model';
import type { Signing } from './session';

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  bytes.forEach((byte) => (binary += String.fromCharCode(byte)));
  return btoa(binary);
}

export type Signature = NonNullable<Application['signature']>;

export async function signBody(body: Record<string, unknown>, signing: Signing): Promise<Signature> {
  const { signature: _ignored, ...unsigned } = body;
  const key = await crypto.subtle.importKey(
    'pkcs8',
    base64ToBytes(signing.key_pkcs8),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const message = new TextEncoder().encode(canonicalJson(unsigned));
  const raw = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, message);
  return { certificate: signing.certificate, value: bytesToBase64(new Uint8Array(raw)) };
}
