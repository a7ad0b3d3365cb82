// UTF-8 text conversion for a platform-free package. TextEncoder/TextDecoder exist in every
// runtime we target (Node, browsers) but are declared by neither ES2022 lib nor our fence, so
// only the two members we use are declared here — a narrow, deliberate hole in the fence.

declare const TextEncoder: new () => { encode(input: string): Uint8Array };
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean },
) => { decode(input: Uint8Array): string };

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, returning undefined for malformed input instead of throwing. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}
