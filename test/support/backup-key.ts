/**
 * A documentation OpenPGP public key (ed25519 + cv25519, "botfleet example backup key (replace me)"),
 * generated once for the stack files and config tests; its private half was deleted right away, so
 * nothing encrypted to it can be read. Pulumi.prod.yaml carries the same key as its placeholder.
 */
export const EXAMPLE_RECIPIENT = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawyuRBYJKwYBBAHaRw8BAQdAy6f6VYRp41jzLd5CzD9SCM35tfgDSNDcfZ/L
WFUFXxK0KGJvdGZsZWV0IGV4YW1wbGUgYmFja3VwIGtleSAocmVwbGFjZSBtZSmI
kAQTFggAOBYhBLTmFg5LlrjWc1cwNUt4p4Xq6FiQBQJrDK5EAhsDBQsJCAcCBhUK
CQgLAgQWAgMBAh4BAheAAAoJEEt4p4Xq6FiQMlQBAPevxeK4bxKAw3L/rgTf7U0H
2PpWmMtfqRUlgrKtBHu4AP48OdTWud/X3yjmgb+U7FO33Xd/GAWS+3Y78PxJ80uv
B7g4BGsMrkQSCisGAQQBl1UBBQEBB0CtbV9zEVGfvEA2Jhgu7Qq3yxJFnMi8kJaU
a9jFI4iGYAMBCAeIeAQYFggAIBYhBLTmFg5LlrjWc1cwNUt4p4Xq6FiQBQJrDK5E
AhsMAAoJEEt4p4Xq6FiQQFoBAPCGcCOC4CerfEuKCk91/u/WGjo79Sd8KRchnU0B
bvDtAQDWgZVlv/gpiokT4ALMn+wh57fCazhze3agjLtrEXikBQ==
=jBYE
-----END PGP PUBLIC KEY BLOCK-----
`;

/** backup.encryption with the example key, for configs that turn backups on. */
export const exampleEncryption = { encryption: { recipient: EXAMPLE_RECIPIENT } };
