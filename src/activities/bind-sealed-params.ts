/**
 * The values a governed statement is bound with. Params computed from sensitive inputs arrive as templates, with
 * the run's inputs still sealed; they are rendered here, in the activity, so their values exist only in this
 * process, on their way to PostgreSQL. Audit, spans and approvers see them as `[REDACTED:sensitive input]`.
 */
import { renderTemplate } from '../expressions/render-template.js';
import { isSealedInput } from '../runbook/sealed-input.js';
import type { InputSealer } from '../shared/input-sealer.js';
import { VigilError } from '../shared/vigil-error.js';
import type { GovernedSqlRequest } from './types.js';

export function bindParams(request: GovernedSqlRequest, sealer: InputSealer | undefined): readonly unknown[] {
  const sealedParams = request.sealedParams ?? [];
  if (sealedParams.length === 0) return request.params;
  if (!sealer) throw new VigilError('VIGIL_E_SEAL_KEY', 'this step binds sensitive inputs, and this worker holds no input sealing key (VIGIL_SEAL_KEY)');
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.inputs ?? {})) inputs[name] = isSealedInput(value) ? sealer.open(request.workflowId, name, value) : value;
  const params = [...request.params];
  for (const { index, template } of sealedParams) {
    try {
      params[index] = renderTemplate(template, { inputs });
    } catch {
      // The evaluator's message could quote the value.
      throw new VigilError('VIGIL_E_STEP_TEMPLATE', `param $${index + 1} reads a sensitive input and failed to evaluate (the reason is withheld: it could show the value)`);
    }
  }
  return params;
}
