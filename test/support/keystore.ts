/**
 * Opens a "version 3" keystore the way hummingbot checks its conf/.password_verification (eth-keyfile's
 * decode_keyfile_json, which eth_account's Account.decrypt calls): derive the key with the stored KDF
 * parameters, compare Keccak-256(key[16:32] + ciphertext) with the stored MAC ("MAC mismatch" otherwise),
 * then AES-128-CTR-decrypt. Independent of the Python that writes the file: Node's crypto for PBKDF2 and
 * AES, and a Keccak-256 of our own (Node has SHA3-256, whose padding differs).
 */
import * as crypto from "crypto";

const MASK = (1n << 64n) - 1n;
const ROUND_CONSTANTS = (() => {
  // The iota step's constants, from the degree-8 LFSR in the Keccak reference.
  const out: bigint[] = [];
  let r = 1;
  for (let round = 0; round < 24; round++) {
    let c = 0n;
    for (let j = 0; j < 7; j++) {
      if (r & 1) c |= 1n << BigInt((1 << j) - 1);
      r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : (r << 1) & 0xff;
    }
    out.push(c);
  }
  return out;
})();
const rotl = (x: bigint, n: number) => (n === 0 ? x : ((x << BigInt(n)) | (x >> BigInt(64 - n))) & MASK);

function keccakF(a: bigint[]): void {
  for (let round = 0; round < 24; round++) {
    const c = [0, 1, 2, 3, 4].map((x) => a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]);
    for (let x = 0; x < 5; x++) {
      const d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (let y = 0; y < 25; y += 5) a[x + y] ^= d;
    }
    // rho and pi: walk the lanes along (x, y) -> (y, 2x + 3y), rotating by triangular numbers.
    let x = 1;
    let y = 0;
    let current = a[1];
    for (let t = 0; t < 24; t++) {
      [x, y] = [y, (2 * x + 3 * y) % 5];
      const next = a[x + 5 * y];
      a[x + 5 * y] = rotl(current, (((t + 1) * (t + 2)) / 2) % 64);
      current = next;
    }
    for (let yy = 0; yy < 25; yy += 5) {
      const row = a.slice(yy, yy + 5);
      for (let xx = 0; xx < 5; xx++) a[yy + xx] = row[xx] ^ (~row[(xx + 1) % 5] & MASK & row[(xx + 2) % 5]);
    }
    a[0] ^= ROUND_CONSTANTS[round];
  }
}

/** Keccak-256 as Ethereum uses it: rate 136 bytes, padding 0x01 ... 0x80. */
export function keccak256(data: Buffer): Buffer {
  const rate = 136;
  const padded = Buffer.alloc(Math.floor(data.length / rate + 1) * rate);
  data.copy(padded);
  padded[data.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const state = new Array<bigint>(25).fill(0n);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 8; i++) state[i] ^= padded.readBigUInt64LE(off + 8 * i);
    keccakF(state);
  }
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++) out.writeBigUInt64LE(state[i], 8 * i);
  return out;
}

export interface Keystore {
  crypto: {
    cipher: string;
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: string;
    kdfparams: { c: number; dklen: number; prf: string; salt: string };
    mac: string;
  };
  version: number;
}

/** The plaintext, or an Error("MAC mismatch") for a wrong password. */
export function openKeystore(store: Keystore, password: Buffer): Buffer {
  const c = store.crypto;
  if (store.version !== 3 || c.kdf !== "pbkdf2" || c.cipher !== "aes-128-ctr") {
    throw new Error(`unsupported keystore: version ${store.version}, ${c.kdf}, ${c.cipher}`);
  }
  const [hmac, hash] = c.kdfparams.prf.split("-");
  if (hmac !== "hmac") throw new Error(`unsupported prf ${c.kdfparams.prf}`);
  const key = crypto.pbkdf2Sync(
    password,
    Buffer.from(c.kdfparams.salt, "hex"),
    c.kdfparams.c,
    c.kdfparams.dklen,
    hash,
  );
  const ciphertext = Buffer.from(c.ciphertext, "hex");
  const mac = keccak256(Buffer.concat([key.subarray(16, 32), ciphertext]));
  if (!crypto.timingSafeEqual(mac, Buffer.from(c.mac, "hex"))) throw new Error("MAC mismatch");
  // The stored iv is a big-endian integer: left-pad it to a full 16-byte counter block.
  const iv = Buffer.from(c.cipherparams.iv.padStart(32, "0"), "hex");
  const decipher = crypto.createDecipheriv("aes-128-ctr", key.subarray(0, 16), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
