// Handlers throw an ApiError naming an entry of their API's error catalogue; the API renders
// it to the vendor's body in one place. Nothing else turns a failure into a response.

export class ApiError<Kind extends string = string> extends Error {
  override readonly name = 'ApiError';
  constructor(readonly kind: Kind, readonly detail?: string) {
    super(detail ? `${kind}: ${detail}` : kind);
  }
}
