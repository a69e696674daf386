// JSON shape checks shared by the envelope, statement and provenance validators.
export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
