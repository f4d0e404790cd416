/**
 * Search attributes Vigil sets on runs, so the doors can list runs without scanning histories.
 * The dev server registers them at start (src/dev/temporal-server.ts); a production cluster needs them created once.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUNBOOK = defineSearchAttributeKey('VigilRunbook', SearchAttributeType.KEYWORD);
export const PRINCIPAL = defineSearchAttributeKey('VigilPrincipal', SearchAttributeType.KEYWORD);
export const TRIGGER_SOURCE = defineSearchAttributeKey('VigilTrigger', SearchAttributeType.KEYWORD);
export const PENDING_APPROVAL = defineSearchAttributeKey('VigilPendingApproval', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [RUNBOOK, PRINCIPAL, TRIGGER_SOURCE, PENDING_APPROVAL];
