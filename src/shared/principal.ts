/**
 * Who acts, and on whose behalf. Pure data: safe inside the workflow sandbox.
 * An alert that starts a run is a `service`; an agent acting for a human carries that human in `onBehalfOf`.
 */
export type PrincipalKind = 'human' | 'agent' | 'service';

export interface Principal {
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly groups: readonly string[];
  /** For agents: the human or service that owns the agent. */
  readonly owner?: string;
  readonly onBehalfOf?: Principal;
}

/** `agent:triage-bot -> human:alice` style chain, outermost actor first. */
export function principalChain(principal: Principal): string {
  const links: string[] = [];
  for (let p: Principal | undefined = principal; p; p = p.onBehalfOf) links.push(`${p.kind}:${p.id}`);
  return links.join(' -> ');
}
