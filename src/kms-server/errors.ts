// Errors the local KMS answers with: the AWS error code (`__type`), its message and HTTP status,
// as real KMS sends them over the AWS JSON 1.1 protocol.
export class KmsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string | undefined,
    readonly status = 400,
  ) {
    super(message ?? '');
    this.name = type;
  }

  /** KMS sends some errors (KMSInvalidSignatureException) with no message at all. */
  get body(): Record<string, string> {
    return this.message ? { __type: this.type, message: this.message } : { __type: this.type };
  }
}

export const validation = (message: string) => new KmsServiceError('ValidationException', message);
export const notFound = (message: string) => new KmsServiceError('NotFoundException', message);
export const invalidState = (message: string) => new KmsServiceError('KMSInvalidStateException', message);
export const serialization = (message: string) => new KmsServiceError('SerializationException', message);
