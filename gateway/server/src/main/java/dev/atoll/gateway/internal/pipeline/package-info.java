/**
 * The call path of a {@code tools/call} as decorators around the tool's
 * {@link dev.atoll.gateway.backend.ToolBackend}: each stage is one small {@link
 * dev.atoll.gateway.internal.pipeline.CallHandler} that does its part and passes the call on (the
 * Armeria decorator shape). The gateway composes them in one place ({@code Gateway.pipeline}); a rate
 * limit or a region check is one more stage. Not exported.
 */
package dev.atoll.gateway.internal.pipeline;
