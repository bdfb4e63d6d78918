// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0), as EMV QR requires,
// computed over the UTF-8 bytes of the payload up to and including "6304".

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

const utf8 = new TextEncoder();

export function crc16CcittFalse(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** One byte into a running CRC (start from 0xFFFF). */
export function crcStep(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
}

/** CRC of a string's UTF-8 bytes; ASCII text is its own UTF-8, so it skips the encoder. */
export function crc16OfText(text: string): number {
  let crc = 0xffff;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return crc16CcittFalse(utf8.encode(text));
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]!;
  }
  return crc;
}

/** The 4 uppercase hex digits of the CRC of `text` (UTF-8). */
export function crcHex(text: string): string {
  return crc16OfText(text).toString(16).toUpperCase().padStart(4, '0');
}
