/**
 * Standard base64 (RFC 4648 section 4) with padding, as Go's encoding/json
 * writes byte slices. Decoding also takes the URL-safe alphabet and missing
 * padding.
 *
 * @module
 */

/** Encode bytes as standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) {
    binary += String.fromCharCode(bytes[i]);
  }
  return btoa(binary);
}

/**
 * Decode base64 (standard or URL-safe, padding optional).
 *
 * @throws {TypeError} When the text is not base64.
 */
export function decodeBase64(text: string): Uint8Array {
  let normal = text.trim().replaceAll("-", "+").replaceAll("_", "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.length % 4 === 1) {
    throw new TypeError(
      `Cannot decode base64: ${JSON.stringify(text)} is not base64`,
    );
  }
  while (normal.length % 4 !== 0) normal += "=";
  let binary: string;
  try {
    binary = atob(normal);
  } catch (cause) {
    throw new TypeError(
      `Cannot decode base64: ${JSON.stringify(text)} is not base64`,
      { cause },
    );
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
