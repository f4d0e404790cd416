/**
 * OpenTelemetry for the worker and its clients: Temporal's interceptors (client, workflow, activity) make one run
 * one trace, and Vigil's own step and statement spans hang inside it.
 * Spans go over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, to a given exporter in tests, else nowhere.
 * Versions are one coherent set: Temporal 1.24 interceptors on the OTel SDK 1.30 line.
 */
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';

/** Workflow code must be bundled with this module for workflow spans (see workers/worker.ts). */
export const WORKFLOW_TRACING_MODULE = '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

export interface Tracing {
  readonly tracer: Tracer;
  /** Activity interceptors: each activity becomes a span, child of the workflow's. */
  readonly workerInterceptors: WorkerInterceptors;
  /** The sink through which the sandboxed workflow exports its spans. */
  readonly sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>;
  /** Client interceptors: starting a run opens the trace and carries it into the workflow. */
  readonly clientInterceptors: WorkflowClientInterceptor[];
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP endpoint, e.g. http://collector:4318 (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpEndpoint?: string;
  /** An exporter of the caller's, exported synchronously (tests use the in-memory exporter). */
  readonly exporter?: SpanExporter;
}

let contextManagerInstalled = false;

export function setupTracing(options: TracingOptions): Tracing {
  // Active-span propagation across awaits needs a context manager; it is process-wide, so install it once.
  // Trace context travels in Temporal headers in the W3C format; the interceptors use the global propagator.
  if (!contextManagerInstalled) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    contextManagerInstalled = true;
  }
  const resource = new Resource({ 'service.name': options.serviceName });
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : options.otlpEndpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))
      : new NoopSpanProcessor();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  // The tracer is passed explicitly rather than registered globally, so several workers (tests) keep their spans apart.
  const tracer = provider.getTracer('vigil');
  return {
    tracer,
    workerInterceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
