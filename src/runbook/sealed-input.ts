/**
 * A `sensitive: true` input as it travels through Temporal: sealed by the client that starts the run, opened only by
 * the activity that binds it. Workflow history, the Temporal UI and every span see this envelope, never the value.
 * Pure (no crypto): the workflow sandbox checks the shape; src/shared/input-sealer.ts seals and opens.
 */
export interface SealedInput {
  /** `v1.<key id>.<base64url of nonce, ciphertext and tag>` */
  readonly vigil_sealed: string;
}

export function isSealedInput(value: unknown): value is SealedInput {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as SealedInput).vigil_sealed === 'string';
}
