/**
 * The UI's own URLs, built in one place so every link encodes its ids the same way. The gate URL is also the one
 * the chat notification links to (VIGIL_PUBLIC_URL + /approvals/<run>/<gate>). Pure.
 */
export const gateHref = (g: { readonly workflowId: string; readonly gateId: string }): string =>
  `/approvals/${encodeURIComponent(g.workflowId)}/${encodeURIComponent(g.gateId)}`;

export const runHref = (workflowId: string): string => `/runs/${encodeURIComponent(workflowId)}`;
