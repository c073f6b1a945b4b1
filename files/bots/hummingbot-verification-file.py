"""Writes hummingbot's conf/.password_verification for a password, as hummingbot itself would.

Hummingbot 2.x opens conf/.password_verification at every login and decrypts it with CONFIG_PASSWORD
(hummingbot/client/config/config_crypt.py, validate_password, at v2.16.0); a bot without the file
crash-loops. The file is the hex of a JSON "version 3" keystore (the Ethereum keyfile layout that
hummingbot's ETHKeyFileSecretManger uses, without an address) holding the word "HummingBot":
  key  = PBKDF2-HMAC-SHA256(password, random 16-byte salt, 1,000,000 rounds, 32 bytes)
  data = AES-128-CTR(key[:16], random 128-bit initial counter, "HummingBot")
  mac  = Keccak-256(key[16:32] + data)
The round count is eth-keyfile's default for pbkdf2, which hummingbot uses.

Usage: hummingbot-verification-file.py PASSWORD_FILE OUTPUT_FILE
Needs pycryptodome for AES and Keccak: the hummingbot image has it (eth-account -> eth-keyfile); pip
installs it as `Crypto`, Debian and pycryptodomex as `Cryptodome`.
"""

import binascii
import hashlib
import json
import os
import sys

try:
    from Crypto.Cipher import AES
    from Crypto.Hash import keccak
except ImportError:  # Debian's python3-pycryptodome, or pycryptodomex
    from Cryptodome.Cipher import AES
    from Cryptodome.Hash import keccak

WORD = b"HummingBot"
ROUNDS = 1_000_000
KEY_BYTES = 32


def keystore(password: bytes, rounds: int = ROUNDS) -> dict:
    salt = os.urandom(16)
    counter = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password, salt, rounds, KEY_BYTES)
    cipher = AES.new(key[:16], AES.MODE_CTR, nonce=b"", initial_value=counter)
    data = cipher.encrypt(WORD)
    mac = keccak.new(digest_bits=256, data=key[16:32] + data).digest()
    return {
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": counter.hex()},
            "ciphertext": data.hex(),
            "kdf": "pbkdf2",
            "kdfparams": {"c": rounds, "dklen": KEY_BYTES, "prf": "hmac-sha256", "salt": salt.hex()},
            "mac": mac.hex(),
        },
        "version": 3,
        "alias": "",
    }


def main(argv: list) -> int:
    if len(argv) != 3:
        print("usage: hummingbot-verification-file.py PASSWORD_FILE OUTPUT_FILE", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        password = f.read()
    if password == b"":
        print(f"hummingbot-verification-file: {argv[1]} is empty", file=sys.stderr)
        return 1
    # Hummingbot encrypts str(password).encode(): the UTF-8 bytes, exactly as stored in the Secret.
    text = binascii.hexlify(json.dumps(keystore(password)).encode()).decode()
    tmp = argv[2] + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
