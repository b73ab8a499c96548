/**
 * Task 2: page tokens. A token carries where the previous page ended, the (created_at, id) of
 * its last row, sealed with AES-GCM under the server's key: encryption makes it opaque (a client
 * cannot read or build one, so its format can change), and GCM's authentication tag makes it
 * unforgeable (a changed, truncated or made-up token fails to open). A signature alone (an HMAC)
 * would make it unforgeable but still readable.
 */

/** Where a page ended: created_at exactly as PostgreSQL writes a timestamptz as text (microseconds kept), and the id. */
export interface Position {
  at: string;
  id: number;
}

export interface CursorCipher {
  seal(position: Position): Promise<string>;
  /** The position sealed in `token`, or undefined when it is not a token sealed with this key. */
  open(token: string): Promise<Position | undefined>;
}

const IV_BYTES = 12;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '');
}

/** Throws on text that is not base64. */
function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function openSealed(key: CryptoKey, token: string): Promise<Position> {
  const bytes = fromBase64Url(token);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES) }, key, bytes.slice(IV_BYTES));
  const [at, id] = JSON.parse(new TextDecoder().decode(plain)) as [string, number];
  return { at, id };
}

export async function cursorCipher(rawKey: Uint8Array): Promise<CursorCipher> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(rawKey), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async seal(position) {
      // A fresh random IV for every token: GCM must never reuse one under the same key.
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const plain = new TextEncoder().encode(JSON.stringify([position.at, position.id]));
      const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
      const token = new Uint8Array(IV_BYTES + sealed.length);
      token.set(iv);
      token.set(sealed, IV_BYTES);
      return toBase64Url(token);
    },
    // Not base64, too short to hold an IV and a tag, a tag that does not verify: not our token.
    open: (token) => openSealed(key, token).catch(() => undefined),
  };
}
