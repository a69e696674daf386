// Key identifiers (RFC 5280 §4.2.1.2, method 1): the SHA-1 of the subjectPublicKey BIT STRING value without
// tag, length and unused-bits octet, i.e. of the raw FIPS 204 public key. Used for the SubjectKeyIdentifier
// and AuthorityKeyIdentifier extensions and for CMS signers identified by subjectKeyIdentifier.
import { createHash } from 'node:crypto';

export const keyIdentifier = (publicKey: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(publicKey).digest());
