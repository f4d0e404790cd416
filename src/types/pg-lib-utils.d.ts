// pg's value encoder, which pg itself and pg-cursor use; @types/pg doesn't describe the module.
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): unknown;
}
