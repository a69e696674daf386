// The seam where a format rewrites the artifact's bytes on their one pass (e.g. base64url for JWS).
/** Turns one chunk into output bytes via `emit`; stateful transforms know the total length up front. */
export type ChunkTransform = (chunk: Uint8Array, emit: (b: Uint8Array) => void) => void;
